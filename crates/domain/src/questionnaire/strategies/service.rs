//! Strategy use cases (contract §3.6, strategies): list, create, read, update, delete. Callers:
//! the care team in its own account and super_admin (lists span all accounts; creates name the
//! account); every other role is refused before anything is read.

use super::error::StrategyError;
use super::model::{
    NewStrategy, Strategy, StrategyPatch, StrategyQuery, outcome_actions, targeting_rules,
};
use super::ports::{StrategyFilter, StrategyRepository};
use crate::common::{
    AccountId, ChatStrategyId, Clock, Entity, FieldError, KnowledgeSourceId, Patch, Random,
    RepoError, to_seconds,
};
use crate::identity::policy::{self, Action, Principal, Target};
use crate::questionnaire::knowledge::model::SourceRef;
use crate::questionnaire::knowledge::policy as knowledge;
use crate::questionnaire::knowledge::ports::KnowledgeSourceRepository;
use std::sync::Arc;

/// Strategy use cases.
#[derive(Clone)]
pub struct StrategyService {
    strategies: Arc<dyn StrategyRepository>,
    sources: Arc<dyn KnowledgeSourceRepository>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
}

/// Most knowledge sources one strategy links.
pub const MAX_SOURCES: usize = 100;

/// `s` as `p` is shown it: only the linked sources `p` sees.
fn shown_to(p: &Principal, mut s: Strategy) -> Strategy {
    s.knowledge_sources.retain(|k| knowledge::sees(p, k));
    s
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
        sources: Arc<dyn KnowledgeSourceRepository>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Self {
        Self {
            strategies,
            sources,
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
        let rows = self.strategies.list(&filter).await?;
        Ok(rows.into_iter().map(|s| shown_to(p, s)).collect())
    }

    /// `GET /strategies/{id}`.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, strategy_id = %id))]
    pub async fn get(&self, p: &Principal, id: ChatStrategyId) -> Result<Strategy, StrategyError> {
        Ok(shown_to(p, self.stored(p, id).await?))
    }

    /// The stored strategy `p` may configure, with every linked source (also those `p` does not
    /// see: an update keeps them).
    async fn stored(&self, p: &Principal, id: ChatStrategyId) -> Result<Strategy, StrategyError> {
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

    /// The sources `ids` name, each in `account` and seen by `p` (else "Knowledge source not
    /// found", exactly as a source that does not exist), once each, by id.
    async fn resolve_sources(
        &self,
        p: &Principal,
        account: AccountId,
        ids: &[uuid::Uuid],
    ) -> Result<Vec<SourceRef>, StrategyError> {
        let mut ids: Vec<KnowledgeSourceId> = ids.iter().copied().map(KnowledgeSourceId).collect();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        if ids.len() > MAX_SOURCES {
            return Err(StrategyError::Invalid(vec![FieldError::new(
                "knowledge_source_ids",
                format!("at most {MAX_SOURCES} items"),
                "value_error.list.max_items",
            )]));
        }
        let mut found = self.sources.refs(&ids).await?;
        found.retain(|s| s.account_id == account && knowledge::sees(p, s));
        found.sort_by_key(|s| s.id);
        if found.len() == ids.len() {
            Ok(found)
        } else {
            Err(StrategyError::NotFound(Entity::KnowledgeSource))
        }
    }

    /// `POST /strategies`: the account is the caller's own (a super_admin names it); the name is
    /// unique among the account's live strategies (409); linked knowledge sources must be visible
    /// (404).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn create(&self, p: &Principal, cmd: NewStrategy) -> Result<Strategy, StrategyError> {
        policy::require(p, Action::StrategyManage)?;
        let account_id = policy::target_account(p, cmd.account_id)?;
        let knowledge_sources = self
            .resolve_sources(p, account_id, &cmd.knowledge_source_ids)
            .await?;
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
            knowledge_sources,
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
        Ok(shown_to(p, strategy))
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
        let before = self.stored(p, id).await?;
        let mut after = before.clone();
        if let Some(ids) = &change.knowledge_source_ids {
            // The sent list replaces the links `p` sees; links to sources `p` does not see
            // (another user's private ones) stay.
            let mut links = self.resolve_sources(p, before.account_id, ids).await?;
            links.extend(
                before
                    .knowledge_sources
                    .iter()
                    .filter(|s| !knowledge::sees(p, s))
                    .cloned(),
            );
            links.sort_by_key(|s| s.id);
            links.dedup_by_key(|s| s.id);
            after.knowledge_sources = links;
        }
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
            return Ok(shown_to(p, before));
        }
        after.version = before.version + 1;
        after.updated_at = to_seconds(self.clock.now()).max(before.updated_at);
        self.strategies.update(&after, before.version).await?;
        Ok(shown_to(p, after))
    }

    /// `DELETE /strategies/{id}`: soft delete. Hidden from lists and reads; sessions and invites
    /// that use it keep working and keep its name.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, strategy_id = %id))]
    pub async fn delete(&self, p: &Principal, id: ChatStrategyId) -> Result<(), StrategyError> {
        let strategy = self.stored(p, id).await?;
        let now = to_seconds(self.clock.now());
        Ok(self.strategies.delete(id, strategy.version, now).await?)
    }
}
