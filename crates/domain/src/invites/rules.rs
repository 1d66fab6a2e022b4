//! The eight lifecycle rules of contract §3.4, as pure functions over an [`Invite`] and the time.
//!
//! Every transition returns the next version of the invite (`updated_at = now`, `version + 1`)
//! or the typed reason it is refused; nothing here reads a clock or storage. The repository
//! writes the result with an optimistic version check, so two transitions computed from the same
//! read cannot both land.
//!
//! | Rule | Here |
//! |---|---|
//! | 1 token: 32 CSPRNG bytes, only the SHA-256 stored | [`InviteToken`], [`Invite::issue`] |
//! | 2 expiry 1..=90 days, default 14 | [`ExpiryDays`], [`Invite::issue`], [`Invite::resend`] |
//! | 3 `expired` computed on read | [`Invite::status_at`] |
//! | 4 single use | [`Invite::accept`] (only from usable) |
//! | 5 one open invite per patient | [`Invite::supersede`] (the repository applies it atomically on create) |
//! | 6 resend from pending/expired | [`Invite::resend`] |
//! | 7 revoke from pending/expired/accepted, once | [`Invite::revoke`] |
//! | 8 lock after 5 failed identity checks until resent | [`Invite::record_failed_check`], [`Invite::check_usable`] |

use super::error::InviteRefusal;
use super::model::{
    CustomMessage, ExpiryDays, IdentityClaim, Invite, InviteState, InviteStatus, InviteToken,
    names_match,
};
use crate::common::to_seconds;
use crate::common::{AccountId, ChatStrategyId, InviteId, Patch, PatientId, Timestamp, UserId};
use crate::patients::model::Patient;

/// Failed identity checks that lock an invite (rule 8).
pub const MAX_FAILED_ATTEMPTS: i32 = 5;

/// What a new invite is made of, besides its token, expiry and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteDraft {
    /// A fresh id.
    pub id: InviteId,
    /// The patient's account.
    pub account_id: AccountId,
    /// The patient.
    pub patient_id: PatientId,
    /// The provider, if any.
    pub provider_id: Option<UserId>,
    /// The provider's display name now.
    pub provider_name: Option<String>,
    /// The strategy, if any.
    pub chat_strategy_id: Option<ChatStrategyId>,
    /// The strategy's name now.
    pub chat_strategy_name: Option<String>,
    /// The clinic's note.
    pub custom_message: Option<CustomMessage>,
    /// The caller.
    pub created_by: UserId,
}

impl Invite {
    /// Rules 1 and 2: a new pending invite for `token` (only its hash is kept), expiring
    /// `expiry` days from `now`.
    #[must_use]
    pub fn issue(
        draft: InviteDraft,
        token: &InviteToken,
        expiry: ExpiryDays,
        now: Timestamp,
    ) -> Self {
        let now = to_seconds(now);
        Self {
            id: draft.id,
            account_id: draft.account_id,
            patient_id: draft.patient_id,
            provider_id: draft.provider_id,
            provider_name: draft.provider_name,
            chat_strategy_id: draft.chat_strategy_id,
            chat_strategy_name: draft.chat_strategy_name,
            custom_message: draft.custom_message,
            state: InviteState::Pending,
            token_hash: token.hash(),
            token_gen: 1,
            failed_attempts: 0,
            expires_at: expiry.expires_at(now),
            accepted_at: None,
            revoked_at: None,
            created_by: draft.created_by,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// Rule 3: the status reported at `now`; a pending invite at or past `expires_at` is
    /// `expired`.
    #[must_use]
    pub fn status_at(&self, now: Timestamp) -> InviteStatus {
        match self.state {
            InviteState::Pending if now >= self.expires_at => InviteStatus::Expired,
            InviteState::Pending => InviteStatus::Pending,
            InviteState::Accepted => InviteStatus::Accepted,
            InviteState::Revoked => InviteStatus::Revoked,
        }
    }

    /// Rule 8: locked by failed identity checks (until resent).
    #[must_use]
    pub const fn is_locked(&self) -> bool {
        self.failed_attempts >= MAX_FAILED_ATTEMPTS
    }

    /// Rules 3, 4 and 8: may the token be used now (`verify_invite`, `simplified_access`,
    /// `register_patient`)? Pending, unexpired and unlocked; else why not, in this order: used,
    /// revoked, expired, locked.
    pub fn check_usable(&self, now: Timestamp) -> Result<(), InviteRefusal> {
        match self.status_at(now) {
            InviteStatus::Accepted => Err(InviteRefusal::AlreadyUsed),
            InviteStatus::Revoked => Err(InviteRefusal::AlreadyRevoked),
            InviteStatus::Expired => Err(InviteRefusal::Expired),
            InviteStatus::Pending if self.is_locked() => Err(InviteRefusal::Locked),
            InviteStatus::Pending => Ok(()),
        }
    }

    /// The next version of this invite: changed at `now`.
    fn next(&self, now: Timestamp) -> Self {
        Self {
            updated_at: to_seconds(now),
            version: self.version + 1,
            ..self.clone()
        }
    }

    /// Rule 5: what a new invite for the same patient does to this one. An open invite (stored
    /// pending, expired or not) is revoked; any other is left alone (`None`). The repository
    /// applies this to every other invite of the patient in the transaction that issues the new
    /// one.
    #[must_use]
    pub fn supersede(&self, now: Timestamp) -> Option<Self> {
        (self.state == InviteState::Pending).then(|| Self {
            state: InviteState::Revoked,
            revoked_at: Some(to_seconds(now)),
            ..self.next(now)
        })
    }

    /// Rule 6: resend a pending or expired invite with a new token (the old link dies at once),
    /// a new expiry from `now`, the failure counter reset and the token generation + 1 (so
    /// simplified tokens of the old generation die too); same id. `message` replaces, clears or
    /// keeps the custom message. An accepted invite is `AlreadyUsed`, a revoked one
    /// `AlreadyRevoked` (409: generate a new invite instead).
    pub fn resend(
        &self,
        token: &InviteToken,
        expiry: ExpiryDays,
        message: Patch<CustomMessage>,
        now: Timestamp,
    ) -> Result<Self, InviteRefusal> {
        match self.state {
            InviteState::Accepted => return Err(InviteRefusal::AlreadyUsed),
            InviteState::Revoked => return Err(InviteRefusal::AlreadyRevoked),
            InviteState::Pending => {}
        }
        let custom_message = match message {
            Patch::Keep => self.custom_message.clone(),
            Patch::Clear => None,
            Patch::Set(m) => Some(m),
        };
        Ok(Self {
            token_hash: token.hash(),
            token_gen: self.token_gen + 1,
            failed_attempts: 0,
            expires_at: expiry.expires_at(now),
            custom_message,
            ..self.next(now)
        })
    }

    /// Rule 7: revoke a pending, expired or accepted invite; a revoked one is `AlreadyRevoked`.
    /// Simplified tokens issued from it fail from the next request on (they require an accepted
    /// invite); a login made by `register_patient` is not affected.
    pub fn revoke(&self, now: Timestamp) -> Result<Self, InviteRefusal> {
        if self.state == InviteState::Revoked {
            return Err(InviteRefusal::AlreadyRevoked);
        }
        Ok(Self {
            state: InviteState::Revoked,
            revoked_at: Some(to_seconds(now)),
            ..self.next(now)
        })
    }

    /// Rule 8: count one failed identity check. Only a usable invite counts failures (else the
    /// reason it is unusable, `Locked` included); the fifth failure locks it.
    ///
    /// Concurrency: call it *before* comparing the identity, as a reservation written with the
    /// version check, and accept (from the reserved version) only if the identity then matches.
    /// Concurrent guesses then race for the version: at most one per version proceeds, so no
    /// more than [`MAX_FAILED_ATTEMPTS`] comparisons are ever made between two resends. (A
    /// correct answer accepts the invite at once, so its reservation never locks anything.)
    pub fn record_failed_check(&self, now: Timestamp) -> Result<Self, InviteRefusal> {
        self.check_usable(now)?;
        Ok(Self {
            failed_attempts: self.failed_attempts + 1,
            ..self.next(now)
        })
    }

    /// Rule 4 after a reservation ([`Invite::record_failed_check`]): the identity matched, so
    /// the reserved failure is taken back and the invite accepted, from the reserved version (the
    /// repository checks that version, so a resend or revoke made meanwhile wins). The fifth
    /// reservation does not lock out a correct answer.
    pub fn accept_reserved(&self, now: Timestamp) -> Result<Self, InviteRefusal> {
        Self {
            failed_attempts: (self.failed_attempts - 1).max(0),
            ..self.clone()
        }
        .accept(now)
    }

    /// Rule 4: use the invite (single use): pending, unexpired and unlocked, else the reason.
    pub fn accept(&self, now: Timestamp) -> Result<Self, InviteRefusal> {
        self.check_usable(now)?;
        Ok(Self {
            state: InviteState::Accepted,
            accepted_at: Some(to_seconds(now)),
            ..self.next(now)
        })
    }
}

/// The identity check of `simplified_access` and `register_patient`: first and last names must
/// match the record's ([`names_match`]); if the record has a date of birth the given one must
/// equal it, else the given one is to be recorded (`Ok(Some(date))`). Any mismatch is the one
/// `IdentityMismatch` (the answer never says which field was wrong).
pub fn check_identity(
    on_record: &Patient,
    given: &IdentityClaim,
) -> Result<Option<time::Date>, InviteRefusal> {
    let names = names_match(&given.first_name, &on_record.first_name)
        & names_match(&given.last_name, &on_record.last_name);
    match on_record.date_of_birth {
        Some(dob) if names && dob == given.date_of_birth => Ok(None),
        None if names => Ok(Some(given.date_of_birth)),
        _ => Err(InviteRefusal::IdentityMismatch),
    }
}

#[cfg(test)]
mod tests;
