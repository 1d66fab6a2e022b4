//! Identity storage: accounts, users, refresh/reset tokens and denied access-token ids, and the
//! login throttles (`throttle`).

mod account_repository;
pub(crate) mod principals;
mod throttle;
mod token_store;

pub use throttle::{DbLoginThrottle, IN_FLIGHT_TTL, PRUNE_EVERY};

pub(crate) use token_store::insert_reset_link;
mod user_repository;
pub(crate) use user_repository::insert_user;

use crate::convert::{from_ts, id, parse_id, ts};
use crate::schema::{accounts, users};
use crate::sql::Corrupt;
use diesel::prelude::*;
use genascope_domain::common::{AccountId, UserId};
use genascope_domain::identity::model::{Account, AccountStatus, Credentials, Email, Role, User};
use genascope_domain::identity::ports::NewUser;
use time::PrimitiveDateTime;

/// A live account as read.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub(crate) struct AccountRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) domain: Option<String>,
    pub(crate) status: String,
    pub(crate) created_at: PrimitiveDateTime,
    pub(crate) updated_at: PrimitiveDateTime,
}

impl AccountRow {
    /// The account, with its stored time zone (`account_settings.time_zone`, `UTC` when none).
    pub(crate) fn into_domain(self, time_zone: Option<String>) -> Result<Account, Corrupt> {
        let status = self.status()?;
        Ok(Account {
            id: AccountId(parse_id(&self.id, "account id")?),
            name: self.name,
            domain: self.domain,
            status,
            time_zone: crate::scheduling::stored_zone(time_zone),
            created_at: from_ts(self.created_at),
            updated_at: from_ts(self.updated_at),
        })
    }

    pub(crate) fn status(&self) -> Result<AccountStatus, Corrupt> {
        AccountStatus::parse(&self.status).ok_or(Corrupt("account status"))
    }
}

/// An account to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = accounts, treat_none_as_default_value = false)]
pub(crate) struct NewAccountRow {
    pub(crate) id: String,
    name: String,
    domain: Option<String>,
    status: String,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
}

impl From<&Account> for NewAccountRow {
    fn from(a: &Account) -> Self {
        Self {
            id: id(a.id.0),
            name: a.name.clone(),
            domain: a.domain.clone(),
            status: a.status.as_str().to_owned(),
            created_at: ts(a.created_at),
            updated_at: ts(a.updated_at),
        }
    }
}

/// A user with its credential, as read.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub(crate) struct UserRow {
    pub(crate) id: String,
    pub(crate) account_id: Option<String>,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) role: String,
    pub(crate) is_active: bool,
    pub(crate) clinician_id: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) password_hash: Option<String>,
    pub(crate) password_changed_at: Option<PrimitiveDateTime>,
    pub(crate) created_at: PrimitiveDateTime,
    pub(crate) updated_at: PrimitiveDateTime,
}

impl UserRow {
    pub(crate) fn into_credentials(self) -> Result<Credentials, Corrupt> {
        let password_hash = self.password_hash.clone();
        let password_changed_at = self.password_changed_at.map(from_ts);
        Ok(Credentials {
            user: self.into_user()?,
            password_hash,
            password_changed_at,
        })
    }

    pub(crate) fn into_user(self) -> Result<User, Corrupt> {
        Ok(User {
            id: UserId(parse_id(&self.id, "user id")?),
            account_id: self
                .account_id
                .as_deref()
                .map(|a| parse_id(a, "account id").map(AccountId))
                .transpose()?,
            email: Email::from_trusted(self.email),
            name: self.name,
            first_name: self.first_name,
            last_name: self.last_name,
            role: Role::parse(&self.role).ok_or(Corrupt("role"))?,
            is_active: self.is_active,
            clinician_id: self
                .clinician_id
                .as_deref()
                .map(|c| parse_id(c, "clinician id").map(UserId))
                .transpose()?,
            phone: self.phone,
            created_at: from_ts(self.created_at),
            updated_at: from_ts(self.updated_at),
        })
    }
}

/// A user to insert (also every column of a revived patient login).
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = users, treat_none_as_default_value = false, treat_none_as_null = true)]
pub(crate) struct NewUserRow {
    pub(crate) id: String,
    account_id: Option<String>,
    email: String,
    name: String,
    first_name: String,
    last_name: String,
    pub(crate) role: String,
    is_active: bool,
    clinician_id: Option<String>,
    phone: Option<String>,
    password_hash: Option<String>,
    password_changed_at: Option<PrimitiveDateTime>,
    pub(crate) created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
}

impl From<&NewUser> for NewUserRow {
    fn from(n: &NewUser) -> Self {
        let u = &n.user;
        Self {
            id: id(u.id.0),
            account_id: u.account_id.map(|a| id(a.0)),
            email: u.email.as_str().to_owned(),
            name: u.name.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            role: u.role.as_str().to_owned(),
            is_active: u.is_active,
            clinician_id: u.clinician_id.map(|c| id(c.0)),
            phone: u.phone.clone(),
            password_hash: n.password_hash.clone(),
            password_changed_at: None,
            created_at: ts(u.created_at),
            updated_at: ts(u.updated_at),
        }
    }
}

/// Revoke every live (unrevoked) refresh token of one user.
/// Spend every unused password-reset link of a user (part of the caller's transaction).
pub(crate) fn spend_resets_of_user(
    conn: &mut crate::DbConnection,
    user: &str,
    at: PrimitiveDateTime,
) -> QueryResult<usize> {
    use crate::schema::password_reset_tokens::dsl as pr;
    diesel::update(
        pr::password_reset_tokens
            .filter(pr::user_id.eq(user))
            .filter(pr::used_at.is_null()),
    )
    .set(pr::used_at.eq(at))
    .execute(conn)
}

pub(crate) fn revoke_refresh_of_user(
    conn: &mut crate::DbConnection,
    user: &str,
    at: PrimitiveDateTime,
) -> QueryResult<usize> {
    use crate::schema::refresh_tokens::dsl as rt;
    use crate::schema::users::dsl as u;
    // Take the user's row lock first (a no-op update works on both backends): concurrent
    // revocations of one user (e.g. a refresh token replayed several times at once) then queue
    // behind each other instead of locking token rows in different orders and deadlocking.
    diesel::update(u::users.filter(u::id.eq(user)))
        .set(u::id.eq(u::id))
        .execute(conn)?;
    diesel::update(
        rt::refresh_tokens
            .filter(rt::user_id.eq(user))
            .filter(rt::revoked_at.is_null()),
    )
    .set(rt::revoked_at.eq(at))
    .execute(conn)
}
