//! Invite storage: rows and their conversions; the queries are in `repository`.

mod grants;
mod repository;

pub(crate) use repository::{invite_summaries, revoke_invites_of_patient};

use crate::convert::{from_ts, id, parse_id, ts};
use crate::schema::invites;
use crate::sql::Corrupt;
use diesel::prelude::*;
use genascope_domain::common::{AccountId, ChatStrategyId, InviteId, PatientId, UserId};
use genascope_domain::invites::model::{CustomMessage, Invite, InviteState, TokenHash};
use genascope_domain::invites::ports::StrategyRef;
use time::PrimitiveDateTime;

/// An invite as stored: read, and inserted.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = invites, treat_none_as_default_value = false)]
pub(crate) struct InviteRow {
    id: String,
    account_id: String,
    patient_id: String,
    provider_id: Option<String>,
    provider_name: Option<String>,
    chat_strategy_id: Option<String>,
    chat_strategy_name: Option<String>,
    custom_message: Option<String>,
    status: String,
    token_hash: Vec<u8>,
    token_gen: i32,
    failed_attempts: i32,
    expires_at: PrimitiveDateTime,
    accepted_at: Option<PrimitiveDateTime>,
    revoked_at: Option<PrimitiveDateTime>,
    created_by: String,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
    version: i32,
}

fn opt_id(s: Option<&str>, what: &'static str) -> Result<Option<uuid::Uuid>, Corrupt> {
    s.map(|s| parse_id(s, what)).transpose()
}

impl InviteRow {
    pub(crate) fn into_domain(self) -> Result<Invite, Corrupt> {
        Ok(Invite {
            id: InviteId(parse_id(&self.id, "invite id")?),
            account_id: AccountId(parse_id(&self.account_id, "account id")?),
            patient_id: PatientId(parse_id(&self.patient_id, "patient id")?),
            provider_id: opt_id(self.provider_id.as_deref(), "provider id")?.map(UserId),
            provider_name: self.provider_name,
            chat_strategy_id: opt_id(self.chat_strategy_id.as_deref(), "strategy id")?
                .map(ChatStrategyId),
            chat_strategy_name: self.chat_strategy_name,
            custom_message: self.custom_message.map(CustomMessage::from_trusted),
            state: InviteState::parse(&self.status).ok_or(Corrupt("invite status"))?,
            token_hash: TokenHash::from_slice(&self.token_hash).ok_or(Corrupt("token hash"))?,
            token_gen: self.token_gen,
            failed_attempts: self.failed_attempts,
            expires_at: from_ts(self.expires_at),
            accepted_at: self.accepted_at.map(from_ts),
            revoked_at: self.revoked_at.map(from_ts),
            created_by: UserId(parse_id(&self.created_by, "creator id")?),
            created_at: from_ts(self.created_at),
            updated_at: from_ts(self.updated_at),
            version: self.version,
        })
    }
}

impl InviteRow {
    /// Name this strategy (or none) on the row.
    pub(crate) fn set_strategy(&mut self, strategy: Option<&StrategyRef>) {
        self.chat_strategy_id = strategy.map(|s| id(s.id.0));
        self.chat_strategy_name = strategy.map(|s| s.name.clone());
    }
}

impl From<&Invite> for InviteRow {
    fn from(i: &Invite) -> Self {
        Self {
            id: id(i.id.0),
            account_id: id(i.account_id.0),
            patient_id: id(i.patient_id.0),
            provider_id: i.provider_id.map(|p| id(p.0)),
            provider_name: i.provider_name.clone(),
            chat_strategy_id: i.chat_strategy_id.map(|s| id(s.0)),
            chat_strategy_name: i.chat_strategy_name.clone(),
            custom_message: i.custom_message.as_ref().map(|m| m.as_str().to_owned()),
            status: i.state.as_str().to_owned(),
            token_hash: i.token_hash.as_bytes().to_vec(),
            token_gen: i.token_gen,
            failed_attempts: i.failed_attempts,
            expires_at: ts(i.expires_at),
            accepted_at: i.accepted_at.map(ts),
            revoked_at: i.revoked_at.map(ts),
            created_by: id(i.created_by.0),
            created_at: ts(i.created_at),
            updated_at: ts(i.updated_at),
            version: i.version,
        }
    }
}

/// The columns a lifecycle rule changes (resend, revoke, a failed check, accept), all written
/// (`None` = NULL). The version is bumped by the query, not taken from here.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = invites, treat_none_as_null = true)]
pub(crate) struct InviteChanges {
    custom_message: Option<String>,
    status: String,
    token_hash: Vec<u8>,
    token_gen: i32,
    failed_attempts: i32,
    expires_at: PrimitiveDateTime,
    accepted_at: Option<PrimitiveDateTime>,
    revoked_at: Option<PrimitiveDateTime>,
    updated_at: PrimitiveDateTime,
}

impl From<&Invite> for InviteChanges {
    fn from(i: &Invite) -> Self {
        let row = InviteRow::from(i);
        Self {
            custom_message: row.custom_message,
            status: row.status,
            token_hash: row.token_hash,
            token_gen: row.token_gen,
            failed_attempts: row.failed_attempts,
            expires_at: row.expires_at,
            accepted_at: row.accepted_at,
            revoked_at: row.revoked_at,
            updated_at: row.updated_at,
        }
    }
}
