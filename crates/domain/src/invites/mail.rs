//! The invitation email (contract §1.7, §3.4): who invites (clinic, provider), the clinic's note
//! as plain text, the link and when it expires. Every interpolated value is HTML-escaped in the
//! HTML part, and the clinic's free-text note in the text part too; nothing clinical and nothing
//! about the patient but the address it goes to.

use super::model::{CustomMessage, InviteToken};
use crate::common::Timestamp;
use crate::identity::model::Email;
use crate::notify::{OutgoingEmail, html_escape};

/// What an invitation email says.
#[derive(Debug, Clone, Copy)]
pub struct Invitation<'a> {
    /// Where it goes: the patient's address.
    pub to: &'a Email,
    /// The clinic (the account's name).
    pub clinic: &'a str,
    /// The provider's display name, if the invite names one.
    pub provider: Option<&'a str>,
    /// The clinic's note.
    pub message: Option<&'a CustomMessage>,
    /// The frontend's base URL (`FRONTEND_BASE_URL`), without the trailing slash.
    pub frontend_base_url: &'a str,
    /// The token the link carries.
    pub token: &'a InviteToken,
    /// End of validity.
    pub expires_at: Timestamp,
}

/// The patient's link: `{FRONTEND_BASE_URL}/invite/{token}` (rule 1).
#[must_use]
pub fn invite_url(frontend_base_url: &str, token: &InviteToken) -> String {
    format!(
        "{}/invite/{}",
        frontend_base_url.trim_end_matches('/'),
        token.expose()
    )
}

/// A value for a header line: control characters (line breaks included) become spaces.
fn header_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `12 May 2026`, in UTC.
fn day(at: Timestamp) -> String {
    let d = at.date();
    format!("{} {} {}", d.day(), d.month(), d.year())
}

impl Invitation<'_> {
    /// The email.
    #[must_use]
    pub fn email(&self) -> OutgoingEmail {
        let link = invite_url(self.frontend_base_url, self.token);
        let who = match self.provider {
            Some(p) => format!("{p} at {}", self.clinic),
            None => self.clinic.to_owned(),
        };
        let expires = day(self.expires_at);
        let mut text = format!(
            "Hello,\n\n{who} invites you to complete a short family-history questionnaire.\n"
        );
        let mut html = format!(
            "<p>Hello,</p><p>{} invites you to complete a short family-history questionnaire.</p>",
            html_escape(&who)
        );
        if let Some(m) = self.message {
            // Plain text, never markup: escaped in both parts (a mail client that renders the
            // text part as HTML, or a sink that shows both, shows the characters typed), its
            // line breaks kept.
            let escaped = html_escape(m.as_str());
            text.push_str(&format!("\nA message from your clinic:\n{escaped}\n"));
            html.push_str(&format!(
                "<p>A message from your clinic:</p><blockquote>{}</blockquote>",
                escaped.replace('\n', "<br>")
            ));
        }
        text.push_str(&format!(
            "\nOpen this link to begin:\n{link}\n\nThe link is personal: it works once and expires on {expires} (UTC). You will be asked to confirm your name and date of birth. If you did not expect this email, ignore it.\n"
        ));
        html.push_str(&format!(
            "<p><a href=\"{}\">{}</a></p><p>The link is personal: it works once and expires on {expires} (UTC). You will be asked to confirm your name and date of birth. If you did not expect this email, ignore it.</p>",
            html_escape(&link),
            html_escape(&link)
        ));
        OutgoingEmail {
            to: self.to.to_string(),
            subject: header_text(&format!(
                "{} invites you to a family-history questionnaire",
                self.clinic
            )),
            text,
            html,
            attachments: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_email_names_the_clinic_and_provider_escapes_the_message_and_links_the_token() {
        let to = Email::parse("pat@example.org").unwrap();
        let token = InviteToken::from_bytes([7; 32]);
        let message = CustomMessage::parse("See you <b>soon</b> & \"bring\" notes\nLine 2")
            .unwrap()
            .unwrap();
        let mail = Invitation {
            to: &to,
            clinic: "Clinic <North>\r\nBcc: x@evil.test",
            provider: Some("Dr O'Hara"),
            message: Some(&message),
            frontend_base_url: "https://app.example.org/",
            token: &token,
            expires_at: datetime!(2026-05-12 10:00 UTC),
        }
        .email();
        let link = format!("https://app.example.org/invite/{}", token.expose());
        assert_eq!(mail.to, "pat@example.org");
        assert!(!mail.subject.contains('\n') && !mail.subject.contains('\r'));
        assert!(mail.text.contains(&link), "{}", mail.text);
        assert!(
            mail.html.contains(&format!("href=\"{link}\"")),
            "{}",
            mail.html
        );
        assert!(mail.text.contains("Dr O'Hara at Clinic <North>"));
        assert!(mail.html.contains("Dr O&#x27;Hara at Clinic &lt;North&gt;"));
        assert!(
            mail.html.contains(
                "See you &lt;b&gt;soon&lt;/b&gt; &amp; &quot;bring&quot; notes<br>Line 2"
            )
        );
        assert!(!mail.html.contains("<b>") && !mail.text.contains("<b>"));
        assert!(
            mail.text
                .contains("See you &lt;b&gt;soon&lt;/b&gt; &amp; &quot;bring&quot; notes\nLine 2")
        );
        assert!(mail.text.contains("12 May 2026"), "{}", mail.text);
        // Without a provider or a message.
        let plain = Invitation {
            provider: None,
            message: None,
            clinic: "Clinic",
            ..Invitation {
                to: &to,
                clinic: "",
                provider: None,
                message: None,
                frontend_base_url: "http://localhost:4321",
                token: &token,
                expires_at: datetime!(2026-01-02 00:00 UTC),
            }
        }
        .email();
        assert!(plain.text.contains("Clinic invites you"));
        assert!(!plain.text.contains("message from your clinic"));
        assert!(plain.text.contains("http://localhost:4321/invite/"));
    }
}
