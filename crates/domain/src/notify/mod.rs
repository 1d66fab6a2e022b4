//! Outgoing notifications. The `Mailer` port is implemented by the outbox (development), SMTP
//! and SES adapters.

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
}

/// Sends email. Adapters must not log bodies or recipients' PHI.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Send (or queue) one email.
    async fn send(&self, email: &OutgoingEmail) -> Result<(), BoxError>;
    /// A short name for health output: `outbox`, `smtp`, `ses`, `disabled`.
    fn kind(&self) -> &'static str;
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
