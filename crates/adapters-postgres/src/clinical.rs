//! `AssessmentRepository`: stored Assessment JSON per patient, with the RiskProfile it was
//! computed from.

use crate::convert::{from_ts, id, parse_id, ts};
use crate::schema::{assessments, patients};
use crate::sql::Corrupt;
use crate::{Database, DbConnection};
use async_trait::async_trait;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::AstPass;
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

/// A new row, its `seq` aside (see [`insert_assessment`]).
#[derive(Debug, Insertable)]
#[diesel(table_name = assessments, treat_none_as_default_value = false)]
pub(crate) struct NewAssessmentRow {
    id: String,
    account_id: String,
    patient_id: String,
    created_by: Option<String>,
    assessed_at: PrimitiveDateTime,
    body: String,
    profile: Option<String>,
}

impl From<&AssessmentRecord> for NewAssessmentRow {
    fn from(r: &AssessmentRecord) -> Self {
        Self {
            id: id(r.id),
            account_id: id(r.account_id.0),
            patient_id: id(r.patient_id.0),
            created_by: r.created_by.map(|u| id(u.0)),
            assessed_at: ts(r.assessed_at),
            body: r.body.to_string(),
            profile: r.profile.as_ref().map(ToString::to_string),
        }
    }
}

impl NewAssessmentRow {
    /// PostgreSQL: `INSERT INTO assessments (…) SELECT <this row> FROM <from>`: the row is
    /// inserted once per row of `from` (a statement of the same `WITH`), so only if that wrote
    /// (a session's completion, `questionnaire::at_once`). `seq` comes from its sequence.
    pub(crate) fn walk_insert_from<'b>(
        &'b self,
        mut out: AstPass<'_, 'b, Pg>,
        from: &'static str,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Nullable, Text, Timestamp};
        out.push_sql(
            "INSERT INTO assessments (id, account_id, patient_id, created_by, assessed_at, body, \
             profile) SELECT ",
        );
        out.push_bind_param::<Text, _>(&self.id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&self.account_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&self.patient_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&self.created_by)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.assessed_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&self.body)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&self.profile)?;
        out.push_sql(" FROM ");
        out.push_sql(from);
        Ok(())
    }
}

/// Insert one assessment on `conn` (inside the caller's transaction, which a chat session's
/// completion also uses to store its patient's assessment). A patient that does not exist is
/// `NotFound` (a foreign key violation on PostgreSQL).
///
/// "Latest" is the highest `assessed_at`, and among equal ones the highest `seq` (`assessed_at`
/// is whole seconds, so two assessments stored in one second tie on it); the unique index
/// `(patient_id, seq)` backs `seq` up. On PostgreSQL `seq` is the column's default, from a
/// sequence (migration `2026-12-08-000025_assessment_seq`): unique, and growing in insertion
/// order. SQLite numbers a patient's assessments `MAX(seq) + 1` after claiming the patient's row
/// with a no-op UPDATE (its writes take turns on the write lane; the claim keeps that true of
/// any other connection too).
pub(crate) fn insert_assessment(conn: &mut DbConnection, r: &AssessmentRecord) -> QueryResult<()> {
    let row = NewAssessmentRow::from(r);
    if let DbConnection::Postgresql(pg) = conn {
        return diesel::insert_into(assessments::table)
            .values(&row)
            .execute(pg)
            .map(drop);
    }
    let claimed = diesel::update(patients::table.filter(patients::id.eq(&row.patient_id)))
        .set(patients::updated_at.eq(patients::updated_at))
        .execute(conn)?;
    if claimed == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    let last: Option<i64> = assessments::table
        .filter(assessments::patient_id.eq(&row.patient_id))
        .select(diesel::dsl::max(assessments::seq))
        .first(conn)?;
    diesel::insert_into(assessments::table)
        .values((&row, assessments::seq.eq(last.unwrap_or(0) + 1)))
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
