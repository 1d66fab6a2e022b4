//! `LabIntegrationRepository` on `lab_integrations` and `lab_integration_accounts`.

use crate::convert::{from_ts, id, parse_id, ts};
use crate::schema::{accounts, lab_integration_accounts, lab_integrations};
use crate::sql::{Corrupt, found};
use crate::{Database, DbConnection};
use async_trait::async_trait;
use diesel::prelude::*;
use genascope_domain::common::{AccountId, LabIntegrationId, RepoError};
use genascope_domain::labs::model::LabIntegration;
use genascope_domain::labs::ports::LabIntegrationRepository;
use time::PrimitiveDateTime;

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = lab_integrations, treat_none_as_default_value = false)]
struct IntegrationRow {
    id: String,
    name: String,
    sealed_secret: String,
    active: bool,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
}

impl From<&LabIntegration> for IntegrationRow {
    fn from(i: &LabIntegration) -> Self {
        Self {
            id: id(i.id.0),
            name: i.name.clone(),
            sealed_secret: i.sealed_secret.clone(),
            active: i.active,
            created_at: ts(i.created_at),
            updated_at: ts(i.updated_at),
        }
    }
}

/// `rows` as integrations with their accounts (one query for the lot; each list by id).
fn with_accounts(
    conn: &mut DbConnection,
    rows: Vec<IntegrationRow>,
) -> QueryResult<Vec<LabIntegration>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let pairs: Vec<(String, String)> = lab_integration_accounts::table
        .filter(lab_integration_accounts::integration_id.eq_any(&ids))
        .order(lab_integration_accounts::account_id.asc())
        .select((
            lab_integration_accounts::integration_id,
            lab_integration_accounts::account_id,
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let accounts = pairs
            .iter()
            .filter(|(i, _)| *i == row.id)
            .map(|(_, a)| parse_id(a, "account id").map(AccountId))
            .collect::<Result<Vec<_>, Corrupt>>()?;
        out.push(LabIntegration {
            id: LabIntegrationId(parse_id(&row.id, "integration id")?),
            name: row.name,
            accounts,
            active: row.active,
            sealed_secret: row.sealed_secret,
            created_at: from_ts(row.created_at),
            updated_at: from_ts(row.updated_at),
        });
    }
    Ok(out)
}

#[async_trait]
impl LabIntegrationRepository for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert(&self, integration: &LabIntegration) -> Result<(), RepoError> {
        let row = IntegrationRow::from(integration);
        let accounts: Vec<String> = integration.accounts.iter().map(|a| id(a.0)).collect();
        self.transaction(move |conn| {
            diesel::insert_into(lab_integrations::table)
                .values(&row)
                .execute(conn)?;
            for account in &accounts {
                let live: i64 = accounts::table
                    .filter(accounts::id.eq(account))
                    .filter(accounts::deleted_at.is_null())
                    .count()
                    .get_result(conn)?;
                found(usize::try_from(live).unwrap_or(0))?;
                diesel::insert_into(lab_integration_accounts::table)
                    .values((
                        lab_integration_accounts::integration_id.eq(&row.id),
                        lab_integration_accounts::account_id.eq(account),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(integration = %iid))]
    async fn get(&self, iid: LabIntegrationId) -> Result<LabIntegration, RepoError> {
        let iid = id(iid.0);
        self.run(move |conn| {
            let row: IntegrationRow = lab_integrations::table
                .filter(lab_integrations::id.eq(&iid))
                .select(IntegrationRow::as_select())
                .first(conn)?;
            Ok(with_accounts(conn, vec![row])?
                .pop()
                .ok_or(Corrupt("integration"))?)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list(&self) -> Result<Vec<LabIntegration>, RepoError> {
        self.run(move |conn| {
            let rows: Vec<IntegrationRow> = lab_integrations::table
                .order((
                    lab_integrations::created_at.asc(),
                    lab_integrations::id.asc(),
                ))
                .select(IntegrationRow::as_select())
                .load(conn)?;
            with_accounts(conn, rows)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(integration = %integration.id))]
    async fn update(&self, integration: &LabIntegration) -> Result<(), RepoError> {
        let row = IntegrationRow::from(integration);
        self.transaction(move |conn| {
            let n =
                diesel::update(lab_integrations::table.filter(lab_integrations::id.eq(&row.id)))
                    .set((
                        lab_integrations::name.eq(&row.name),
                        lab_integrations::sealed_secret.eq(&row.sealed_secret),
                        lab_integrations::active.eq(row.active),
                        lab_integrations::updated_at.eq(row.updated_at),
                    ))
                    .execute(conn)?;
            found(n)
        })
        .await
    }
}
