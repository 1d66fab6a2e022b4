//! `StrategyRepository` on `chat_strategies`. Targeting rules and outcome actions are JSON arrays
//! of their contract objects; `name_key` (trimmed, lower-cased name) is unique among an account's
//! live strategies; deletes are soft (`deleted_at`).

use super::knowledge::{links_of, replace_links};
use crate::convert::{from_ts, id, parse_id, ts};
use crate::schema::{accounts, chat_strategies};
use crate::sql::{Corrupt, found};
use crate::{Database, DbConnection, MultiBackend};
use async_trait::async_trait;
use diesel::dsl::exists;
use diesel::prelude::*;
use genascope_domain::common::{AccountId, ChatStrategyId, RepoError, Text, Timestamp, UserId};
use genascope_domain::identity::policy::ListScope;
use genascope_domain::questionnaire::strategies::model::{Specialty, Strategy, name_key};
use genascope_domain::questionnaire::strategies::ports::{StrategyFilter, StrategyRepository};
use time::PrimitiveDateTime;

/// A strategy as stored: read, and inserted.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = chat_strategies, treat_none_as_default_value = false)]
struct StrategyRow {
    id: String,
    account_id: String,
    name: String,
    name_key: String,
    description: Option<String>,
    goal: Option<String>,
    patient_introduction: Option<String>,
    specialty: Option<String>,
    is_active: bool,
    targeting_rules: String,
    outcome_actions: String,
    version: i32,
    created_by: Option<String>,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
    deleted_at: Option<PrimitiveDateTime>,
}

/// What an update writes (every column but the id, the account and the creation).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = chat_strategies, treat_none_as_null = true)]
struct StrategyChanges {
    name: String,
    name_key: String,
    description: Option<String>,
    goal: Option<String>,
    patient_introduction: Option<String>,
    specialty: Option<String>,
    is_active: bool,
    targeting_rules: String,
    outcome_actions: String,
    version: i32,
    updated_at: PrimitiveDateTime,
}

/// A stored text, checked again on the way in (a row that no longer fits is corrupt).
fn text<const MAX: usize, const MULTILINE: bool>(
    s: Option<String>,
    what: &'static str,
) -> Result<Option<Text<MAX, MULTILINE>>, Corrupt> {
    s.map(|s| Text::parse(what, &s).ok().flatten().ok_or(Corrupt(what)))
        .transpose()
}

impl StrategyRow {
    fn into_domain(self) -> Result<Strategy, Corrupt> {
        Ok(Strategy {
            id: ChatStrategyId(parse_id(&self.id, "strategy id")?),
            account_id: AccountId(parse_id(&self.account_id, "account id")?),
            name: text(Some(self.name), "strategy name")?.ok_or(Corrupt("strategy name"))?,
            description: text(self.description, "strategy description")?,
            goal: text(self.goal, "strategy goal")?,
            patient_introduction: text(self.patient_introduction, "patient introduction")?,
            specialty: self
                .specialty
                .map(|s| Specialty::parse(&s).ok_or(Corrupt("specialty")))
                .transpose()?,
            is_active: self.is_active,
            version: self.version,
            created_by: self
                .created_by
                .map(|c| parse_id(&c, "user id").map(UserId))
                .transpose()?,
            created_at: from_ts(self.created_at),
            updated_at: from_ts(self.updated_at),
            deleted_at: self.deleted_at.map(from_ts),
            // Filled by `with_links`.
            knowledge_sources: Vec::new(),
            targeting_rules: serde_json::from_str(&self.targeting_rules)
                .map_err(|_| Corrupt("targeting rules"))?,
            outcome_actions: serde_json::from_str(&self.outcome_actions)
                .map_err(|_| Corrupt("outcome actions"))?,
        })
    }
}

/// A value as stored JSON text.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> Result<String, RepoError> {
    serde_json::to_string(v).map_err(|e| RepoError::Unexpected(Box::new(e)))
}

impl TryFrom<&Strategy> for StrategyRow {
    type Error = RepoError;

    fn try_from(s: &Strategy) -> Result<Self, RepoError> {
        Ok(Self {
            id: id(s.id.0),
            account_id: id(s.account_id.0),
            name: s.name.to_string(),
            name_key: name_key(&s.name),
            description: s.description.as_ref().map(ToString::to_string),
            goal: s.goal.as_ref().map(ToString::to_string),
            patient_introduction: s.patient_introduction.as_ref().map(ToString::to_string),
            specialty: s.specialty.map(|x| x.as_str().to_owned()),
            is_active: s.is_active,
            targeting_rules: to_json(&s.targeting_rules)?,
            outcome_actions: to_json(&s.outcome_actions)?,
            version: s.version,
            created_by: s.created_by.map(|u| id(u.0)),
            created_at: ts(s.created_at),
            updated_at: ts(s.updated_at),
            deleted_at: s.deleted_at.map(ts),
        })
    }
}

impl From<StrategyRow> for StrategyChanges {
    fn from(r: StrategyRow) -> Self {
        Self {
            name: r.name,
            name_key: r.name_key,
            description: r.description,
            goal: r.goal,
            patient_introduction: r.patient_introduction,
            specialty: r.specialty,
            is_active: r.is_active,
            targeting_rules: r.targeting_rules,
            outcome_actions: r.outcome_actions,
            version: r.version,
            updated_at: r.updated_at,
        }
    }
}

type Boxed<'a> = chat_strategies::BoxedQuery<'a, MultiBackend>;

/// Strategies of live accounts (deleted ones too when `include_deleted`).
fn visible<'a>(include_deleted: bool) -> Boxed<'a> {
    let mut q = chat_strategies::table.into_boxed().filter(exists(
        accounts::table
            .filter(accounts::id.eq(chat_strategies::account_id))
            .filter(accounts::deleted_at.is_null()),
    ));
    if !include_deleted {
        q = q.filter(chat_strategies::deleted_at.is_null());
    }
    q
}

fn load_one(conn: &mut DbConnection, q: Boxed<'_>) -> QueryResult<Option<Strategy>> {
    let row: Option<StrategyRow> = q.select(StrategyRow::as_select()).first(conn).optional()?;
    let strategy = row.map(StrategyRow::into_domain).transpose()?;
    Ok(with_links(conn, strategy.into_iter().collect())?.pop())
}

/// `strategies` with their linked knowledge sources (one query for the lot).
fn with_links(
    conn: &mut DbConnection,
    mut strategies: Vec<Strategy>,
) -> QueryResult<Vec<Strategy>> {
    let ids: Vec<String> = strategies.iter().map(|s| id(s.id.0)).collect();
    let mut links = links_of(conn, &ids)?;
    for (s, sid) in strategies.iter_mut().zip(&ids) {
        s.knowledge_sources = links.remove(sid).unwrap_or_default();
    }
    Ok(strategies)
}

/// Write `strategy`'s links first in its transaction: `Conflict("knowledge_source")` (nothing
/// written) when a linked source is gone.
fn write_links(conn: &mut DbConnection, strategy: &Strategy) -> QueryResult<bool> {
    replace_links(conn, &id(strategy.id.0), &strategy.knowledge_sources)
}

fn source_gone() -> RepoError {
    RepoError::Conflict("knowledge_source")
}

/// Write `changes` over strategy `sid` if its stored version is still `version` and it is live:
/// `Ok(false)` when the version moved on, `NotFound` when it is gone.
fn write_if_version(
    conn: &mut DbConnection,
    sid: &str,
    version: i32,
    changes: StrategyChanges,
) -> QueryResult<bool> {
    let live = || {
        chat_strategies::table
            .filter(chat_strategies::id.eq(sid))
            .filter(chat_strategies::deleted_at.is_null())
    };
    let n = diesel::update(live().filter(chat_strategies::version.eq(version)))
        .set(changes)
        .execute(conn)?;
    if n == 0 {
        let exists: i64 = live().count().get_result(conn)?;
        found(usize::try_from(exists).unwrap_or(0))?;
        return Ok(false);
    }
    Ok(true)
}

/// Whether `e` is the rollback a transaction asked for (a linked source was gone).
fn is_rollback(e: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    matches!(
        e.downcast_ref::<diesel::result::Error>(),
        Some(diesel::result::Error::RollbackTransaction)
    )
}

fn stale(written: bool) -> Result<(), RepoError> {
    if written {
        Ok(())
    } else {
        Err(RepoError::Stale)
    }
}

#[async_trait]
impl StrategyRepository for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert(&self, strategy: &Strategy) -> Result<(), RepoError> {
        let row = StrategyRow::try_from(strategy)?;
        let strategy = strategy.clone();
        let linked = self
            .transaction(move |conn| {
                diesel::insert_into(chat_strategies::table)
                    .values(&row)
                    .execute(conn)?;
                // The account must be live (a deleted one keeps its rows, for nobody).
                let live: i64 = accounts::table
                    .filter(accounts::id.eq(&row.account_id))
                    .filter(accounts::deleted_at.is_null())
                    .count()
                    .get_result(conn)?;
                found(usize::try_from(live).unwrap_or(0))?;
                if write_links(conn, &strategy)? {
                    Ok(true)
                } else {
                    // Undo the strategy's row: a source went away since the check.
                    Err(diesel::result::Error::RollbackTransaction)
                }
            })
            .await;
        match linked {
            Ok(_) => Ok(()),
            Err(RepoError::Unexpected(e)) if is_rollback(&*e) => Err(source_gone()),
            Err(e) => Err(e),
        }
    }

    #[tracing::instrument(level = "debug", skip_all, fields(strategy_id = %sid))]
    async fn get(&self, sid: ChatStrategyId, include_deleted: bool) -> Result<Strategy, RepoError> {
        let sid = id(sid.0);
        self.run(move |conn| {
            load_one(
                conn,
                visible(include_deleted).filter(chat_strategies::id.eq(sid)),
            )?
            .ok_or(diesel::result::Error::NotFound)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list(&self, filter: &StrategyFilter) -> Result<Vec<Strategy>, RepoError> {
        let account = match filter.scope {
            ListScope::Nothing => return Ok(Vec::new()),
            ListScope::All => None,
            ListScope::Account(a) => Some(id(a.0)),
        };
        let f = *filter;
        self.run(move |conn| {
            let mut q = visible(false);
            if let Some(account) = account {
                q = q.filter(chat_strategies::account_id.eq(account));
            }
            if f.active_only {
                q = q.filter(chat_strategies::is_active.eq(true));
            }
            if let Some(s) = f.specialty {
                q = q.filter(chat_strategies::specialty.eq(s.as_str()));
            }
            let rows: Vec<StrategyRow> = q
                .order((
                    chat_strategies::updated_at.desc(),
                    chat_strategies::id.asc(),
                ))
                .offset(i64::from(f.skip))
                .limit(i64::from(f.limit))
                .select(StrategyRow::as_select())
                .load(conn)?;
            let strategies = rows
                .into_iter()
                .map(StrategyRow::into_domain)
                .collect::<Result<_, _>>()?;
            with_links(conn, strategies)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update(&self, after: &Strategy, version: i32) -> Result<(), RepoError> {
        let row = StrategyRow::try_from(after)?;
        let sid = row.id.clone();
        let changes = StrategyChanges::from(row);
        let after = after.clone();
        let outcome = self
            .transaction(move |conn| {
                if !write_if_version(conn, &sid, version, changes)? {
                    return Ok(Err(RepoError::Stale));
                }
                if write_links(conn, &after)? {
                    Ok(Ok(()))
                } else {
                    Err(diesel::result::Error::RollbackTransaction)
                }
            })
            .await;
        match outcome {
            Ok(written) => written,
            Err(RepoError::Unexpected(e)) if is_rollback(&*e) => Err(source_gone()),
            Err(e) => Err(e),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete(
        &self,
        sid: ChatStrategyId,
        version: i32,
        at: Timestamp,
    ) -> Result<(), RepoError> {
        let (sid, at) = (id(sid.0), ts(at));
        let written = self
            .transaction(move |conn| {
                let live = || {
                    chat_strategies::table
                        .filter(chat_strategies::id.eq(&sid))
                        .filter(chat_strategies::deleted_at.is_null())
                };
                let n = diesel::update(live().filter(chat_strategies::version.eq(version)))
                    .set((
                        chat_strategies::deleted_at.eq(at),
                        chat_strategies::updated_at.eq(at),
                        chat_strategies::version.eq(chat_strategies::version + 1),
                    ))
                    .execute(conn)?;
                if n == 0 {
                    let exists: i64 = live().count().get_result(conn)?;
                    found(usize::try_from(exists).unwrap_or(0))?;
                    return Ok(false);
                }
                Ok(true)
            })
            .await?;
        stale(written)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account))]
    async fn default_for(&self, account: AccountId) -> Result<Option<Strategy>, RepoError> {
        let account = id(account.0);
        self.run(move |conn| {
            load_one(
                conn,
                visible(false)
                    .filter(chat_strategies::account_id.eq(account))
                    .filter(chat_strategies::is_active.eq(true))
                    .order((chat_strategies::created_at.asc(), chat_strategies::id.asc())),
            )
        })
        .await
    }
}
