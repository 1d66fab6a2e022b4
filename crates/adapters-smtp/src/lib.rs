//! The `Mailer` port over SMTP, with lettre. One configured sender; multipart/alternative bodies
//! (plain text and HTML), inside multipart/mixed with the attachments when there are any. Recipients and bodies are never logged.

use async_trait::async_trait;
use genascope_domain::common::BoxError;
use genascope_domain::notify::{Mailer, OutgoingEmail};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
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
    from: Mailbox,
}

impl SmtpMailer {
    /// Build the transport (no connection is made until the first send).
    pub fn new(s: &SmtpSettings) -> Result<Self, SmtpSetupError> {
        let from: Mailbox = s.from.parse().map_err(|_| SmtpSetupError::From)?;
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
            from,
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

/// The text and HTML alternatives, wrapped in multipart/mixed with the attachments when there
/// are any (an appointment's `text/calendar` part keeps its `method` parameter).
fn body(email: &OutgoingEmail) -> Result<MultiPart, BoxError> {
    let alternative = MultiPart::alternative_plain_html(email.text.clone(), email.html.clone());
    if email.attachments.is_empty() {
        return Ok(alternative);
    }
    let mut mixed = MultiPart::mixed().multipart(alternative);
    for a in &email.attachments {
        let content_type = ContentType::parse(&a.content_type)
            .map_err(|_| -> BoxError { "an attachment's content type is invalid".into() })?;
        mixed = mixed
            .singlepart(Attachment::new(a.filename.clone()).body(a.content.clone(), content_type));
    }
    Ok(mixed)
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), BoxError> {
        // Errors are described without the server's text: SMTP replies often echo the recipient
        // address, and these messages end up in logs.
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|_| -> BoxError { "invalid recipient address".into() })?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .multipart(body(email)?)
            .map_err(|_| -> BoxError { "the message could not be built".into() })?;
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
