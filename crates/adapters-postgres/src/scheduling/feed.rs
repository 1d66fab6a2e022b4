//! Calendar-feed tokens: one digest per clinician (`calendar_feed_tokens`), replaced on each
//! new token, readable only while the clinician and its account are live and active.

use crate::DbConnection;
use crate::audit::write_entries;
use crate::convert::{id, ts};
use crate::schema::{accounts, calendar_feed_tokens, users};
use crate::sql::Corrupt;
use diesel::prelude::*;
use genascope_domain::common::UserId;
use genascope_domain::scheduling::ports::NewFeedToken;

/// The clinician's token digest, if it has one and may still use it.
pub(super) fn read(conn: &mut DbConnection, clinician: UserId) -> QueryResult<Option<[u8; 32]>> {
    let stored: Option<Vec<u8>> = calendar_feed_tokens::table
        .inner_join(users::table.on(users::id.eq(calendar_feed_tokens::user_id)))
        .inner_join(accounts::table.on(users::account_id.eq(accounts::id.nullable())))
        .filter(calendar_feed_tokens::user_id.eq(id(clinician.0)))
        .filter(users::deleted_at.is_null())
        .filter(users::is_active.eq(true))
        .filter(accounts::deleted_at.is_null())
        .filter(accounts::status.eq("active"))
        .select(calendar_feed_tokens::token_hash)
        .first(conn)
        .optional()?;
    stored
        .map(|d| <[u8; 32]>::try_from(d).map_err(|_| Corrupt("feed token digest").into()))
        .transpose()
}

/// Replace the clinician's token and write its audit entry (inside the caller's transaction).
pub(super) fn replace(conn: &mut DbConnection, t: &NewFeedToken) -> QueryResult<()> {
    let user = id(t.clinician.0);
    diesel::delete(calendar_feed_tokens::table.find(&user)).execute(conn)?;
    diesel::insert_into(calendar_feed_tokens::table)
        .values((
            calendar_feed_tokens::user_id.eq(&user),
            calendar_feed_tokens::token_hash.eq(t.digest.to_vec()),
            calendar_feed_tokens::created_by.eq(Some(id(t.created_by.0))),
            calendar_feed_tokens::created_at.eq(ts(t.created_at)),
        ))
        .execute(conn)?;
    write_entries(conn, std::slice::from_ref(&t.audit))
}
