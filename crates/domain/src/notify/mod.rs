//! Outgoing notifications.
//!
//! Use cases never send anything themselves: the repository port method that saves the cause (a
//! reset link, a new user, an email change) takes the [`OutgoingEmail`] too, and the adapter
//! writes it as an outbox row in the same transaction. A worker outside the domain delivers the
//! rows through a [`Mailer`] (SMTP, the development file outbox, or disabled), with retries.

use crate::common::BoxError;
use async_trait::async_trait;

/// One email. Bodies never carry clinical content (contract §1.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// Recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body (every interpolated value escaped).
    pub html: String,
    /// Files sent along (an appointment's `invite.ics`); empty for most emails.
    pub attachments: Vec<Attachment>,
}

/// A text attachment of an [`OutgoingEmail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name offered to the reader (`invite.ics`).
    pub filename: String,
    /// Full MIME type with parameters, e.g. `text/calendar; method=REQUEST; charset=UTF-8`.
    pub content_type: String,
    /// The text content (UTF-8).
    pub content: String,
}

/// Delivers email: the outbox worker's delivery sink. Adapters must not log bodies or recipients'
/// PHI; the error's message is stored with the outbox row and logged, so it names the class of
/// failure only (never the recipient, the body or the server's reply text).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Hand one email over (`Ok` once the server or file has accepted it).
    async fn send(&self, email: &OutgoingEmail) -> Result<(), BoxError>;
    /// A short name for health output: `outbox`, `smtp`, `ses`, `disabled`.
    fn kind(&self) -> &'static str;
}

/// A delivery failure retrying cannot fix (the provider rejected the message, the sender is not
/// verified, the account is suspended): a [`Mailer`] returns it (boxed) so that the outbox worker
/// moves the message to the dead letters at once, with this reason, instead of retrying. Like
/// every sink error, the reason names the class of failure only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Permanent(pub String);

/// Whether a sink's error is [`Permanent`].
#[must_use]
pub fn is_permanent(e: &BoxError) -> bool {
    e.downcast_ref::<Permanent>().is_some()
}

/// Escape a value for interpolation into HTML.
#[must_use]
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::html_escape("<a href=\"x\">O'Neil & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#x27;Neil &amp; co&lt;/a&gt;"
        );
    }
}
