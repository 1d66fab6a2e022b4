//! `SesMailer` against a real SESv2 protocol server (moto, on loopback), through the assumed
//! role: a send from a verified sender is recorded as the raw MIME message, attachments
//! included; a send SES rejects is permanent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use genascope_adapters_aws::{SesMailer, sdk_config};
use genascope_domain::notify::{Attachment, Mailer, OutgoingEmail, is_permanent};
use support::Moto;

const FROM: &str = "no-reply@genascope.test";

fn email(to: &str) -> OutgoingEmail {
    OutgoingEmail {
        to: to.into(),
        subject: "Your invitation".into(),
        text: "Open the link.".into(),
        html: "<p>Open the link.</p>".into(),
        attachments: Vec::new(),
    }
}

#[tokio::test]
async fn a_send_is_recorded_and_a_rejection_is_permanent() {
    let moto = Moto::start().await;
    let config = sdk_config(&moto.settings(Some("genascope-backend")))
        .await
        .unwrap();
    aws_sdk_sesv2::Client::new(&config)
        .create_email_identity()
        .email_identity(FROM)
        .send()
        .await
        .unwrap();
    let mailer = SesMailer::new(&config, FROM);
    assert_eq!(mailer.kind(), "ses");
    mailer.send(&email("pat@clinic.test")).await.unwrap();
    let data = moto.data().await;
    let sent = data["ses"]["RawMessage"].as_array().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["source"], FROM);
    assert_eq!(sent[0]["destinations"][0], "pat@clinic.test");
    let raw = sent[0]["raw_data"].as_str().unwrap();
    assert!(raw.contains("Subject: Your invitation"), "{raw}");
    assert!(raw.contains("multipart/alternative"), "{raw}");
    assert!(
        !raw.contains("multipart/mixed"),
        "no attachment, no mixed: {raw}"
    );
    assert!(
        moto.assumed_roles().await >= 1,
        "sent with the assumed role"
    );

    let unverified = SesMailer::new(&config, "someone@elsewhere.test");
    let e = unverified
        .send(&email("pat@clinic.test"))
        .await
        .unwrap_err();
    assert!(is_permanent(&e), "{e}");
    assert!(!e.to_string().contains("pat@clinic.test"), "{e}");
    assert_eq!(
        moto.data().await["ses"]["RawMessage"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // A message that cannot be built is permanent too, and names no address.
    let e = mailer.send(&email("not an address")).await.unwrap_err();
    assert!(is_permanent(&e), "{e}");
    assert!(!e.to_string().contains("not an address"), "{e}");
}

/// An appointment email's `invite.ics` travels in the raw message: a text/calendar part with
/// its METHOD and UID, beside the text and HTML alternatives.
#[tokio::test]
async fn the_calendar_attachment_is_sent() {
    let moto = Moto::start().await;
    let config = sdk_config(&moto.settings(Some("genascope-backend")))
        .await
        .unwrap();
    aws_sdk_sesv2::Client::new(&config)
        .create_email_identity()
        .email_identity(FROM)
        .send()
        .await
        .unwrap();
    let uid = format!("{}@genascope", uuid::Uuid::new_v4());
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         SEQUENCE:2\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let mut e = email("pat@clinic.test");
    e.subject = "Your appointment was canceled".into();
    e.attachments = vec![Attachment {
        filename: "invite.ics".into(),
        content_type: "text/calendar; method=CANCEL; charset=UTF-8".into(),
        content: ics,
    }];
    SesMailer::new(&config, FROM).send(&e).await.unwrap();
    let data = moto.data().await;
    let sent = data["ses"]["RawMessage"].as_array().unwrap();
    assert_eq!(sent.len(), 1);
    let raw = sent[0]["raw_data"].as_str().unwrap();
    let lower = raw.to_ascii_lowercase();
    assert!(lower.contains("multipart/mixed"), "{raw}");
    assert!(lower.contains("multipart/alternative"), "{raw}");
    assert!(
        lower.contains("content-type: text/calendar; method=cancel"),
        "{raw}"
    );
    assert!(raw.contains("filename=\"invite.ics\""), "{raw}");
    // The calendar itself: lettre sends short ASCII text as is, else quoted-printable or
    // base64; whichever it chose, the METHOD and UID are there once decoded.
    let calendar = calendar_part(raw);
    assert!(calendar.contains("METHOD:CANCEL"), "{calendar}");
    assert!(calendar.contains(&format!("UID:{uid}")), "{calendar}");
}

/// The decoded body of the text/calendar part of a raw message.
fn calendar_part(raw: &str) -> String {
    let start = raw
        .to_ascii_lowercase()
        .find("content-type: text/calendar")
        .expect("a text/calendar part");
    let part = &raw[start..];
    let (headers, rest) = part.split_once("\r\n\r\n").expect("part headers");
    let body = rest.split("\r\n--").next().unwrap_or_default();
    let encoding = headers.to_ascii_lowercase();
    if encoding.contains("content-transfer-encoding: base64") {
        let compact: String = body.split_whitespace().collect();
        String::from_utf8(base64_decode(&compact)).unwrap()
    } else if encoding.contains("content-transfer-encoding: quoted-printable") {
        body.replace("=\r\n", "").replace("=3D", "=")
    } else {
        body.to_owned()
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut bits, mut n, mut out) = (0u32, 0, Vec::new());
    for c in s.chars().take_while(|c| *c != '=') {
        bits = (bits << 6) | u32::try_from(A.find(c).unwrap()).unwrap();
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push(u8::try_from((bits >> n) & 0xff).unwrap());
        }
    }
    out
}
