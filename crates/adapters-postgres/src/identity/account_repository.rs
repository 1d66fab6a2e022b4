//! `AccountRepository`.

use super::{AccountRow, NewAccountRow, NewUserRow};
use crate::convert::{id, ts};
use crate::schema::{account_settings, accounts, refresh_tokens, users};
use crate::sql::{LIKE_ESCAPE, contains_pattern, found, lower};
use crate::{Database, DbConnection};
use async_trait::async_trait;
use diesel::prelude::*;
use genascope_domain::common::{AccountId, RepoError, Timestamp};
use genascope_domain::identity::model::Account;
use genascope_domain::identity::ports::{AccountFilter, AccountRepository, NewUser, Page};

#[async_trait]
impl AccountRepository for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_with_admin(&self, account: &Account, admin: &NewUser) -> Result<(), RepoError> {
        let account = NewAccountRow::from(account);
        let admin = NewUserRow::from(admin);
        self.transaction(move |conn| {
            diesel::insert_into(accounts::table)
                .values(&account)
                .execute(conn)?;
            diesel::insert_into(users::table)
                .values(&admin)
                .execute(conn)?;
            Ok(())
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account))]
    async fn get(&self, account: AccountId) -> Result<Account, RepoError> {
        let account = id(account.0);
        self.run(move |conn| {
            let (row, zone): (AccountRow, Option<String>) = with_zone()
                .filter(accounts::id.eq(account))
                .filter(accounts::deleted_at.is_null())
                .select((
                    AccountRow::as_select(),
                    account_settings::time_zone.nullable(),
                ))
                .first(conn)?;
            Ok(row.into_domain(zone)?)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list(&self, filter: &AccountFilter, page: Page) -> Result<Vec<Account>, RepoError> {
        let only = filter.only.map(|a| id(a.0));
        let name = filter.name.as_deref().map(contains_pattern);
        let status = filter.status.map(|s| s.as_str());
        self.run(move |conn| {
            let mut q = with_zone()
                .filter(accounts::deleted_at.is_null())
                .select((
                    AccountRow::as_select(),
                    account_settings::time_zone.nullable(),
                ))
                .into_boxed();
            if let Some(only) = only {
                q = q.filter(accounts::id.eq(only));
            }
            if let Some(pattern) = name {
                q = q.filter(
                    lower(accounts::name)
                        .like(lower(pattern))
                        .escape(LIKE_ESCAPE),
                );
            }
            if let Some(status) = status {
                q = q.filter(accounts::status.eq(status));
            }
            let rows: Vec<(AccountRow, Option<String>)> = q
                .order((lower(accounts::name).asc(), accounts::id.asc()))
                .offset(i64::from(page.offset))
                .limit(i64::from(page.limit))
                .load(conn)?;
            rows.into_iter()
                .map(|(r, zone)| r.into_domain(zone).map_err(Into::into))
                .collect()
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update(&self, account: &Account) -> Result<(), RepoError> {
        let row = NewAccountRow::from(account);
        let zone = account.time_zone.clone();
        self.transaction(move |conn| {
            let n = diesel::update(
                accounts::table
                    .filter(accounts::id.eq(&row.id))
                    .filter(accounts::deleted_at.is_null()),
            )
            .set((
                accounts::name.eq(&row.name),
                accounts::domain.eq(&row.domain),
                accounts::status.eq(&row.status),
                accounts::updated_at.eq(row.updated_at),
            ))
            .execute(conn)?;
            found(n)?;
            crate::scheduling::write_zone(conn, &row.id, &zone)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account))]
    async fn soft_delete(&self, account: AccountId, at: Timestamp) -> Result<(), RepoError> {
        let account = id(account.0);
        let at = ts(at);
        self.transaction(move |conn| {
            let n = diesel::update(
                accounts::table
                    .filter(accounts::id.eq(&account))
                    .filter(accounts::deleted_at.is_null()),
            )
            .set((
                accounts::status.eq("inactive"),
                accounts::deleted_at.eq(at),
                accounts::updated_at.eq(at),
            ))
            .execute(conn)?;
            found(n)?;
            revoke_account_tokens(conn, &account, at)?;
            Ok(())
        })
        .await
    }
}

/// Accounts with their time zone (`account_settings` holds a row only once one was set).
fn with_zone() -> diesel::dsl::LeftJoin<accounts::table, account_settings::table> {
    accounts::table.left_join(account_settings::table)
}

/// Revoke every live refresh token of every user of an account.
fn revoke_account_tokens(
    conn: &mut DbConnection,
    account: &str,
    at: time::PrimitiveDateTime,
) -> QueryResult<usize> {
    let members = users::table
        .filter(users::account_id.eq(account))
        .select(users::id);
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq_any(members))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(at))
    .execute(conn)
}
