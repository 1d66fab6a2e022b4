//! `PatientRepository`.

use super::{NewPatientRow, PatientChanges, PatientRow};
use crate::audit::write_entries;
use crate::convert::{id, ts};
use crate::identity::{NewUserRow, insert_user, revoke_refresh_of_user};
use crate::invites::{invite_summaries, revoke_invites_of_patient};
use crate::questionnaire::chat_summaries;
use crate::schema::{accounts, patients, users};
use crate::sql::{
    LIKE_ESCAPE, contains_pattern, found, is_unique_violation, lower, lower_nullable, map_error,
    patient_matches,
};
use crate::{Database, DbConnection, MultiBackend};
use async_trait::async_trait;
use diesel::dsl::{
    And, AsSelect, Eq, Filter, IntoBoxed, IsNotNull, IsNull, LeftJoinOn, Nullable, Select, exists,
};
use diesel::prelude::*;
use diesel::query_source::{Alias, AliasedField};
use genascope_domain::audit::{AuditEntry, AuditRecords};
use genascope_domain::common::{AccountId, PatientId, RepoError, Timestamp};
use genascope_domain::identity::model::Email;
use genascope_domain::identity::policy::ListScope;
use genascope_domain::patients::model::{Patient, PatientView, ScreeningStatus};
use genascope_domain::patients::ports::{
    PatientFilter, PatientLogin, PatientPage, PatientRepository,
};

diesel::alias!(users as clinicians: Clinicians);

/// A patient with what its view derives from other tables.
type ViewRow = (PatientRow, Option<String>, bool);

type ClinicianOn = Eq<Nullable<AliasedField<Clinicians, users::id>>, patients::clinician_id>;
type LoginOn = And<Eq<users::id, patients::id>, IsNull<users::deleted_at>>;
type ViewSource =
    LeftJoinOn<LeftJoinOn<patients::table, Alias<Clinicians>, ClinicianOn>, users::table, LoginOn>;
type ViewSelection = (
    AsSelect<PatientRow, MultiBackend>,
    Nullable<AliasedField<Clinicians, users::name>>,
    IsNotNull<Nullable<users::id>>,
);
type Views<'a> = IntoBoxed<
    'a,
    Select<Filter<ViewSource, IsNull<patients::deleted_at>>, ViewSelection>,
    MultiBackend,
>;

/// Live patients with their clinician's name and whether a live login user exists, whatever
/// their account's state ([`views`] adds that).
fn joined<'a>() -> Views<'a> {
    patients::table
        .left_join(
            clinicians.on(clinicians
                .field(users::id)
                .nullable()
                .eq(patients::clinician_id)),
        )
        .left_join(users::table.on(users::id.eq(patients::id).and(users::deleted_at.is_null())))
        .filter(patients::deleted_at.is_null())
        .select((
            PatientRow::as_select(),
            clinicians.field(users::name).nullable(),
            users::id.nullable().is_not_null(),
        ))
        .into_boxed()
}

/// Live patients of live accounts, with their clinician's name and whether a live login user
/// exists.
fn views<'a>() -> Views<'a> {
    // A deleted account's patients are kept for retention but shown to nobody, not even a
    // super_admin.
    joined().filter(exists(
        accounts::table
            .filter(accounts::id.eq(patients::account_id))
            .filter(accounts::deleted_at.is_null()),
    ))
}

/// `$q` (a boxed query over `patients`) narrowed to the list's filters. One account's state is
/// checked once (an uncorrelated EXISTS is evaluated once per statement), not once per row.
macro_rules! list_filters {
    ($q:expr, $account:expr, $query:expr, $status:expr, $clinician:expr) => {{
        let mut q = $q;
        q = match $account {
            Some(account) => q
                .filter(patients::account_id.eq(account.clone()))
                .filter(exists(
                    accounts::table
                        .filter(accounts::id.eq(account))
                        .filter(accounts::deleted_at.is_null()),
                )),
            // A deleted account's patients are kept for retention but shown to nobody, not
            // even a super_admin.
            None => q.filter(exists(
                accounts::table
                    .filter(accounts::id.eq(patients::account_id))
                    .filter(accounts::deleted_at.is_null()),
            )),
        };
        if let Some(p) = $query {
            q = q.filter(
                patient_matches!(p.clone()).or(lower_nullable(patients::external_id)
                    .like(lower(p).nullable())
                    .escape(LIKE_ESCAPE)),
            );
        }
        if let Some(status) = $status {
            q = q.filter(patients::status.eq(status));
        }
        if let Some(clinician) = $clinician {
            q = q.filter(patients::clinician_id.eq(clinician));
        }
        q.order((patients::created_at.desc(), patients::id.asc()))
    }};
}

fn into_view((row, clinician_name, has_login): ViewRow) -> QueryResult<PatientView> {
    let patient = row.into_domain()?;
    let last_activity = patient.updated_at.date();
    Ok(PatientView {
        patient,
        clinician_name,
        has_login,
        // These three derive from invites and chat sessions at the request's time:
        // `PatientService` fills them where the clock is, from the summaries read with the page
        // (`PatientPage`) or from `InviteRepository::summaries` and `ChatStages`.
        has_pending_invite: false,
        screening_status: ScreeningStatus::NotInvited,
        last_activity,
    })
}

/// What an update found.
enum Updated {
    Done,
    Stale,
}

#[async_trait]
impl PatientRepository for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert(&self, patient: &Patient, audit: &AuditEntry) -> Result<(), RepoError> {
        let row = NewPatientRow::from(patient);
        let audit = audit.clone();
        self.transaction(move |conn| {
            diesel::insert_into(patients::table)
                .values(&row)
                .execute(conn)?;
            write_entries(conn, std::slice::from_ref(&audit))
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_login(&self, login: &PatientLogin) -> Result<(), RepoError> {
        let user = NewUserRow::from(&login.login);
        let record = login
            .record
            .as_ref()
            .map(|(p, audit)| (NewPatientRow::from(p), audit.clone()));
        let setup = login.setup.clone();
        let queued = setup.as_ref().is_some_and(|l| l.mail.is_some());
        self.transaction(move |conn| {
            insert_user(conn, &user, setup.as_ref())?;
            if let Some((patient, audit)) = &record {
                diesel::insert_into(patients::table)
                    .values(patient)
                    .execute(conn)?;
                write_entries(conn, std::slice::from_ref(audit))?;
            }
            Ok(())
        })
        .await?;
        if queued {
            self.outbox_queued();
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn import(
        &self,
        patients: &[Patient],
        audit: &AuditEntry,
    ) -> Result<Vec<Result<(), RepoError>>, RepoError> {
        let rows: Vec<NewPatientRow> = patients.iter().map(NewPatientRow::from).collect();
        let ids: Vec<uuid::Uuid> = patients.iter().map(|p| p.id.0).collect();
        let mut audit = audit.clone();
        self.transaction(move |conn| {
            let mut outcomes = Vec::with_capacity(rows.len());
            let mut inserted = Vec::with_capacity(rows.len());
            for (row, id) in rows.iter().zip(ids) {
                // A savepoint per row: a duplicate undoes only its own row.
                let one = conn
                    .transaction(|c| diesel::insert_into(patients::table).values(row).execute(c));
                match one {
                    Ok(_) => {
                        inserted.push(id);
                        outcomes.push(Ok(()));
                    }
                    Err(e) if is_unique_violation(&e) => outcomes.push(Err(map_error(e))),
                    Err(e) => return Err(e),
                }
            }
            if !inserted.is_empty() {
                audit.records = match audit.records {
                    AuditRecords::Many { query, .. } => AuditRecords::Many {
                        ids: inserted,
                        query,
                    },
                    one @ AuditRecords::One(_) => one,
                };
                write_entries(conn, std::slice::from_ref(&audit))?;
            }
            Ok(outcomes)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(patient_id = %patient))]
    async fn get(&self, patient: PatientId) -> Result<PatientView, RepoError> {
        let patient = id(patient.0);
        self.run(move |conn| {
            let row: ViewRow = views().filter(patients::id.eq(patient)).first(conn)?;
            into_view(row)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account))]
    async fn find_by_email(
        &self,
        account: AccountId,
        email: &Email,
    ) -> Result<Option<(Patient, bool)>, RepoError> {
        let account = id(account.0);
        let email = email.as_str().to_owned();
        self.run(move |conn| {
            let row: Option<ViewRow> = views()
                .filter(patients::account_id.eq(account))
                .filter(patients::email.eq(email))
                .first(conn)
                .optional()?;
            row.map(|r| into_view(r).map(|v| (v.patient, v.has_login)))
                .transpose()
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list(&self, filter: &PatientFilter) -> Result<PatientPage, RepoError> {
        let account = match filter.scope {
            ListScope::Nothing => return Ok(PatientPage::default()),
            ListScope::All => None,
            ListScope::Account(a) => Some(id(a.0)),
        };
        let query = filter.query.as_deref().map(contains_pattern);
        let status = filter.status.map(|s| s.as_str());
        let clinician = filter.clinician_id.map(|c| id(c.0));
        let (offset, limit) = (i64::from(filter.offset), i64::from(filter.limit));
        self.run(move |conn| {
            let rows: Vec<ViewRow> = if offset == 0 {
                // The first page: one statement, no row joined in vain.
                list_filters!(joined(), account, query, status, clinician)
                    .limit(limit)
                    .load(conn)?
            } else {
                // A later page: the ids first (only `patients` is read for the rows skipped),
                // then their joined rows. Joining before the offset cost 10.5 ms at offset
                // 2,500 of 5,000 (issue #11). Two statements in one transaction-less call:
                // a patient deleted in between is missing from the page, as it would be a
                // moment later anyway.
                let ids: Vec<String> = list_filters!(
                    patients::table
                        .filter(patients::deleted_at.is_null())
                        .select(patients::id)
                        .into_boxed(),
                    account,
                    query,
                    status,
                    clinician
                )
                .offset(offset)
                .limit(limit)
                .load(conn)?;
                if ids.is_empty() {
                    return Ok(PatientPage::default());
                }
                joined()
                    .filter(patients::id.eq_any(ids))
                    .order((patients::created_at.desc(), patients::id.asc()))
                    .load(conn)?
            };
            let views = rows
                .into_iter()
                .map(into_view)
                .collect::<QueryResult<Vec<_>>>()?;
            if views.is_empty() {
                return Ok(PatientPage::default());
            }
            // What the views derive, on the same connection in the same call: the page is one
            // hop to the database however many queries it takes.
            let ids: Vec<PatientId> = views.iter().map(|v| v.patient.id).collect();
            Ok(PatientPage {
                invites: invite_summaries(conn, &ids)?,
                chats: chat_summaries(conn, &ids)?,
                views,
            })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update(
        &self,
        before: &Patient,
        after: &Patient,
        audit: &AuditEntry,
        expected_version: Option<i32>,
    ) -> Result<(), RepoError> {
        let changes = PatientChanges::between(before, after);
        let patient = id(before.id.0);
        let audit = audit.clone();
        let outcome = self
            .transaction(move |conn| {
                let live = patients::table
                    .filter(patients::id.eq(&patient))
                    .filter(patients::deleted_at.is_null());
                let bump = (&changes, patients::version.eq(patients::version + 1));
                let n = match expected_version {
                    Some(v) => diesel::update(live.filter(patients::version.eq(v)))
                        .set(bump)
                        .execute(conn)?,
                    None => diesel::update(live).set(bump).execute(conn)?,
                };
                if n == 0 {
                    // Gone, or changed since it was read.
                    let live: i64 = patients::table
                        .filter(patients::id.eq(&patient))
                        .filter(patients::deleted_at.is_null())
                        .count()
                        .get_result(conn)?;
                    found(usize::try_from(live).unwrap_or(0))?;
                    return Ok(Updated::Stale);
                }
                write_entries(conn, std::slice::from_ref(&audit))?;
                Ok(Updated::Done)
            })
            .await?;
        match outcome {
            Updated::Done => Ok(()),
            Updated::Stale => Err(RepoError::Stale),
        }
    }

    #[tracing::instrument(level = "debug", skip_all, fields(patient_id = %patient))]
    async fn soft_delete(
        &self,
        patient: PatientId,
        at: Timestamp,
        audit: &AuditEntry,
    ) -> Result<(), RepoError> {
        let patient = id(patient.0);
        let at = ts(at);
        let audit = audit.clone();
        self.transaction(move |conn| {
            soft_delete(conn, &patient, at)?;
            write_entries(conn, std::slice::from_ref(&audit))
        })
        .await
    }
}

/// Hide the patient, disable its login user (same id) and end that login's sessions.
fn soft_delete(
    conn: &mut DbConnection,
    patient: &str,
    at: time::PrimitiveDateTime,
) -> QueryResult<()> {
    let n = diesel::update(
        patients::table
            .filter(patients::id.eq(patient))
            .filter(patients::deleted_at.is_null()),
    )
    .set((patients::deleted_at.eq(at), patients::updated_at.eq(at)))
    .execute(conn)?;
    found(n)?;
    // Its invites die with it (contract §3.3), and so do the simplified tokens issued from them.
    revoke_invites_of_patient(conn, patient, at)?;
    // Only the patient's own login (role patient) shares the id; never touch anyone else.
    let logins = diesel::update(
        users::table
            .filter(users::id.eq(patient))
            .filter(users::role.eq("patient"))
            .filter(users::deleted_at.is_null()),
    )
    .set((users::is_active.eq(false), users::updated_at.eq(at)))
    .execute(conn)?;
    if logins > 0 {
        revoke_refresh_of_user(conn, patient, at)?;
    }
    Ok(())
}
