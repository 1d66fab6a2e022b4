//! `AssessmentRepository`: stored Assessment JSON per patient, with the RiskProfile it was
//! computed from.

use crate::convert::{from_ts, id, parse_id, ts};
use crate::schema::{assessments, patients};
use crate::sql::Corrupt;
use crate::{Database, DbConnection};
use async_trait::async_trait;
use diesel::prelude::*;
use genascope_domain::audit::AuditEntry;
use genascope_domain::clinical::ports::{AssessmentRecord, AssessmentRepository};
use genascope_domain::common::{AccountId, PatientId, RepoError, UserId};
use time::PrimitiveDateTime;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = assessments)]
struct AssessmentRow {
    id: String,
    account_id: String,
    patient_id: String,
    created_by: Option<String>,
    assessed_at: PrimitiveDateTime,
    body: String,
    profile: Option<String>,
}

impl AssessmentRow {
    fn into_domain(self) -> QueryResult<AssessmentRecord> {
        Ok(AssessmentRecord {
            id: parse_id(&self.id, "assessment id")?,
            account_id: AccountId(parse_id(&self.account_id, "account id")?),
            patient_id: PatientId(parse_id(&self.patient_id, "patient id")?),
            created_by: self
                .created_by
                .as_deref()
                .map(|c| parse_id(c, "user id").map(UserId))
                .transpose()?,
            assessed_at: from_ts(self.assessed_at),
            body: serde_json::from_str(&self.body).map_err(|_| Corrupt("assessment body"))?,
            profile: self
                .profile
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|_| Corrupt("assessment profile"))?,
        })
    }
}

/// A new row: the record plus its place in the patient's sequence.
#[derive(Debug, Insertable)]
#[diesel(table_name = assessments, treat_none_as_default_value = false)]
struct NewAssessmentRow {
    id: String,
    account_id: String,
    patient_id: String,
    created_by: Option<String>,
    assessed_at: PrimitiveDateTime,
    body: String,
    profile: Option<String>,
    seq: i64,
}

/// Insert one assessment on `conn` (inside the caller's transaction, which a chat session's
/// completion also uses to store its patient's assessment).
///
/// "Latest" is the highest `assessed_at`, and among equal ones the highest `seq` (`assessed_at`
/// is whole seconds, so two assessments stored in one second tie on it). The patient's row is
/// claimed first, so concurrent inserts for one patient take turns and each reads the other's
/// `seq`; the unique index `(patient_id, seq)` backs this up. On PostgreSQL the claim is
/// `SELECT … FOR UPDATE`: a no-op UPDATE of `patients` would also count as a change the
/// principal cache's fence must wait for (`connection`), in every session's completion. SQLite
/// has no row locks (its writes take turns on the write lane): a no-op UPDATE.
pub(crate) fn insert_assessment(conn: &mut DbConnection, r: &AssessmentRecord) -> QueryResult<()> {
    let patient = id(r.patient_id.0);
    let row = patients::table.filter(patients::id.eq(&patient));
    let claimed = match conn {
        DbConnection::Postgresql(pg) => row
            .select(patients::id)
            .for_update()
            .load::<String>(pg)?
            .len(),
        DbConnection::Sqlite(_) => diesel::update(row)
            .set(patients::updated_at.eq(patients::updated_at))
            .execute(conn)?,
    };
    if claimed == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    let last: Option<i64> = assessments::table
        .filter(assessments::patient_id.eq(&patient))
        .select(diesel::dsl::max(assessments::seq))
        .first(conn)?;
    diesel::insert_into(assessments::table)
        .values(NewAssessmentRow {
            id: id(r.id),
            account_id: id(r.account_id.0),
            patient_id: patient,
            created_by: r.created_by.map(|u| id(u.0)),
            assessed_at: ts(r.assessed_at),
            body: r.body.to_string(),
            profile: r.profile.as_ref().map(ToString::to_string),
            seq: last.unwrap_or(0) + 1,
        })
        .execute(conn)
        .map(drop)
}

#[async_trait]
impl AssessmentRepository for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert(&self, r: &AssessmentRecord, audit: &AuditEntry) -> Result<(), RepoError> {
        let record = r.clone();
        let audit = audit.clone();
        self.transaction(move |conn| {
            insert_assessment(conn, &record)?;
            crate::audit::write_entries(conn, std::slice::from_ref(&audit))
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(patient_id = %patient))]
    async fn latest_for_patient(
        &self,
        patient: PatientId,
    ) -> Result<Option<AssessmentRecord>, RepoError> {
        let patient = id(patient.0);
        self.run(move |conn| {
            assessments::table
                .filter(assessments::patient_id.eq(patient))
                .order((assessments::assessed_at.desc(), assessments::seq.desc()))
                .select(AssessmentRow::as_select())
                .first(conn)
                .optional()?
                .map(AssessmentRow::into_domain)
                .transpose()
        })
        .await
    }
}
