//! `SesMailer`: the outbox worker's delivery sink on Amazon SES (v2 API).
//!
//! Errors name a class only (never the recipient, the body or SES's message text, which may echo
//! an address). Throttling, SES's own 5xx and no answer at all are transient: the SDK retries
//! them with its standard backoff, then the outbox retries the message with its own. A rejection
//! of the message or of the sender is permanent: the message goes to the dead letters at once.
//!
//! Every message goes as `Content::Raw`: the whole MIME message that `genascope-mail-mime` builds
//! (the same bytes the SMTP adapter sends), so attachments such as an appointment's
//! `invite.ics` (`text/calendar; method=…`) reach the recipient. One path whether or not there
//! are attachments; SES's simple content could carry none. A message that cannot be built is
//! permanent.

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::SdkError;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};
use genascope_domain::common::BoxError;
use genascope_domain::notify::{Mailer, OutgoingEmail, Permanent};

/// Sends through SES from one configured sender.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
    from: String,
}

impl SesMailer {
    /// A mailer with the shared AWS configuration, sending as `from` (a verified identity).
    #[must_use]
    pub fn new(config: &SdkConfig, from: &str) -> Self {
        Self {
            client: Client::new(config),
            from: from.to_owned(),
        }
    }
}

/// The class of a failed send, and whether retrying could help.
fn classify(e: &SdkError<SendEmailError>) -> BoxError {
    match e {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
            "SES unreachable or no valid answer".into()
        }
        SdkError::ServiceError(service) => match service.err() {
            SendEmailError::TooManyRequestsException(_)
            | SendEmailError::LimitExceededException(_) => "SES throttled the send".into(),
            SendEmailError::MessageRejected(_) => {
                Box::new(Permanent("SES rejected the message".into()))
            }
            SendEmailError::MailFromDomainNotVerifiedException(_)
            | SendEmailError::NotFoundException(_) => {
                Box::new(Permanent("SES: the sender is not verified".into()))
            }
            SendEmailError::AccountSuspendedException(_)
            | SendEmailError::SendingPausedException(_) => Box::new(Permanent(
                "SES: sending is suspended for the account".into(),
            )),
            SendEmailError::BadRequestException(_) => {
                Box::new(Permanent("SES refused the request as invalid".into()))
            }
            _ if service.raw().status().is_server_error() => "SES server error".into(),
            _ => Box::new(Permanent("SES refused the send".into())),
        },
        _ => "SES send failed".into(),
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), BoxError> {
        let mime = genascope_mail_mime::message(&self.from, email)
            .map_err(|e| -> BoxError { Box::new(Permanent(e.to_string())) })?;
        let raw = RawMessage::builder()
            .data(Blob::new(mime.formatted()))
            .build()
            .map_err(|_| -> BoxError {
                Box::new(Permanent("the message could not be built".into()))
            })?;
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(&email.to).build())
            .content(EmailContent::builder().raw(raw).build())
            .send()
            .await
            .map_err(|e| classify(&e))?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "ses"
    }
}
