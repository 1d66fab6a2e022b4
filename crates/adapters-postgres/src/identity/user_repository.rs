//! `UserRepository`.

use super::{
    AccountRow, NewUserRow, UserRow, insert_reset_link, revoke_refresh_of_user,
    spend_resets_of_user,
};
use crate::convert::{from_ts, id, ts};
use crate::schema::{accounts, denied_jtis, refresh_tokens, users};
use crate::sql::{LIKE_ESCAPE, contains_pattern, found, lower};
use crate::{Database, DbConnection};
use async_trait::async_trait;
use diesel::dsl::exists;
use diesel::prelude::*;
use genascope_domain::common::{AccountId, RepoError, Timestamp, UserId};
use genascope_domain::identity::model::{AccountStatus, Credentials, Email, Role, User};
use genascope_domain::identity::ports::{
    NewUser, Page, PrincipalRecord, ResetLink, UserFilter, UserRepository,
};
use genascope_domain::notify::OutgoingEmail;
use time::PrimitiveDateTime;

/// The columns a user update writes: those that changed (`None` = leave the column alone).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = users)]
struct UserChanges {
    account_id: Option<Option<String>>,
    email: Option<String>,
    name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    role: Option<String>,
    is_active: Option<bool>,
    clinician_id: Option<Option<String>>,
    phone: Option<Option<String>>,
    updated_at: PrimitiveDateTime,
}

impl UserChanges {
    fn between(old: &User, new: &User) -> Self {
        fn changed<T: PartialEq, S>(old: &T, new: &T, to: impl FnOnce(&T) -> S) -> Option<S> {
            (old != new).then(|| to(new))
        }
        let opt_id = |v: &Option<uuid::Uuid>| v.map(id);
        Self {
            account_id: changed(
                &old.account_id.map(|a| a.0),
                &new.account_id.map(|a| a.0),
                opt_id,
            ),
            email: changed(&old.email, &new.email, |e| e.as_str().to_owned()),
            name: changed(&old.name, &new.name, Clone::clone),
            first_name: changed(&old.first_name, &new.first_name, Clone::clone),
            last_name: changed(&old.last_name, &new.last_name, Clone::clone),
            role: changed(&old.role, &new.role, |r| r.as_str().to_owned()),
            is_active: changed(&old.is_active, &new.is_active, |b| *b),
            clinician_id: changed(
                &old.clinician_id.map(|c| c.0),
                &new.clinician_id.map(|c| c.0),
                opt_id,
            ),
            phone: changed(&old.phone, &new.phone, Clone::clone),
            updated_at: ts(new.updated_at),
        }
    }
}

/// Insert a user row, and its set-password link with that link's email, on `conn` (inside the
/// caller's transaction). A patient's login shares the patient's id, so a deleted login would
/// block every new one for that patient (issue #6 item 15): the deleted row is revived with the
/// new values instead; the old login's refresh families were revoked when it was deleted, so none
/// of its tokens is valid for the new one.
pub(crate) fn insert_user(
    conn: &mut DbConnection,
    user: &NewUserRow,
    setup: Option<&ResetLink>,
) -> QueryResult<()> {
    let revived = user.role == "patient"
        && diesel::update(
            users::table
                .filter(users::id.eq(&user.id))
                .filter(users::role.eq("patient"))
                .filter(users::deleted_at.is_not_null()),
        )
        .set((user, users::deleted_at.eq(None::<PrimitiveDateTime>)))
        .execute(conn)?
            > 0;
    if !revived {
        diesel::insert_into(users::table)
            .values(user)
            .execute(conn)?;
    }
    if let Some(link) = setup {
        insert_reset_link(conn, &user.id, link)?;
    }
    Ok(())
}

#[async_trait]
impl UserRepository for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert(&self, user: &NewUser, setup: Option<ResetLink>) -> Result<(), RepoError> {
        let user = NewUserRow::from(user);
        let queued = setup.as_ref().is_some_and(|l| l.mail.is_some());
        self.transaction(move |conn| insert_user(conn, &user, setup.as_ref()))
            .await?;
        if queued {
            self.outbox_queued();
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %user))]
    async fn get(&self, user: UserId) -> Result<User, RepoError> {
        let user = id(user.0);
        self.run(move |conn| {
            let row: UserRow = live()
                .filter(users::id.eq(user))
                .filter(in_live_account())
                .select(UserRow::as_select())
                .first(conn)?;
            Ok(row.into_user()?)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn credentials_by_email(&self, email: &Email) -> Result<Option<Credentials>, RepoError> {
        let email = email.as_str().to_owned();
        self.run(move |conn| {
            let row: Option<UserRow> = live()
                .filter(users::email.eq(email))
                .select(UserRow::as_select())
                .first(conn)
                .optional()?;
            Ok(row.map(UserRow::into_credentials).transpose()?)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %user))]
    async fn credentials(&self, user: UserId) -> Result<Credentials, RepoError> {
        let user = id(user.0);
        self.run(move |conn| {
            let row: UserRow = live()
                .filter(users::id.eq(user))
                .select(UserRow::as_select())
                .first(conn)?;
            Ok(row.into_credentials()?)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %user))]
    async fn principal(
        &self,
        user: UserId,
        jti: &str,
        session: Option<uuid::Uuid>,
    ) -> Result<PrincipalRecord, RepoError> {
        let user = id(user.0);
        let jti = jti.to_owned();
        let family = session.map(id).unwrap_or_default();
        self.run(move |conn| {
            // One round trip: the user, its live account (if any), the jti check and whether the
            // token's session still has an unrevoked refresh token.
            let (row, account, denied, open): (UserRow, Option<AccountRow>, bool, bool) = live()
                .left_join(
                    accounts::table.on(accounts::id
                        .nullable()
                        .eq(users::account_id)
                        .and(accounts::deleted_at.is_null())),
                )
                .filter(users::id.eq(user))
                .select((
                    UserRow::as_select(),
                    Option::<AccountRow>::as_select(),
                    exists(denied_jtis::table.filter(denied_jtis::jti.eq(jti))),
                    exists(
                        refresh_tokens::table
                            .filter(refresh_tokens::family_id.eq(family))
                            .filter(refresh_tokens::revoked_at.is_null()),
                    ),
                ))
                .first(conn)?;
            let password_changed_at = row.password_changed_at.map(from_ts);
            let user = row.into_user()?;
            let live_account = account
                .map(|a| a.status().map(|status| (status, a.name)))
                .transpose()?;
            let account_active = match (&user.account_id, &live_account) {
                (None, _) => true,
                (Some(_), Some((status, _))) => *status == AccountStatus::Active,
                (Some(_), None) => false,
            };
            Ok(PrincipalRecord {
                user,
                password_changed_at,
                session_live: session.is_none() || open,
                account_active,
                account_name: live_account.map(|(_, name)| name),
                jti_denied: denied,
            })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list(&self, filter: &UserFilter, page: Page) -> Result<Vec<User>, RepoError> {
        let account = filter.account_id.map(|a| id(a.0));
        let roles: Vec<&'static str> = filter.roles.iter().map(|r| r.as_str()).collect();
        let search = filter.search.as_deref().map(contains_pattern);
        let is_active = filter.is_active;
        self.run(move |conn| {
            let mut q = live()
                .filter(in_live_account())
                .select(UserRow::as_select())
                .into_boxed();
            if let Some(account) = account {
                q = q.filter(users::account_id.eq(account));
            }
            if !roles.is_empty() {
                q = q.filter(users::role.eq_any(roles));
            }
            if let Some(pattern) = search {
                q = q.filter(
                    lower(users::name)
                        .like(lower(pattern.clone()))
                        .escape(LIKE_ESCAPE)
                        .or(lower(users::email).like(lower(pattern)).escape(LIKE_ESCAPE)),
                );
            }
            if let Some(active) = is_active {
                q = q.filter(users::is_active.eq(active));
            }
            let rows: Vec<UserRow> = q
                .order((lower(users::name).asc(), users::id.asc()))
                .offset(i64::from(page.offset))
                .limit(i64::from(page.limit))
                .load(conn)?;
            rows.into_iter()
                .map(|r| r.into_user().map_err(Into::into))
                .collect()
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update(
        &self,
        previous: &User,
        user: &User,
        notice: Option<OutgoingEmail>,
    ) -> Result<(), RepoError> {
        let changes = UserChanges::between(previous, user);
        let at = user.updated_at;
        let queued = notice.is_some();
        let user_id = id(user.id.0);
        let still_admin =
            user.role == Role::Admin && user.is_active && user.account_id == previous.account_id;
        let guard = (previous.role == Role::Admin && previous.is_active && !still_admin)
            .then(|| previous.account_id.map(|a| id(a.0)))
            .flatten();
        self.transaction(move |conn| {
            if let Some(account) = &guard
                && !another_active_admin(conn, account, &user_id)?
            {
                return Ok(Err(RepoError::Conflict(LAST_ADMIN)));
            }
            let n = diesel::update(live().filter(users::id.eq(&user_id)))
                .set(&changes)
                .execute(conn)?;
            found(n)?;
            if let Some(notice) = &notice {
                crate::notify::enqueue_email(conn, notice, at)?;
            }
            Ok(Ok(()))
        })
        .await??;
        if queued {
            self.outbox_queued();
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %user))]
    async fn set_password(&self, user: UserId, hash: &str, at: Timestamp) -> Result<(), RepoError> {
        let user = id(user.0);
        let hash = hash.to_owned();
        let at = ts(at);
        self.transaction(move |conn| {
            let n = diesel::update(live().filter(users::id.eq(&user)))
                .set((
                    users::password_hash.eq(hash),
                    users::password_changed_at.eq(at),
                    users::updated_at.eq(at),
                ))
                .execute(conn)?;
            found(n)?;
            revoke_refresh_of_user(conn, &user, at)?;
            spend_resets_of_user(conn, &user, at)?;
            Ok(())
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %user))]
    async fn soft_delete(&self, user: UserId, at: Timestamp) -> Result<(), RepoError> {
        let user = id(user.0);
        let at = ts(at);
        self.transaction(move |conn| {
            let row: Option<(Option<String>, String, bool)> = live()
                .filter(users::id.eq(&user))
                .select((users::account_id, users::role, users::is_active))
                .first(conn)
                .optional()?;
            let Some((account, role, active)) = row else {
                return Err(diesel::result::Error::NotFound);
            };
            if let Some(account) = account.filter(|_| active && role == Role::Admin.as_str())
                && !another_active_admin(conn, &account, &user)?
            {
                return Ok(Err(RepoError::Conflict(LAST_ADMIN)));
            }
            let n = diesel::update(live().filter(users::id.eq(&user)))
                .set((
                    users::is_active.eq(false),
                    users::deleted_at.eq(at),
                    users::updated_at.eq(at),
                ))
                .execute(conn)?;
            found(n)?;
            revoke_refresh_of_user(conn, &user, at)?;
            spend_resets_of_user(conn, &user, at)?;
            Ok(Ok(()))
        })
        .await?
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account))]
    async fn count_active_admins(&self, account: AccountId) -> Result<u64, RepoError> {
        let account = id(account.0);
        self.run(move |conn| {
            let n: i64 = live()
                .filter(users::account_id.eq(account))
                .filter(users::role.eq(Role::Admin.as_str()))
                .filter(users::is_active.eq(true))
                .count()
                .get_result(conn)?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }
}

/// The rule `Conflict` names when the account would be left without an active admin.
const LAST_ADMIN: &str = "last_admin";

/// Is there an active admin of `account` other than `user`? Takes the account row's lock first
/// (a no-op update, portable), so that two changes that each remove an admin of one account run
/// one after the other and the second sees the first: the account always keeps an admin.
fn another_active_admin(
    conn: &mut crate::DbConnection,
    account: &str,
    user: &str,
) -> QueryResult<bool> {
    diesel::update(accounts::table.filter(accounts::id.eq(account)))
        .set(accounts::id.eq(accounts::id))
        .execute(conn)?;
    let others: i64 = live()
        .filter(users::account_id.eq(account))
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::is_active.eq(true))
        .filter(users::id.ne(user))
        .count()
        .get_result(conn)?;
    Ok(others > 0)
}

/// A super_admin (no account), or a user whose account is not deleted: a deleted account's users
/// are kept for retention but shown to nobody.
#[diesel::dsl::auto_type(no_type_alias)]
fn in_live_account() -> _ {
    users::account_id.is_null().or(exists(
        accounts::table
            .filter(accounts::id.eq(users::account_id.assume_not_null()))
            .filter(accounts::deleted_at.is_null()),
    ))
}

/// Live (not soft-deleted) users.
fn live() -> diesel::dsl::Filter<users::table, diesel::dsl::IsNull<users::deleted_at>> {
    users::table.filter(users::deleted_at.is_null())
}
