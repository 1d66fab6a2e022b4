//! Calendar subscription: a clinician's feed URL with its own token (calendar apps send no
//! bearer), made and rotated by the clinician or the care team; refusals are 404.

use super::MONDAY;
use crate::helpers::TestApp;
use serde_json::json;
use sha2::{Digest, Sha256};

#[derive(diesel::QueryableByName, Debug)]
struct Stored {
    #[diesel(sql_type = diesel::sql_types::Binary)]
    token_hash: Vec<u8>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    created_by: String,
}

/// The 32 bytes a base64url token encodes.
fn decoded(token: &str) -> Vec<u8> {
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits: u32 = 0;
    let mut n = 0;
    let mut out = Vec::new();
    for c in token.chars() {
        let v = u32::try_from(alphabet.find(c).expect("a base64url character")).unwrap();
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push(u8::try_from((bits >> n) & 0xff).unwrap());
        }
    }
    out
}

pub async fn calendar_subscription_by_token(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    app.open_day(a, MONDAY).await;
    let id = app.book(&a.clinician, a, MONDAY, "09:00").await.str("id");
    let make = format!(
        "/api/appointments/clinician/{}/calendar-token",
        a.clinician_id
    );
    let feed = format!(
        "/api/appointments/clinician/{}/calendar.ics",
        a.clinician_id
    );

    // The clinician makes a URL: absolute, on API_BASE_URL (FRONTEND_BASE_URL by default).
    let r = app.post(&make, Some(&a.clinician), &json!({})).await;
    let url = r.expect(200)["url"].as_str().unwrap().to_owned();
    let (base, token) = url.split_once("?token=").unwrap();
    assert_eq!(base, format!("http://frontend.test{feed}"));
    assert_eq!(token.len(), 43, "32 bytes, base64url");
    // Only its SHA-256 is stored, with who made it.
    let stored: Vec<Stored> = app
        .query("SELECT token_hash, created_by FROM calendar_feed_tokens")
        .await;
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].token_hash,
        Sha256::digest(decoded(token)).to_vec()
    );
    assert_eq!(stored[0].created_by, a.clinician_id);

    // A calendar app: no bearer, the token in the query.
    let r = app.get(&format!("{feed}?token={token}"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(
        r.text.contains(&format!("UID:{id}@genascope")),
        "{}",
        r.text
    );
    assert!(r.text.contains("SUMMARY:Appointment: Pat O."));
    assert!(!r.text.contains("Ofalpha"));
    // The read is audited as the clinician's.
    #[derive(diesel::QueryableByName, Debug)]
    struct Actor {
        #[diesel(sql_type = diesel::sql_types::Text)]
        actor_id: String,
    }
    let actors: Vec<Actor> = app
        .query(
            "SELECT actor_id FROM audit_log WHERE record_type = 'appointment' \
             AND action = 'read' AND actor_id IS NOT NULL",
        )
        .await;
    assert!(
        actors.iter().any(|x| x.actor_id == a.clinician_id),
        "{actors:?}"
    );

    // Refusals are 404 alike: wrong, empty, malformed, padded, another clinician's path, an
    // id that is no user.
    let other_feed = format!(
        "/api/appointments/clinician/{}/calendar.ics",
        t.b.clinician_id
    );
    let mut wrong = token.to_owned();
    let first = if wrong.starts_with('A') { "B" } else { "A" };
    wrong.replace_range(0..1, first);
    for path in [
        format!("{feed}?token={wrong}"),
        format!("{feed}?token="),
        format!("{feed}?token=not-a-token"),
        format!("{feed}?token={token}%3D"),
        format!("{other_feed}?token={token}"),
        format!(
            "/api/appointments/clinician/{}/calendar.ics?token={token}",
            uuid::Uuid::new_v4()
        ),
        format!("/api/appointments/clinician/nope/calendar.ics?token={token}"),
    ] {
        let r = app.get(&path, None).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
        assert!(!r.text.contains("BEGIN:VCALENDAR"));
    }
    // Without a token the bearer is needed, as before.
    app.get(&feed, None).await.expect(401);
    assert_eq!(app.get(&feed, Some(&a.admin)).await.status, 200);

    // The care team (the admin) rotates it: the old URL stops working, the new one works.
    let r = app.post(&make, Some(&a.admin), &json!({})).await;
    let rotated = r.expect(200)["url"].as_str().unwrap().to_owned();
    let (_, new_token) = rotated.split_once("?token=").unwrap();
    assert_ne!(new_token, token);
    app.get(&format!("{feed}?token={token}"), None)
        .await
        .expect(404);
    let r = app.get(&format!("{feed}?token={new_token}"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let stored: Vec<Stored> = app
        .query("SELECT token_hash, created_by FROM calendar_feed_tokens")
        .await;
    assert_eq!(stored.len(), 1, "one token per clinician");
    assert_eq!(stored[0].created_by, a.admin_id);

    // Another account cannot make one (404), nor can anyone for a user who is no clinician.
    app.post(&make, Some(&t.b.admin), &json!({}))
        .await
        .expect(404);
    app.post(&make, None, &json!({})).await.expect(401);
    let admin_feed = format!("/api/appointments/clinician/{}/calendar-token", a.admin_id);
    app.post(&admin_feed, Some(&a.admin), &json!({}))
        .await
        .expect(404);

    // A deactivated clinician's token is refused; reactivated, it works again.
    let user = format!("/api/users/{}", a.clinician_id);
    app.put(&user, Some(&a.admin), &json!({"is_active": false}))
        .await
        .expect(200);
    app.get(&format!("{feed}?token={new_token}"), None)
        .await
        .expect(404);
    app.put(&user, Some(&a.admin), &json!({"is_active": true}))
        .await
        .expect(200);
    assert_eq!(
        app.get(&format!("{feed}?token={new_token}"), None)
            .await
            .status,
        200
    );
    // An inactive account's clinicians' tokens are refused too.
    app.put(
        &format!("/api/accounts/{}", a.account_id),
        Some(&t.sa),
        &json!({"status": "inactive"}),
    )
    .await
    .expect(200);
    app.get(&format!("{feed}?token={new_token}"), None)
        .await
        .expect(404);
}
