//! Strategy use cases (contract §3.6, strategies): list, create, read, update, delete. Callers:
//! the care team in its own account and super_admin (lists span all accounts; creates name the
//! account); every other role is refused before anything is read.

use super::error::StrategyError;
use super::model::{
    NewStrategy, Strategy, StrategyPatch, StrategyQuery, outcome_actions, targeting_rules,
};
use super::ports::{StrategyFilter, StrategyRepository};
use crate::common::{ChatStrategyId, Clock, Entity, Patch, Random, RepoError, to_seconds};
use crate::identity::policy::{self, Action, Principal, Target};
use std::sync::Arc;

/// Strategy use cases.
#[derive(Clone)]
pub struct StrategyService {
    strategies: Arc<dyn StrategyRepository>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
}

/// No knowledge source exists yet (they come with file storage): linking any id is "not found",
/// exactly as a source of another account would be.
fn check_knowledge_sources(ids: &[uuid::Uuid]) -> Result<(), StrategyError> {
    if ids.is_empty() {
        Ok(())
    } else {
        Err(StrategyError::NotFound(Entity::KnowledgeSource))
    }
}

fn patch<T>(field: &mut Option<T>, change: Patch<T>) {
    match change {
        Patch::Keep => {}
        Patch::Clear => *field = None,
        Patch::Set(v) => *field = Some(v),
    }
}

impl StrategyService {
    /// Wire the service.
    #[must_use]
    pub fn new(
        strategies: Arc<dyn StrategyRepository>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Self {
        Self {
            strategies,
            clock,
            random,
        }
    }

    /// `GET /strategies`: a page of the visible live strategies, by `updated_at` desc.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn list(
        &self,
        p: &Principal,
        q: StrategyQuery,
    ) -> Result<Vec<Strategy>, StrategyError> {
        let scope = policy::list_scope(p, Action::StrategyManage, q.account_id)?;
        let filter = StrategyFilter {
            scope,
            active_only: q.active_only,
            specialty: q.specialty,
            skip: q.skip,
            limit: q.limit,
        };
        Ok(self.strategies.list(&filter).await?)
    }

    /// `GET /strategies/{id}`.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, strategy_id = %id))]
    pub async fn get(&self, p: &Principal, id: ChatStrategyId) -> Result<Strategy, StrategyError> {
        policy::require(p, Action::StrategyManage)?;
        let strategy = self.strategies.get(id, false).await?;
        policy::authorize(
            p,
            Action::StrategyManage,
            Target::in_account(Some(strategy.account_id)),
            Entity::ChatStrategy,
        )?;
        Ok(strategy)
    }

    /// `POST /strategies`: the account is the caller's own (a super_admin names it); the name is
    /// unique among the account's live strategies (409); linked knowledge sources must be visible
    /// (404).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn create(&self, p: &Principal, cmd: NewStrategy) -> Result<Strategy, StrategyError> {
        policy::require(p, Action::StrategyManage)?;
        let account_id = policy::target_account(p, cmd.account_id)?;
        check_knowledge_sources(&cmd.knowledge_source_ids)?;
        let fresh = || self.random.uuid();
        let rules = targeting_rules(cmd.targeting_rules, &[], fresh);
        let actions = outcome_actions(cmd.outcome_actions, &[], fresh);
        let (targeting_rules, outcome_actions) = match (rules, actions) {
            (Ok(r), Ok(a)) => (r, a),
            (r, a) => {
                let errors = [r.err(), a.err()].into_iter().flatten().collect();
                return Err(StrategyError::Invalid(errors));
            }
        };
        let now = to_seconds(self.clock.now());
        let strategy = Strategy {
            id: ChatStrategyId(self.random.uuid()),
            account_id,
            name: cmd.name,
            description: cmd.description,
            goal: cmd.goal,
            patient_introduction: cmd.patient_introduction,
            specialty: cmd.specialty,
            is_active: cmd.is_active,
            version: 1,
            created_by: (!p.user_id.0.is_nil()).then_some(p.user_id),
            created_at: now,
            updated_at: now,
            deleted_at: None,
            targeting_rules,
            outcome_actions,
        };
        self.strategies
            .insert(&strategy)
            .await
            .map_err(|e| match e {
                // The account named by a super_admin does not exist.
                RepoError::NotFound => StrategyError::NotFound(Entity::Account),
                other => other.into(),
            })?;
        Ok(strategy)
    }

    /// `PUT /strategies/{id}`: a partial update; an array that is present replaces the stored
    /// one. `version` +1 when anything changed (a PUT that changes nothing, such as the
    /// frontend's `{is_active: true}` right after a create, leaves the strategy as it is).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, strategy_id = %id))]
    pub async fn update(
        &self,
        p: &Principal,
        id: ChatStrategyId,
        change: StrategyPatch,
    ) -> Result<Strategy, StrategyError> {
        let before = self.get(p, id).await?;
        if let Some(ids) = &change.knowledge_source_ids {
            check_knowledge_sources(ids)?;
        }
        let mut after = before.clone();
        let fresh = || self.random.uuid();
        let mut errors = Vec::new();
        if let Some(rules) = change.targeting_rules {
            match targeting_rules(rules, &before.targeting_rules, fresh) {
                Ok(r) => after.targeting_rules = r,
                Err(e) => errors.push(e),
            }
        }
        if let Some(actions) = change.outcome_actions {
            match outcome_actions(actions, &before.outcome_actions, fresh) {
                Ok(a) => after.outcome_actions = a,
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(StrategyError::Invalid(errors));
        }
        if let Some(name) = change.name {
            after.name = name;
        }
        patch(&mut after.description, change.description);
        patch(&mut after.goal, change.goal);
        patch(&mut after.patient_introduction, change.patient_introduction);
        patch(&mut after.specialty, change.specialty);
        if let Some(active) = change.is_active {
            after.is_active = active;
        }
        if after == before {
            return Ok(before);
        }
        after.version = before.version + 1;
        after.updated_at = to_seconds(self.clock.now()).max(before.updated_at);
        self.strategies.update(&after, before.version).await?;
        Ok(after)
    }

    /// `DELETE /strategies/{id}`: soft delete. Hidden from lists and reads; sessions and invites
    /// that use it keep working and keep its name.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, strategy_id = %id))]
    pub async fn delete(&self, p: &Principal, id: ChatStrategyId) -> Result<(), StrategyError> {
        let strategy = self.get(p, id).await?;
        let now = to_seconds(self.clock.now());
        Ok(self.strategies.delete(id, strategy.version, now).await?)
    }
}
