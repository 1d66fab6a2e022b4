//! `SesMailer` against a real SESv2 protocol server (moto, on loopback), through the assumed
//! role: a send from a verified sender is recorded; a send SES rejects is permanent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use genascope_adapters_aws::{SesMailer, sdk_config};
use genascope_domain::notify::{Mailer, OutgoingEmail, is_permanent};
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
    let sent = data["ses"]["Message"].as_array().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["source"], FROM);
    assert_eq!(sent[0]["subject"], "Your invitation");
    assert_eq!(sent[0]["destinations"]["ToAddresses"][0], "pat@clinic.test");
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
        moto.data().await["ses"]["Message"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
