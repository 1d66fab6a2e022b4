//! Why an invite rule or an invite value refused (contract §3.4).
//!
//! These are the invites capability's own reasons, typed so that the use cases (and the HTTP
//! mapping after them) can choose the status and the sentence per route: the same
//! `AlreadyRevoked` is a 409 for a second revoke or a resend, and a 400 "Invalid or expired
//! invite" for `simplified_access`. Storage failures stay `RepoError`.

/// A refused invite operation or value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InviteRefusal {
    /// The invite was accepted: its token never works again (rule 4), and it cannot be resent
    /// (rule 6).
    #[error("This invitation has already been used")]
    AlreadyUsed,
    /// The invite was revoked: it cannot be used, resent or revoked again (rules 6, 7).
    #[error("This invitation is no longer valid")]
    AlreadyRevoked,
    /// The invite is pending but past its expiry (rule 3): it can be resent or revoked, not used.
    #[error("This invitation has expired")]
    Expired,
    /// Too many failed identity checks: locked until resent (rule 8).
    #[error("Too many failed attempts; ask your clinic to resend the invitation")]
    Locked,
    /// The token is not one we could have issued (wrong length or alphabet) or matches no invite.
    #[error("Invalid invitation token")]
    TokenInvalid,
    /// The names or the date of birth given do not match the patient record (counts toward the
    /// lock). One reason for both, so the answer does not tell which was wrong.
    #[error("The details you entered do not match our records")]
    IdentityMismatch,
    /// `expiry_days` outside 1..=90 (rule 2).
    #[error("expiry_days must be an integer between 1 and 90")]
    ExpiryOutOfRange,
    /// `custom_message` longer than 1000 characters.
    #[error("custom_message must be at most 1000 characters")]
    MessageTooLong,
    /// `custom_message` with control, zero-width or text-direction characters.
    #[error("custom_message must not contain control, zero-width or text-direction characters")]
    MessageCharacters,
}
