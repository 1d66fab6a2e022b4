//! `TokenStore`: refresh tokens (rotation with reuse detection), denied jtis, reset tokens.

use super::revoke_refresh_of_user;
use crate::Database;
use crate::convert::{id, parse_id, ts};
use crate::schema::{denied_jtis, password_reset_tokens, refresh_tokens, users};
use crate::sql::is_unique_violation;
use async_trait::async_trait;
use diesel::prelude::*;
use genascope_domain::common::{RepoError, Timestamp, UserId};
use genascope_domain::identity::ports::{RefreshTokenRecord, ResetLink, Rotation, TokenStore};
use time::PrimitiveDateTime;

/// A refresh token to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens, treat_none_as_default_value = false)]
struct NewRefreshRow {
    id: String,
    user_id: String,
    family_id: String,
    token_digest: String,
    created_at: PrimitiveDateTime,
    expires_at: PrimitiveDateTime,
    used_at: Option<PrimitiveDateTime>,
    revoked_at: Option<PrimitiveDateTime>,
}

impl From<&RefreshTokenRecord> for NewRefreshRow {
    fn from(t: &RefreshTokenRecord) -> Self {
        Self {
            id: id(t.id),
            user_id: id(t.user_id.0),
            family_id: id(t.family_id),
            token_digest: t.token_digest.clone(),
            created_at: ts(t.created_at),
            expires_at: ts(t.expires_at),
            used_at: None,
            revoked_at: None,
        }
    }
}

#[async_trait]
impl TokenStore for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_refresh(&self, token: &RefreshTokenRecord) -> Result<(), RepoError> {
        let row = NewRefreshRow::from(token);
        self.write(move |conn| {
            diesel::insert_into(refresh_tokens::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn rotate_refresh(
        &self,
        digest: &str,
        now: Timestamp,
        next: &RefreshTokenRecord,
    ) -> Result<Rotation, RepoError> {
        let digest = digest.to_owned();
        let now = ts(now);
        let mut next = NewRefreshRow::from(next);
        self.transaction(move |conn| {
            // Every transaction that rotates or revokes a user's refresh tokens first takes that
            // user's row lock (a no-op update, portable): concurrent presentations of one token
            // then run one after the other, so the claim below sees the winner's commit and the
            // losers' family revocation cannot deadlock against it. On SQLite this is also the
            // statement that takes the write lock before anything is read (one write statement:
            // a read first could leave a stale snapshot that cannot be upgraded to a write).
            let owner = refresh_tokens::table
                .filter(refresh_tokens::token_digest.eq(&digest))
                .select(refresh_tokens::user_id)
                .single_value();
            diesel::update(users::table.filter(users::id.nullable().eq(owner)))
                .set(users::id.eq(users::id))
                .execute(conn)?;
            let claimed = diesel::update(
                refresh_tokens::table
                    .filter(refresh_tokens::token_digest.eq(&digest))
                    .filter(refresh_tokens::used_at.is_null())
                    .filter(refresh_tokens::revoked_at.is_null())
                    .filter(refresh_tokens::expires_at.gt(now)),
            )
            .set(refresh_tokens::used_at.eq(now))
            .execute(conn)?;
            let row: Option<(
                String,
                String,
                Option<PrimitiveDateTime>,
                Option<PrimitiveDateTime>,
            )> = refresh_tokens::table
                .filter(refresh_tokens::token_digest.eq(&digest))
                .select((
                    refresh_tokens::user_id,
                    refresh_tokens::family_id,
                    refresh_tokens::used_at,
                    refresh_tokens::revoked_at,
                ))
                .first(conn)
                .optional()?;
            let Some((user, family, used_at, revoked_at)) = row else {
                return Ok(Rotation::Invalid);
            };
            if claimed == 1 {
                // The next token continues this family and belongs to this user, whatever the
                // caller put there.
                next.user_id.clone_from(&user);
                next.family_id = family;
                diesel::insert_into(refresh_tokens::table)
                    .values(&next)
                    .execute(conn)?;
                return Ok(Rotation::Rotated(UserId(parse_id(&user, "user id")?)));
            }
            if used_at.is_some() {
                // Reuse of a token already rotated: assume theft, end every session of the user.
                revoke_refresh_of_user(conn, &user, now)?;
                return Ok(Rotation::Reused);
            }
            // Revoked without ever being used (a logout, a password or email change ended its
            // session): refused, and nothing else is touched — an old device presenting it must
            // not end the sessions opened since.
            let _ = revoked_at;
            Ok(Rotation::Invalid)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %user))]
    async fn revoke_refresh(
        &self,
        user: UserId,
        digest: &str,
        at: Timestamp,
    ) -> Result<(), RepoError> {
        let user = id(user.0);
        let digest = digest.to_owned();
        let at = ts(at);
        self.write(move |conn| {
            diesel::update(
                refresh_tokens::table
                    .filter(refresh_tokens::user_id.eq(user))
                    .filter(refresh_tokens::token_digest.eq(digest))
                    .filter(refresh_tokens::revoked_at.is_null()),
            )
            .set(refresh_tokens::revoked_at.eq(at))
            .execute(conn)?;
            Ok(())
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %user))]
    async fn revoke_other_sessions(
        &self,
        user: UserId,
        keep: uuid::Uuid,
        at: Timestamp,
    ) -> Result<(), RepoError> {
        let (user, keep, at) = (id(user.0), Families::AllBut(id(keep)), ts(at));
        self.write(move |conn| revoke_families(conn, &user, &keep, at))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn refresh_family(&self, digest: &str) -> Result<Option<uuid::Uuid>, RepoError> {
        let digest = digest.to_owned();
        self.run(move |conn| {
            let family: Option<String> = refresh_tokens::table
                .filter(refresh_tokens::token_digest.eq(digest))
                .select(refresh_tokens::family_id)
                .first(conn)
                .optional()?;
            family
                .map(|f| parse_id(&f, "refresh family").map_err(Into::into))
                .transpose()
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %user))]
    async fn revoke_family(
        &self,
        user: UserId,
        family: uuid::Uuid,
        at: Timestamp,
    ) -> Result<(), RepoError> {
        let (user, family, at) = (id(user.0), Families::Only(id(family)), ts(at));
        self.write(move |conn| revoke_families(conn, &user, &family, at))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %user))]
    async fn revoke_all_refresh(&self, user: UserId, at: Timestamp) -> Result<(), RepoError> {
        let user = id(user.0);
        let at = ts(at);
        self.write(move |conn| revoke_refresh_of_user(conn, &user, at).map(|_| ()))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn deny_jti(
        &self,
        jti: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), RepoError> {
        let jti = jti.to_owned();
        let (expires_at, now) = (ts(expires_at), ts(now));
        self.write(move |conn| {
            // A denied token past its own expiry (plus the verifier's clock leeway, with margin)
            // is refused by its `exp` anyway.
            let purge_before = now - time::Duration::minutes(5);
            diesel::delete(denied_jtis::table.filter(denied_jtis::expires_at.lt(purge_before)))
                .execute(conn)?;
            // Denying twice is fine (no ON CONFLICT: it is not portable). Not in a
            // transaction, so a failed insert does not poison anything on PostgreSQL.
            match diesel::insert_into(denied_jtis::table)
                .values((
                    denied_jtis::jti.eq(jti),
                    denied_jtis::expires_at.eq(expires_at),
                ))
                .execute(conn)
            {
                Ok(_) => Ok(()),
                Err(e) if is_unique_violation(&e) => Ok(()),
                Err(e) => Err(e),
            }
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %user))]
    async fn insert_reset(&self, user: UserId, link: &ResetLink) -> Result<(), RepoError> {
        let user = id(user.0);
        let link = link.clone();
        let queued = link.mail.is_some();
        self.transaction(move |conn| insert_reset_link(conn, &user, &link))
            .await?;
        if queued {
            self.outbox_queued();
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %user))]
    async fn revoke_resets(&self, user: UserId, at: Timestamp) -> Result<(), RepoError> {
        let (user, at) = (id(user.0), ts(at));
        self.write(move |conn| super::spend_resets_of_user(conn, &user, at).map(|_| ()))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn reset_owner(&self, digest: &str, now: Timestamp) -> Result<Option<UserId>, RepoError> {
        let digest = digest.to_owned();
        let now = ts(now);
        self.run(move |conn| {
            let user: Option<String> = password_reset_tokens::table
                .filter(password_reset_tokens::token_digest.eq(&digest))
                .filter(password_reset_tokens::used_at.is_null())
                .filter(password_reset_tokens::expires_at.gt(now))
                .select(password_reset_tokens::user_id)
                .first(conn)
                .optional()?;
            Ok(user
                .map(|u| parse_id(&u, "user id"))
                .transpose()?
                .map(UserId))
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn consume_reset(
        &self,
        digest: &str,
        now: Timestamp,
    ) -> Result<Option<UserId>, RepoError> {
        let digest = digest.to_owned();
        let now = ts(now);
        self.transaction(move |conn| {
            // Claim first (single use even under concurrency), then read whose it was.
            let claimed = diesel::update(
                password_reset_tokens::table
                    .filter(password_reset_tokens::token_digest.eq(&digest))
                    .filter(password_reset_tokens::used_at.is_null())
                    .filter(password_reset_tokens::expires_at.gt(now)),
            )
            .set(password_reset_tokens::used_at.eq(now))
            .execute(conn)?;
            if claimed == 0 {
                return Ok(None);
            }
            let user: String = password_reset_tokens::table
                .filter(password_reset_tokens::token_digest.eq(&digest))
                .select(password_reset_tokens::user_id)
                .first(conn)?;
            Ok(Some(UserId(parse_id(&user, "user id")?)))
        })
        .await
    }
}

/// Store a reset link and queue its email, on `conn` (inside the caller's transaction).
pub(crate) fn insert_reset_link(
    conn: &mut crate::DbConnection,
    user: &str,
    link: &ResetLink,
) -> QueryResult<()> {
    diesel::insert_into(password_reset_tokens::table)
        .values((
            password_reset_tokens::token_digest.eq(&link.digest),
            password_reset_tokens::user_id.eq(user),
            password_reset_tokens::created_at.eq(ts(link.created_at)),
            password_reset_tokens::expires_at.eq(ts(link.expires_at)),
            password_reset_tokens::used_at.eq(None::<PrimitiveDateTime>),
        ))
        .execute(conn)?;
    if let Some(mail) = &link.mail {
        crate::notify::enqueue_email(conn, mail, link.created_at)?;
    }
    Ok(())
}

/// Which of a user's refresh-token families (sessions) to revoke.
enum Families {
    /// One session (logout).
    Only(String),
    /// Every session but this one (a self email change).
    AllBut(String),
}

/// Revoke the live refresh tokens of `user` in the families `which` names.
fn revoke_families(
    conn: &mut crate::DbConnection,
    user: &str,
    which: &Families,
    at: PrimitiveDateTime,
) -> QueryResult<()> {
    let live = refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(user))
        .filter(refresh_tokens::revoked_at.is_null());
    let revoked = refresh_tokens::revoked_at.eq(at);
    match which {
        Families::Only(f) => diesel::update(live.filter(refresh_tokens::family_id.eq(f)))
            .set(revoked)
            .execute(conn)?,
        Families::AllBut(f) => diesel::update(live.filter(refresh_tokens::family_id.ne(f)))
            .set(revoked)
            .execute(conn)?,
    };
    Ok(())
}
