//! `InviteRepository`.

use super::{InviteChanges, InviteRow};
use crate::audit::write_entries;
use crate::convert::{from_ts, id, parse_id, ts};
use crate::identity::{NewUserRow, insert_user};
use crate::notify::enqueue_email;
use crate::patients::NewPatientRow;
use crate::schema::{accounts, chat_strategies, invites, patients};
use crate::sql::{contains_pattern, found, lower, patient_matches};
use crate::{Database, DbConnection, MultiBackend};
use async_trait::async_trait;
use diesel::dsl::{AsSelect, Filter, InnerJoin, IntoBoxed, IsNull, Select, case_when, exists};
use diesel::prelude::*;
use diesel::sql_types::Text;
use genascope_domain::audit::AuditRecords;
use genascope_domain::common::{ChatStrategyId, InviteId, PatientId, RepoError, Timestamp, UserId};
use genascope_domain::identity::model::Email;
use genascope_domain::identity::policy::ListScope;
use genascope_domain::invites::model::{
    Invite, InvitePatient, InviteState, InviteStatus, InviteSummary, InviteView, TokenHash,
};
use genascope_domain::invites::ports::{
    Acceptance, InviteFilter, InvitePage, InviteRepository, InviteSort, IssueError, Issued,
    NewInvite, SortOrder, StrategyChoice, StrategyRef,
};
use genascope_domain::notify::OutgoingEmail;
use std::collections::HashMap;
use time::{Date, PrimitiveDateTime};

/// Most patient ids bound in one `IN (...)` list (both backends take far more; a patient page is
/// at most 1000).
const IDS_PER_QUERY: usize = 1000;

/// An invite with its patient's email, first name, last name and phone.
type ViewRow = (InviteRow, String, String, String, Option<String>);
type ViewSelection = (
    AsSelect<InviteRow, MultiBackend>,
    patients::email,
    patients::first_name,
    patients::last_name,
    patients::phone,
);
type Views<'a> = IntoBoxed<
    'a,
    Select<
        Filter<InnerJoin<invites::table, patients::table>, IsNull<patients::deleted_at>>,
        ViewSelection,
    >,
    MultiBackend,
>;

/// Invites of live patients of live accounts, with the patient's contact fields. (A deleted
/// patient's invites were revoked with it and are kept for the record, shown to nobody.)
fn views<'a>() -> Views<'a> {
    invites::table
        .inner_join(patients::table)
        .filter(patients::deleted_at.is_null())
        .select((
            InviteRow::as_select(),
            patients::email,
            patients::first_name,
            patients::last_name,
            patients::phone,
        ))
        .into_boxed()
        .filter(exists(
            accounts::table
                .filter(accounts::id.eq(invites::account_id))
                .filter(accounts::deleted_at.is_null()),
        ))
}

fn into_view((row, email, first_name, last_name, phone): ViewRow) -> QueryResult<InviteView> {
    Ok(InviteView {
        invite: row.into_domain()?,
        patient: InvitePatient {
            email: Email::from_trusted(email),
            first_name,
            last_name,
            phone,
        },
    })
}

/// What a read selects, owned, so that the same query can be built twice (count and page).
#[derive(Debug, Clone, Default)]
struct Criteria {
    /// None: every account.
    account: Option<String>,
    status: Option<InviteStatus>,
    provider: Option<String>,
    patient: Option<String>,
    /// A LIKE pattern.
    search: Option<String>,
    created_after: Option<PrimitiveDateTime>,
    created_before: Option<PrimitiveDateTime>,
    now: Option<PrimitiveDateTime>,
}

impl Criteria {
    /// `None` when the scope matches nothing.
    fn new(scope: ListScope, now: Timestamp) -> Option<Self> {
        let account = match scope {
            ListScope::Nothing => return None,
            ListScope::All => None,
            ListScope::Account(a) => Some(id(a.0)),
        };
        Some(Self {
            account,
            now: Some(ts(now)),
            ..Self::default()
        })
    }

    fn query<'a>(&self) -> Views<'a> {
        let mut q = views();
        if let Some(account) = self.account.clone() {
            q = q.filter(invites::account_id.eq(account));
        }
        if let (Some(status), Some(now)) = (self.status, self.now) {
            q = match status {
                InviteStatus::Pending => q
                    .filter(invites::status.eq(InviteState::Pending.as_str()))
                    .filter(invites::expires_at.gt(now)),
                InviteStatus::Expired => q
                    .filter(invites::status.eq(InviteState::Pending.as_str()))
                    .filter(invites::expires_at.le(now)),
                InviteStatus::Accepted => {
                    q.filter(invites::status.eq(InviteState::Accepted.as_str()))
                }
                InviteStatus::Revoked => {
                    q.filter(invites::status.eq(InviteState::Revoked.as_str()))
                }
            };
        }
        if let Some(provider) = self.provider.clone() {
            q = q.filter(invites::provider_id.eq(provider));
        }
        if let Some(patient) = self.patient.clone() {
            q = q.filter(invites::patient_id.eq(patient));
        }
        if let Some(p) = self.search.clone() {
            q = q.filter(patient_matches!(p));
        }
        if let Some(after) = self.created_after {
            q = q.filter(invites::created_at.ge(after));
        }
        if let Some(before) = self.created_before {
            q = q.filter(invites::created_at.le(before));
        }
        q
    }
}

/// Order by `by` in `order`, then by id.
fn sorted<'a>(q: Views<'a>, by: InviteSort, order: SortOrder, now: PrimitiveDateTime) -> Views<'a> {
    macro_rules! by {
        ($e:expr) => {
            match order {
                SortOrder::Asc => q.order_by($e.asc()),
                SortOrder::Desc => q.order_by($e.desc()),
            }
        };
    }
    let q = match by {
        InviteSort::CreatedAt => by!(invites::created_at),
        InviteSort::ExpiresAt => by!(invites::expires_at),
        // The reported status: a pending invite at or past its expiry sorts as `expired`.
        InviteSort::Status => by!(case_when::<_, _, Text>(
            invites::status
                .eq(InviteState::Pending.as_str())
                .and(invites::expires_at.le(now)),
            InviteStatus::Expired.as_str(),
        )
        .otherwise(invites::status)),
        InviteSort::Email => by!(patients::email),
        InviteSort::FirstName => by!(lower(patients::first_name)),
        InviteSort::LastName => by!(lower(patients::last_name)),
    };
    q.then_order_by(invites::id.asc())
}

/// The strategy a new invite of `account` gets (contract §3.4): the named one if it is a live,
/// active strategy of the account, else why not; by default the account's oldest active live
/// strategy, or none. Read in the issuing transaction, so a strategy switched off or deleted
/// meanwhile is not given out.
fn chosen_strategy(
    conn: &mut DbConnection,
    account: &str,
    choice: StrategyChoice,
) -> QueryResult<Result<Option<StrategyRef>, IssueError>> {
    let live = chat_strategies::table
        .filter(chat_strategies::account_id.eq(account))
        .filter(chat_strategies::deleted_at.is_null());
    let row: Option<(String, String, bool)> = match choice {
        StrategyChoice::Named(wanted) => {
            let found: Option<(String, String, bool)> = live
                .filter(chat_strategies::id.eq(id(wanted.0)))
                .select((
                    chat_strategies::id,
                    chat_strategies::name,
                    chat_strategies::is_active,
                ))
                .first(conn)
                .optional()?;
            match found {
                None => return Ok(Err(IssueError::StrategyNotFound)),
                Some((_, _, false)) => return Ok(Err(IssueError::StrategyInactive)),
                Some(active) => Some(active),
            }
        }
        StrategyChoice::AccountDefault => live
            .filter(chat_strategies::is_active.eq(true))
            .order((chat_strategies::created_at.asc(), chat_strategies::id.asc()))
            .select((
                chat_strategies::id,
                chat_strategies::name,
                chat_strategies::is_active,
            ))
            .first(conn)
            .optional()?,
    };
    row.map(|(strategy, name, _)| {
        Ok(StrategyRef {
            id: ChatStrategyId(parse_id(&strategy, "strategy id")?),
            name,
        })
    })
    .transpose()
    .map(Ok)
}

/// Revoke every invite of a patient that is not revoked yet (the patient is being deleted):
/// simplified tokens die with them.
pub(crate) fn revoke_invites_of_patient(
    conn: &mut DbConnection,
    patient: &str,
    at: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        invites::table
            .filter(invites::patient_id.eq(patient))
            .filter(invites::status.ne(InviteState::Revoked.as_str())),
    )
    .set((
        invites::status.eq(InviteState::Revoked.as_str()),
        invites::revoked_at.eq(at),
        invites::updated_at.eq(at),
        invites::version.eq(invites::version + 1),
    ))
    .execute(conn)
}

/// Write `after` over the invite if its stored version is still `version`: `Ok(false)` when it
/// moved on (stale), `NotFound` when the invite is gone.
fn write_if_version(conn: &mut DbConnection, after: &Invite, version: i32) -> QueryResult<bool> {
    let invite = id(after.id.0);
    let n = diesel::update(
        invites::table
            .filter(invites::id.eq(&invite))
            .filter(invites::version.eq(version)),
    )
    .set((
        InviteChanges::from(after),
        invites::version.eq(invites::version + 1),
    ))
    .execute(conn)?;
    if n == 0 {
        let exists: i64 = invites::table
            .filter(invites::id.eq(&invite))
            .count()
            .get_result(conn)?;
        found(usize::try_from(exists).unwrap_or(0))?;
        return Ok(false);
    }
    Ok(true)
}

/// The patient fields an acceptance changes (`None` = leave the column alone).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = patients)]
struct Activation {
    status: Option<&'static str>,
    date_of_birth: Option<Date>,
    updated_at: PrimitiveDateTime,
}

/// Activate a pending patient and record a missing date of birth; `NotFound` when the patient is
/// gone.
fn activate_patient(
    conn: &mut DbConnection,
    patient: &str,
    date_of_birth: Option<Date>,
    at: PrimitiveDateTime,
) -> QueryResult<()> {
    let (status, dob): (String, Option<Date>) = patients::table
        .filter(patients::id.eq(patient))
        .filter(patients::deleted_at.is_null())
        .select((patients::status, patients::date_of_birth))
        .first(conn)?;
    let change = Activation {
        status: (status == "pending").then_some("active"),
        date_of_birth: date_of_birth.filter(|_| dob.is_none()),
        updated_at: at,
    };
    if change.status.is_none() && change.date_of_birth.is_none() {
        return Ok(());
    }
    diesel::update(patients::table.filter(patients::id.eq(patient)))
        .set((&change, patients::version.eq(patients::version + 1)))
        .execute(conn)
        .map(drop)
}

impl Database {
    /// Every invite matching, newest first (the unpaged lists).
    async fn newest_first(&self, criteria: Criteria) -> Result<Vec<InviteView>, RepoError> {
        self.run(move |conn| {
            let rows: Vec<ViewRow> = criteria
                .query()
                .order((invites::created_at.desc(), invites::id.asc()))
                .load(conn)?;
            rows.into_iter().map(into_view).collect()
        })
        .await
    }
}

/// What `update` and `accept` found.
enum Written {
    Done,
    Stale,
}

impl Written {
    fn result(self) -> Result<(), RepoError> {
        match self {
            Self::Done => Ok(()),
            Self::Stale => Err(RepoError::Stale),
        }
    }
}

#[async_trait]
impl InviteRepository for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create(&self, new: &NewInvite) -> Result<Issued, IssueError> {
        let mut row = InviteRow::from(&new.invite);
        let strategy = new.strategy;
        let new_patient = new.new_patient.as_ref().map(NewPatientRow::from);
        let (patient, account) = (id(new.invite.patient_id.0), id(new.invite.account_id.0));
        let now = new.invite.created_at;
        let audit = new.audit.clone();
        let mut superseded_audit = new.superseded_audit.clone();
        let mail = new.mail.clone();
        let queued = mail.is_some();
        let issued = self
            .transaction(move |conn| {
                // First, before anything is written: a refusal commits nothing.
                let chosen = match chosen_strategy(conn, &account, strategy)? {
                    Ok(chosen) => chosen,
                    Err(refused) => return Ok(Err(refused)),
                };
                row.set_strategy(chosen.as_ref());
                if let Some(p) = &new_patient {
                    diesel::insert_into(patients::table)
                        .values(p)
                        .execute(conn)?;
                } else {
                    // Claim the live patient's row (a write, so it comes first: it serialises
                    // creates for the same patient on PostgreSQL; SQLite has one writer anyway).
                    let n = diesel::update(
                        patients::table
                            .filter(patients::id.eq(&patient))
                            .filter(patients::account_id.eq(&account))
                            .filter(patients::deleted_at.is_null()),
                    )
                    .set(patients::updated_at.eq(patients::updated_at))
                    .execute(conn)?;
                    found(n)?;
                }
                // Rule 5: the patient's other open invites are revoked.
                let open: Vec<String> = invites::table
                    .filter(invites::patient_id.eq(&patient))
                    .filter(invites::status.eq(InviteState::Pending.as_str()))
                    .select(invites::id)
                    .load(conn)?;
                let at = ts(now);
                if !open.is_empty() {
                    diesel::update(invites::table.filter(invites::id.eq_any(&open)))
                        .set((
                            invites::status.eq(InviteState::Revoked.as_str()),
                            invites::revoked_at.eq(at),
                            invites::updated_at.eq(at),
                            invites::version.eq(invites::version + 1),
                        ))
                        .execute(conn)?;
                }
                diesel::insert_into(invites::table)
                    .values(&row)
                    .execute(conn)?;
                write_entries(conn, &audit)?;
                let revoked = open
                    .iter()
                    .map(|i| parse_id(i, "invite id").map(InviteId))
                    .collect::<Result<Vec<_>, _>>()?;
                if !revoked.is_empty() {
                    let query = match superseded_audit.records {
                        AuditRecords::Many { query, .. } => query,
                        AuditRecords::One(_) => None,
                    };
                    superseded_audit.records = AuditRecords::Many {
                        ids: revoked.iter().map(|i| i.0).collect(),
                        query,
                    };
                    write_entries(conn, std::slice::from_ref(&superseded_audit))?;
                }
                if let Some(mail) = &mail {
                    enqueue_email(conn, mail, now)?;
                }
                Ok(Ok(Issued {
                    revoked,
                    chat_strategy: chosen,
                }))
            })
            .await??;
        if queued {
            self.outbox_queued();
        }
        Ok(issued)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(invite_id = %invite))]
    async fn get(&self, invite: InviteId, scope: ListScope) -> Result<InviteView, RepoError> {
        // The time only matters to status filters, which this read has none of.
        let Some(criteria) = Criteria::new(scope, Timestamp::UNIX_EPOCH) else {
            return Err(RepoError::NotFound);
        };
        let invite = id(invite.0);
        self.run(move |conn| {
            let row: ViewRow = criteria
                .query()
                .filter(invites::id.eq(invite))
                .first(conn)?;
            into_view(row)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_by_token_hash(&self, hash: &TokenHash) -> Result<Option<InviteView>, RepoError> {
        let hash = hash.as_bytes().to_vec();
        self.run(move |conn| {
            let row: Option<ViewRow> = views()
                .filter(invites::token_hash.eq(hash))
                .first(conn)
                .optional()?;
            row.map(into_view).transpose()
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list(&self, filter: &InviteFilter, now: Timestamp) -> Result<InvitePage, RepoError> {
        let Some(criteria) = Criteria::new(filter.scope, now) else {
            return Ok(InvitePage {
                invites: Vec::new(),
                total: 0,
            });
        };
        let criteria = Criteria {
            status: filter.status,
            provider: filter.provider_id.map(|p| id(p.0)),
            patient: filter.patient_id.map(|p| id(p.0)),
            search: filter.search.as_deref().map(contains_pattern),
            created_after: filter.created_after.map(ts),
            created_before: filter.created_before.map(ts),
            ..criteria
        };
        let (by, order, now) = (filter.sort_by, filter.sort_order, ts(now));
        let limit = i64::from(filter.limit);
        let offset = i64::from(filter.page.max(1) - 1) * limit;
        self.run(move |conn| {
            let total: i64 = criteria.query().count().get_result(conn)?;
            let rows: Vec<ViewRow> = if offset < total {
                sorted(criteria.query(), by, order, now)
                    .offset(offset)
                    .limit(limit)
                    .load(conn)?
            } else {
                Vec::new()
            };
            Ok(InvitePage {
                invites: rows
                    .into_iter()
                    .map(into_view)
                    .collect::<QueryResult<_>>()?,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %provider))]
    async fn pending_for_provider(
        &self,
        scope: ListScope,
        provider: UserId,
        now: Timestamp,
    ) -> Result<Vec<InviteView>, RepoError> {
        let Some(criteria) = Criteria::new(scope, now) else {
            return Ok(Vec::new());
        };
        self.newest_first(Criteria {
            status: Some(InviteStatus::Pending),
            provider: Some(id(provider.0)),
            ..criteria
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(patient_id = %patient))]
    async fn list_for_patient(
        &self,
        scope: ListScope,
        patient: PatientId,
        status: Option<InviteStatus>,
        now: Timestamp,
    ) -> Result<Vec<InviteView>, RepoError> {
        let Some(criteria) = Criteria::new(scope, now) else {
            return Ok(Vec::new());
        };
        self.newest_first(Criteria {
            status,
            patient: Some(id(patient.0)),
            ..criteria
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update(
        &self,
        before: &Invite,
        after: &Invite,
        audit: &genascope_domain::audit::AuditEntry,
        mail: Option<OutgoingEmail>,
    ) -> Result<(), RepoError> {
        let (after, version) = (after.clone(), before.version);
        let audit = audit.clone();
        let queued = mail.is_some();
        let written = self
            .transaction(move |conn| {
                if !write_if_version(conn, &after, version)? {
                    return Ok(Written::Stale);
                }
                write_entries(conn, std::slice::from_ref(&audit))?;
                if let Some(mail) = &mail {
                    enqueue_email(conn, mail, after.updated_at)?;
                }
                Ok(Written::Done)
            })
            .await?;
        if queued && matches!(written, Written::Done) {
            self.outbox_queued();
        }
        written.result()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn accept(&self, acceptance: &Acceptance) -> Result<(), RepoError> {
        let after = acceptance.after.clone();
        let version = acceptance.before.version;
        let patient = id(after.patient_id.0);
        let dob = acceptance.date_of_birth;
        let login = acceptance.login.as_ref().map(NewUserRow::from);
        let audit = acceptance.audit.clone();
        self.transaction(move |conn| {
            if !write_if_version(conn, &after, version)? {
                return Ok(Written::Stale);
            }
            activate_patient(conn, &patient, dob, ts(after.updated_at))?;
            if let Some(login) = &login {
                insert_user(conn, login, None)?;
            }
            write_entries(conn, &audit)?;
            Ok(Written::Done)
        })
        .await?
        .result()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn summaries(&self, patients: &[PatientId]) -> Result<Vec<InviteSummary>, RepoError> {
        let order = patients.to_vec();
        self.run(move |conn| invite_summaries(conn, &order)).await
    }
}

/// The invite summary of each of `patients` that has invites, in their order (one query per
/// [`IDS_PER_QUERY`] patients); the patient list reads it on the list's own connection.
pub(crate) fn invite_summaries(
    conn: &mut DbConnection,
    patients: &[PatientId],
) -> QueryResult<Vec<InviteSummary>> {
    let ids: Vec<String> = patients.iter().map(|p| id(p.0)).collect();
    let mut by_patient: HashMap<PatientId, InviteSummary> = HashMap::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let rows: Vec<(String, String, PrimitiveDateTime, PrimitiveDateTime)> = invites::table
            .filter(invites::patient_id.eq_any(chunk))
            .select((
                invites::patient_id,
                invites::status,
                invites::expires_at,
                invites::updated_at,
            ))
            .load(conn)?;
        for (patient, status, expires_at, updated_at) in rows {
            let patient = PatientId(parse_id(&patient, "patient id")?);
            let state = InviteState::parse(&status).ok_or(crate::sql::Corrupt("invite status"))?;
            let (expires_at, updated_at) = (from_ts(expires_at), from_ts(updated_at));
            let s = by_patient.entry(patient).or_insert(InviteSummary {
                patient_id: patient,
                pending_expires_at: None,
                accepted: false,
                last_event_at: updated_at,
            });
            s.last_event_at = s.last_event_at.max(updated_at);
            match state {
                InviteState::Pending => {
                    s.pending_expires_at = s.pending_expires_at.max(Some(expires_at));
                }
                InviteState::Accepted => s.accepted = true,
                InviteState::Revoked => {}
            }
        }
    }
    Ok(patients
        .iter()
        .filter_map(|p| by_patient.remove(p))
        .collect())
}
