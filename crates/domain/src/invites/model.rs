//! Invites (contract §3.4): the record, its statuses, and the values it is built from (expiry,
//! custom message, token and its hash), plus the name matching of the identity check.
//!
//! The lifecycle rules over these types are in [`super::rules`].

use super::error::InviteRefusal;
use crate::common::validate::forbidden_char;
use crate::common::{
    AccountId, ChatStrategyId, InviteId, PatientId, Random, Timestamp, UserId, to_seconds,
};
use crate::identity::model::Email;
use crate::patients::model::ScreeningStatus;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;
use unicode_normalization::UnicodeNormalization;

/// The lifecycle state as stored. `expired` is never stored: it is computed on read from
/// `expires_at` (rule 3, [`Invite::status_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InviteState {
    /// Issued or resent, not yet used or revoked (possibly past its expiry).
    Pending,
    /// Used once by `simplified_access` or `register_patient` (rule 4).
    Accepted,
    /// Revoked by staff, superseded by a newer invite (rule 5), or its patient was deleted.
    Revoked,
}

impl InviteState {
    /// Stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Revoked => "revoked",
        }
    }

    /// A stored name (exact).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "accepted" => Some(Self::Accepted),
            "revoked" => Some(Self::Revoked),
            _ => None,
        }
    }
}

/// The status reported everywhere (responses, filters, sorting): the stored state, with a
/// pending invite at or past its expiry reported `expired`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InviteStatus {
    /// Pending and unexpired: usable.
    Pending,
    /// Used.
    Accepted,
    /// Pending, but `now >= expires_at`.
    Expired,
    /// Revoked.
    Revoked,
}

impl InviteStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [Self::Pending, Self::Accepted, Self::Expired, Self::Revoked];

    /// Wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }

    /// A `status` filter value: case-insensitive, trimmed, with the contract's input aliases
    /// (`completed` → accepted, `cancelled`/`canceled` → revoked). `None` is a 422.
    #[must_use]
    pub fn parse_filter(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" => Some(Self::Pending),
            "accepted" | "completed" => Some(Self::Accepted),
            "expired" => Some(Self::Expired),
            "revoked" | "cancelled" | "canceled" => Some(Self::Revoked),
            _ => None,
        }
    }
}

/// How long an invite stays usable: whole days, 1..=90, default 14 (rule 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExpiryDays(u8);

impl ExpiryDays {
    /// Shortest.
    pub const MIN: u8 = 1;
    /// Longest.
    pub const MAX: u8 = 90;
    /// When the request names none.
    pub const DEFAULT: Self = Self(14);

    /// `days` within 1..=90, else `ExpiryOutOfRange` (the edge has already turned a numeric
    /// string into a number and refused fractions).
    pub fn new(days: i64) -> Result<Self, InviteRefusal> {
        u8::try_from(days)
            .ok()
            .filter(|d| (Self::MIN..=Self::MAX).contains(d))
            .map(Self)
            .ok_or(InviteRefusal::ExpiryOutOfRange)
    }

    /// The number of days.
    #[must_use]
    pub const fn days(self) -> u8 {
        self.0
    }

    /// `now + days`, in whole seconds.
    #[must_use]
    pub fn expires_at(self, now: Timestamp) -> Timestamp {
        to_seconds(now) + time::Duration::days(i64::from(self.0))
    }
}

impl Default for ExpiryDays {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A clinic's note to the patient in the invitation email: plain text (line breaks allowed, no
/// control, zero-width or text-direction characters), trimmed, at most 1000 characters. It is
/// HTML-escaped where the email interpolates it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomMessage(String);

impl CustomMessage {
    /// Longest, in characters.
    pub const MAX_CHARS: usize = 1000;

    /// Validate; blank means no message (`Ok(None)`).
    pub fn parse(raw: &str) -> Result<Option<Self>, InviteRefusal> {
        let s = raw.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(InviteRefusal::MessageTooLong);
        }
        if s.chars().any(|c| forbidden_char(c, true)) {
            return Err(InviteRefusal::MessageCharacters);
        }
        Ok(Some(Self(s.to_owned())))
    }

    /// A message as stored (validated when it was written).
    #[must_use]
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Bytes of randomness in a token (rule 1).
pub const TOKEN_BYTES: usize = 32;

/// Characters of a token: 32 bytes in base64url without padding.
const TOKEN_CHARS: usize = 43;

/// An invite token as sent to the patient: 32 CSPRNG bytes, base64url without padding (43
/// characters). It exists only while a generate, bulk or resend response is built and in the
/// email; only its [`TokenHash`] is stored. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteToken {
    raw: [u8; TOKEN_BYTES],
    text: String,
}

impl InviteToken {
    /// A fresh token from the CSPRNG port.
    #[must_use]
    pub fn generate(random: &dyn Random) -> Self {
        let bytes = random.bytes(TOKEN_BYTES);
        debug_assert_eq!(bytes.len(), TOKEN_BYTES, "Random::bytes returns n bytes");
        let mut raw = [0u8; TOKEN_BYTES];
        for (dst, src) in raw.iter_mut().zip(&bytes) {
            *dst = *src;
        }
        Self::from_bytes(raw)
    }

    /// The token of these bytes.
    #[must_use]
    pub fn from_bytes(raw: [u8; TOKEN_BYTES]) -> Self {
        Self {
            raw,
            text: URL_SAFE_NO_PAD.encode(raw),
        }
    }

    /// A token as presented (trimmed). Anything that is not the canonical base64url encoding of
    /// 32 bytes is `TokenInvalid`, without a lookup.
    pub fn parse(s: &str) -> Result<Self, InviteRefusal> {
        let s = s.trim();
        if s.len() != TOKEN_CHARS {
            return Err(InviteRefusal::TokenInvalid);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| InviteRefusal::TokenInvalid)?;
        let raw: [u8; TOKEN_BYTES] = bytes.try_into().map_err(|_| InviteRefusal::TokenInvalid)?;
        Ok(Self::from_bytes(raw))
    }

    /// The text for the invite URL (`{FRONTEND_BASE_URL}/invite/{token}`). Never log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// What is stored and looked up: SHA-256 of the 32 bytes.
    #[must_use]
    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.raw).into())
    }
}

impl fmt::Debug for InviteToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InviteToken(<redacted>)")
    }
}

/// SHA-256 of an invite token: what storage keeps (unique) and looks invites up by. Equality is
/// constant-time. `Debug` shows no bytes.
#[derive(Clone, Copy)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// From stored bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// From a stored column, `None` when it is not 32 bytes long.
    #[must_use]
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(Self)
    }

    /// The bytes, for storage.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Whether `token` hashes to this, in constant time.
    #[must_use]
    pub fn matches(&self, token: &InviteToken) -> bool {
        *self == token.hash()
    }
}

impl PartialEq for TokenHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for TokenHash {}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(<redacted>)")
    }
}

/// A name as the identity check compares it (contract §3.4 `simplified_access`): Unicode NFC,
/// trimmed, every run of inner whitespace one space, lower case (Unicode), NFC again (lowering
/// can decompose).
#[must_use]
pub fn normalize_name(s: &str) -> String {
    let composed: String = s.nfc().collect();
    let spaced = composed.split_whitespace().collect::<Vec<_>>().join(" ");
    spaced.to_lowercase().nfc().collect()
}

/// Whether a given name matches the one on record (see [`normalize_name`]). A blank name matches
/// nothing.
#[must_use]
pub fn names_match(given: &str, on_record: &str) -> bool {
    let given = normalize_name(given);
    !given.is_empty() && given == normalize_name(on_record)
}

/// What a patient typed to prove who they are (`simplified_access`, `register_patient`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityClaim {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Date of birth.
    pub date_of_birth: time::Date,
}

/// An invitation of a patient to the screening questionnaire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// Id (the contract's `invite_id` and `id`).
    pub id: InviteId,
    /// Tenant: the patient's account.
    pub account_id: AccountId,
    /// The invited patient.
    pub patient_id: PatientId,
    /// The care provider the invite comes from (a clinician, physician or admin of the account;
    /// None when a super_admin invited without naming one).
    pub provider_id: Option<UserId>,
    /// The provider's display name when the invite was issued, kept so that a deleted or
    /// renamed provider's invites still name who sent them.
    pub provider_name: Option<String>,
    /// The questionnaire strategy (strategies do not exist yet: no foreign key).
    pub chat_strategy_id: Option<ChatStrategyId>,
    /// The strategy's name when the invite was issued.
    pub chat_strategy_name: Option<String>,
    /// The clinic's note in the email.
    pub custom_message: Option<CustomMessage>,
    /// Stored state (see [`Invite::status_at`] for the reported one).
    pub state: InviteState,
    /// SHA-256 of the current token (a resend replaces it).
    pub token_hash: TokenHash,
    /// Token generation: 1 when issued, +1 on every resend. Simplified tokens carry it (claim
    /// `gen`) and die when it moves on. (`gen` is a reserved word in Rust 2024.)
    pub token_gen: i32,
    /// Failed identity checks since issue or the last resend; locked at
    /// [`MAX_FAILED_ATTEMPTS`](super::rules::MAX_FAILED_ATTEMPTS) (rule 8).
    pub failed_attempts: i32,
    /// End of validity: usable while `now < expires_at`.
    pub expires_at: Timestamp,
    /// When it was used (kept after a later revoke).
    pub accepted_at: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// Who issued it.
    pub created_by: UserId,
    /// Issued.
    pub created_at: Timestamp,
    /// Last changed (issue, resend, revoke, accept, a failed identity check).
    pub updated_at: Timestamp,
    /// 1 when issued, +1 on every change (optimistic concurrency).
    pub version: i32,
}

/// The patient fields an invite is shown with (`email`, `first_name`, `last_name`, `phone` of
/// the `Invite` shape), read from the live patient record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitePatient {
    /// Where the invite is sent.
    pub email: Email,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Phone.
    pub phone: Option<String>,
}

/// An invite with its patient's contact fields: one row of a list or a detail view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteView {
    /// The record.
    pub invite: Invite,
    /// Its patient.
    pub patient: InvitePatient,
}

/// Where the patient's questionnaire stands (its chat sessions: [`ChatSummary`]);
/// [`InviteSummary::screening_status`] decides from invites alone while it is `NotStarted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChatStage {
    /// No questionnaire session (or none known).
    #[default]
    NotStarted,
    /// A session is active.
    InProgress,
    /// A session completed.
    Completed,
}

/// What the patient views derive from one patient's chat sessions: where its questionnaire
/// stands and its latest chat activity (`screening_status`, `lastActivity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatSummary {
    /// The patient.
    pub patient_id: PatientId,
    /// `Completed` when any of its sessions completed, else `InProgress` when one is active,
    /// else `NotStarted` (only cancelled sessions).
    pub stage: ChatStage,
    /// The latest `last_activity` of its sessions.
    pub last_activity: Timestamp,
}

/// What the patient views derive from one patient's invites (`has_pending_invite`,
/// `screening_status`, `lastActivity`; contract §3.3), read for a page of patients at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InviteSummary {
    /// The patient.
    pub patient_id: PatientId,
    /// The expiry of the patient's open invite (stored `pending`; at most one exists), if any.
    pub pending_expires_at: Option<Timestamp>,
    /// One of the patient's invites is accepted (and not revoked since).
    pub accepted: bool,
    /// The latest change to any of the patient's invites.
    pub last_event_at: Timestamp,
}

impl InviteSummary {
    /// A `pending`, unexpired invite exists.
    #[must_use]
    pub fn has_pending_invite(&self, now: Timestamp) -> bool {
        self.pending_expires_at.is_some_and(|e| now < e)
    }

    /// The derived screening status of a patient with these invites (None: never invited) and
    /// this questionnaire stage. The questionnaire, when known, decides; then the open invite
    /// (sent or expired); an accepted invite means the patient went on to the questionnaire
    /// (accepting opens it), so it reads "Chat In Progress" until the chat stage says more;
    /// otherwise (never invited, or every invite revoked) "Not Invited".
    #[must_use]
    pub fn screening_status(
        summary: Option<&Self>,
        chat: ChatStage,
        now: Timestamp,
    ) -> ScreeningStatus {
        match chat {
            ChatStage::Completed => return ScreeningStatus::ChatCompleted,
            ChatStage::InProgress => return ScreeningStatus::ChatInProgress,
            ChatStage::NotStarted => {}
        }
        let Some(s) = summary else {
            return ScreeningStatus::NotInvited;
        };
        match s.pending_expires_at {
            Some(e) if now < e => ScreeningStatus::InviteSent,
            Some(_) => ScreeningStatus::InviteExpired,
            None if s.accepted => ScreeningStatus::ChatInProgress,
            None => ScreeningStatus::NotInvited,
        }
    }

    /// `lastActivity`: the later of the patient record's last update and its latest invite
    /// event (chat messages, appointments and assessments join later).
    #[must_use]
    pub fn last_activity(patient_updated_at: Timestamp, summary: Option<&Self>) -> time::Date {
        summary
            .map_or(patient_updated_at, |s| {
                s.last_event_at.max(patient_updated_at)
            })
            .date()
    }
}
