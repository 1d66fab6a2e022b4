//! The `Mailer` port over SMTP, with lettre. One configured sender; the message is the MIME form
//! `genascope-mail-mime` builds (shared with the SES adapter). Recipients and bodies are never
//! logged.

use async_trait::async_trait;
use genascope_domain::common::BoxError;
use genascope_domain::notify::{Mailer, OutgoingEmail, Permanent};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// STARTTLS required (submission port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain text: only for a relay on the same host or a test sink.
    None,
}

impl SmtpTls {
    /// Parse `starttls`, `tls` or `none` (case-insensitive).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "starttls" => Some(Self::Starttls),
            "tls" | "ssl" => Some(Self::Tls),
            "none" | "plain" => Some(Self::None),
            _ => None,
        }
    }
}

/// Connection settings.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// Server host.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Protection.
    pub tls: SmtpTls,
    /// Login, when the server wants one.
    pub credentials: Option<(String, String)>,
    /// The one sender address.
    pub from: String,
    /// Per-send timeout.
    pub timeout: Duration,
}

/// A settings problem, naming what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum SmtpSetupError {
    /// The sender address does not parse.
    #[error("FROM_EMAIL is not a valid address")]
    From,
    /// The TLS parameters could not be built.
    #[error("SMTP TLS setup failed: {0}")]
    Tls(String),
}

/// Sends through one SMTP server.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// Checked to parse as a mailbox when built.
    from: String,
}

impl SmtpMailer {
    /// Build the transport (no connection is made until the first send).
    pub fn new(s: &SmtpSettings) -> Result<Self, SmtpSetupError> {
        let _: Mailbox = s.from.parse().map_err(|_| SmtpSetupError::From)?;
        let builder = match s.tls {
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)
                .map_err(|e| SmtpSetupError::Tls(e.to_string()))?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)
                .map_err(|e| SmtpSetupError::Tls(e.to_string()))?,
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
        };
        let mut builder = builder.port(s.port).timeout(Some(s.timeout));
        if let Some((user, password)) = &s.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            from: s.from.clone(),
        })
    }
}

/// A log-safe description of a delivery failure: its class and reply code only.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let class = if e.is_permanent() {
        "permanent"
    } else if e.is_transient() {
        "transient"
    } else if e.is_timeout() {
        "timeout"
    } else if e.is_tls() {
        "TLS"
    } else {
        "connection or protocol"
    };
    match e.status() {
        Some(code) => format!("SMTP {class} error (reply code {code})"),
        None => format!("SMTP {class} error"),
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), BoxError> {
        // Errors are described without the server's text: SMTP replies often echo the recipient
        // address, and these messages end up in logs.
        let message = genascope_mail_mime::message(&self.from, email)
            .map_err(|e| -> BoxError { Box::new(Permanent(e.to_string())) })?;
        self.transport
            .send(message)
            .await
            .map_err(|e| -> BoxError { describe(&e).into() })?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "smtp"
    }
}
