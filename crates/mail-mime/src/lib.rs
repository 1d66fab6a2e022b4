//! The MIME form of an [`OutgoingEmail`], built once with lettre's message builder for every
//! mail adapter that needs the whole message: SMTP sends it as is, SES as `Content::Raw`. A
//! multipart/alternative body (plain text and HTML), inside multipart/mixed with the
//! attachments when there are any (an appointment's `text/calendar` part keeps its `method`
//! parameter, so calendar apps update the event in place).
//!
//! A crate of its own so that neither adapter depends on the other (adapters depend on the
//! domain only) and the domain stays free of lettre. Errors name the class only, never an
//! address or a body: they end up in logs.

use genascope_domain::notify::OutgoingEmail;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};

pub use lettre::Message;

/// Why a message could not be built. None of these can succeed on a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MimeError {
    /// The sender is not an address.
    #[error("invalid sender address")]
    Sender,
    /// The recipient is not an address.
    #[error("invalid recipient address")]
    Recipient,
    /// An attachment's content type does not parse.
    #[error("an attachment's content type is invalid")]
    AttachmentType,
    /// lettre refused the assembled message.
    #[error("the message could not be built")]
    Build,
}

/// The whole message from `from` to `email.to`.
pub fn message(from: &str, email: &OutgoingEmail) -> Result<Message, MimeError> {
    let from: Mailbox = from.parse().map_err(|_| MimeError::Sender)?;
    let to: Mailbox = email.to.parse().map_err(|_| MimeError::Recipient)?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject.clone())
        .multipart(body(email)?)
        .map_err(|_| MimeError::Build)
}

/// The text and HTML alternatives, wrapped in multipart/mixed with the attachments when there
/// are any.
fn body(email: &OutgoingEmail) -> Result<MultiPart, MimeError> {
    let alternative = MultiPart::alternative_plain_html(email.text.clone(), email.html.clone());
    if email.attachments.is_empty() {
        return Ok(alternative);
    }
    let mut mixed = MultiPart::mixed().multipart(alternative);
    for a in &email.attachments {
        let content_type =
            ContentType::parse(&a.content_type).map_err(|_| MimeError::AttachmentType)?;
        mixed = mixed
            .singlepart(Attachment::new(a.filename.clone()).body(a.content.clone(), content_type));
    }
    Ok(mixed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use genascope_domain::notify::Attachment as Attached;

    fn email(attachments: Vec<Attached>) -> OutgoingEmail {
        OutgoingEmail {
            to: "pat@clinic.test".into(),
            subject: "Your appointment is booked".into(),
            text: "Booked.".into(),
            html: "<p>Booked.</p>".into(),
            attachments,
        }
    }

    fn text(m: &Message) -> String {
        String::from_utf8(m.formatted()).unwrap()
    }

    #[test]
    fn alternatives_alone_or_mixed_with_the_attachments() {
        let plain = text(&message("no-reply@genascope.test", &email(vec![])).unwrap());
        assert!(plain.contains("multipart/alternative"), "{plain}");
        assert!(!plain.contains("multipart/mixed"), "{plain}");
        let invite = Attached {
            filename: "invite.ics".into(),
            content_type: "text/calendar; method=REQUEST; charset=UTF-8".into(),
            content: "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n".into(),
        };
        let mixed = text(&message("no-reply@genascope.test", &email(vec![invite])).unwrap());
        assert!(mixed.contains("multipart/mixed"), "{mixed}");
        assert!(mixed.contains("multipart/alternative"), "{mixed}");
        assert!(
            mixed
                .to_ascii_lowercase()
                .contains("text/calendar; method=request"),
            "{mixed}"
        );
        assert!(mixed.contains("filename=\"invite.ics\""), "{mixed}");
    }

    #[test]
    fn bad_addresses_and_types_are_named_without_their_value() {
        let mut e = email(vec![]);
        assert_eq!(
            message("not an address", &e).unwrap_err(),
            MimeError::Sender
        );
        e.to = "nobody".into();
        let err = message("no-reply@genascope.test", &e).unwrap_err();
        assert_eq!(err, MimeError::Recipient);
        assert!(!err.to_string().contains("nobody"));
        let mut e = email(vec![Attached {
            filename: "x".into(),
            content_type: "no type".into(),
            content: String::new(),
        }]);
        e.to = "pat@clinic.test".into();
        assert_eq!(
            message("no-reply@genascope.test", &e).unwrap_err(),
            MimeError::AttachmentType
        );
    }
}
