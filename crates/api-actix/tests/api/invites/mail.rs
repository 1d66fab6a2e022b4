//! The invitation email (contract §1.7, §3.4): queued with the invite, its link works, the
//! clinic's note escaped; `email_sent` says whether it was queued.

use super::{DOB, access, mailed_token, token_of, verify};
use crate::helpers::TestApp;
use genascope_adapters_postgres::Backend;
use serde_json::json;

/// The email names the clinic and the provider, carries the note as plain text (escaped in the
/// HTML) and the link of the response; `send_email: false` queues nothing.
pub async fn invite_email_is_queued_with_a_working_link(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let note = "<script>alert('x')</script> & bring \"notes\"\nSecond line";
    let r = app
        .post(
            "/api/generate_invite",
            Some(&a.clinician),
            &json!({"patient_id": a.patient_id, "custom_message": note, "send_email": "true"}),
        )
        .await;
    let inv = r.expect(200).clone();
    assert_eq!(inv["email_sent"], true);
    assert_eq!(inv["custom_message"], note);
    let url = inv["invite_url"].as_str().unwrap();
    assert!(url.starts_with("http://frontend.test/invite/"), "{url}");
    let mails = app.emails_to("pat@alpha.test").await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    let text = mail["text"].as_str().unwrap();
    let html = mail["html"].as_str().unwrap();
    assert!(mail["subject"].as_str().unwrap().contains("Clinic alpha"));
    assert!(text.contains(url), "{text}");
    assert!(text.contains("Clin alpha at Clinic alpha"), "{text}");
    // Plain text, escaped wherever it appears: no markup of the note reaches the email.
    let file = serde_json::to_string(mail).unwrap();
    assert!(!file.contains("<script>"), "{file}");
    assert!(
        text.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"),
        "{text}"
    );
    assert!(html.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; bring &quot;notes&quot;<br>Second line"), "{html}");
    assert!(html.contains(&format!("href=\"{url}\"")), "{html}");
    assert_eq!(mailed_token(app, "pat@alpha.test").await, token_of(&inv));
    assert_eq!(verify(app, &token_of(&inv)).await.body["valid"], true);
    // No email wanted: none queued, and the answer says so.
    let r = app
        .post(
            "/api/generate_invite",
            Some(&a.clinician),
            &json!({"patient_id": a.patient_id, "send_email": false}),
        )
        .await;
    let quiet = r.expect(200).clone();
    assert_eq!(quiet["email_sent"], false);
    assert_eq!(app.emails_to("pat@alpha.test").await.len(), 1);
    // A resend mails the new link.
    let r = app
        .post(
            &format!("/api/invites/{}/resend", quiet["id"].as_str().unwrap()),
            Some(&a.clinician),
            &json!({}),
        )
        .await;
    let resent = r.expect(200).clone();
    assert_eq!(resent["email_sent"], true);
    assert_eq!(app.emails_to("pat@alpha.test").await.len(), 2);
    let token = mailed_token(app, "pat@alpha.test").await;
    assert_eq!(token, token_of(&resent));
    access(app, &token, "Pat", "Ofalpha", DOB).await.expect(200);
}

/// With mail disabled, invites are issued all the same and `email_sent` is false.
pub async fn mail_disabled_means_email_sent_false(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, &[("MAIL_BACKEND", "disabled")]).await;
    let t = app.tenancy().await;
    let r = app
        .post(
            "/api/generate_invite",
            Some(&t.a.clinician),
            &json!({"patient_id": t.a.patient_id}),
        )
        .await;
    assert_eq!(r.expect(200)["email_sent"], false);
    let r = app
        .post(
            &format!("/api/invites/{}/resend", r.body["id"].as_str().unwrap()),
            Some(&t.a.clinician),
            &json!({"send_email": true}),
        )
        .await;
    assert_eq!(r.expect(200)["email_sent"], false);
    app.shutdown().await;
}
