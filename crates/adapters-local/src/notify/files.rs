//! Development delivery sinks of the outbox worker: `OutboxMailer` writes each email as a JSON
//! file under `DATA_DIR/outbox` instead of sending it; `DisabledMailer` drops mail (the message
//! counts as sent). Neither logs recipients or bodies. (The durable outbox itself is the
//! `outbox` table: see `genascope_adapters_postgres::notify`.)

use async_trait::async_trait;
use genascope_domain::common::BoxError;
use genascope_domain::notify::{Mailer, OutgoingEmail};
use std::path::PathBuf;

/// Writes emails to files.
#[derive(Debug, Clone)]
pub struct OutboxMailer {
    dir: PathBuf,
    from: String,
}

impl OutboxMailer {
    /// Create the folder if needed (mode 0700: the files hold live reset links).
    pub fn new(dir: PathBuf, from: String) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(Self { dir, from })
    }

    /// The folder.
    #[must_use]
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), BoxError> {
        let now = time::OffsetDateTime::now_utc();
        let name = format!(
            "{}-{}.json",
            now.unix_timestamp_nanos(),
            uuid::Uuid::new_v4()
        );
        let body = serde_json::json!({
            "from": self.from, "to": email.to, "subject": email.subject,
            "text": email.text, "html": email.html,
            "attachments": email.attachments.iter().map(|a| serde_json::json!({
                "filename": a.filename, "content_type": a.content_type, "content": a.content,
            })).collect::<Vec<_>>(),
        });
        let path = self.dir.join(name);
        let bytes = serde_json::to_vec_pretty(&body)?;
        // Owner-only (0600) from the moment the file exists: it holds live reset links.
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let result = async {
            use tokio::io::AsyncWriteExt;
            let mut file = options.open(&path).await?;
            file.write_all(&bytes).await?;
            file.flush().await
        }
        .await;
        match &result {
            Ok(()) => tracing::info!(subject = %email.subject, "email written to the outbox"),
            Err(e) => tracing::warn!(error = %e, "could not write an email to the outbox"),
        }
        Ok(result?)
    }

    fn kind(&self) -> &'static str {
        "outbox"
    }
}

/// Drops every email.
#[derive(Debug, Default, Clone)]
pub struct DisabledMailer;

#[async_trait]
impl Mailer for DisabledMailer {
    async fn send(&self, _email: &OutgoingEmail) -> Result<(), BoxError> {
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "disabled"
    }
}
