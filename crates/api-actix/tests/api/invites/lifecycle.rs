//! The lifecycle rules of contract §3.4: one open invite per patient (5), single use (4),
//! resend (6), revoke (7), expired computed on read (3).

use super::{DOB, access, expire, failed_attempts, invite, mailed_token, token_of, verify};
use crate::helpers::TestApp;
use serde_json::json;

/// Rule 5 and rule 4: a new invite revokes the patient's open one; an invite works once.
pub async fn one_open_invite_per_patient_and_single_use(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let first = invite(app, &a.clinician, &a.patient_id).await;
    let second = invite(app, &a.clinician, &a.patient_id).await;
    let get = |id: &str| {
        let path = format!("/api/invites/{id}");
        async move { app.get(&path, Some(&a.admin)).await }
    };
    let r = get(first["id"].as_str().unwrap()).await;
    assert_eq!(r.expect(200)["status"], "revoked");
    assert!(r.body["revoked_at"].is_string());
    // The superseded link opens nothing, and says so.
    let v = verify(app, &token_of(&first)).await;
    assert_eq!(v.expect(200)["valid"], false);
    assert_eq!(
        v.body["error_message"],
        "This invitation is no longer valid"
    );
    access(app, &token_of(&first), "Pat", "Ofalpha", DOB)
        .await
        .expect_detail(400, "Invalid or expired invite");
    // The open one works once.
    let token = token_of(&second);
    access(app, &token, "Pat", "Ofalpha", DOB).await.expect(200);
    access(app, &token, "Pat", "Ofalpha", DOB)
        .await
        .expect_detail(400, "Invalid or expired invite");
    let v = verify(app, &token).await;
    assert_eq!(v.body["valid"], false);
    assert_eq!(
        v.body["error_message"],
        "This invitation has already been used"
    );
    let r = get(second["id"].as_str().unwrap()).await;
    assert_eq!(r.expect(200)["status"], "accepted");
    assert!(r.body["accepted_at"].is_string());
    // An accepted invite is not resent: generate a new one instead.
    let path = format!("/api/invites/{}/resend", second["id"].as_str().unwrap());
    app.post(&path, Some(&a.admin), &json!({}))
        .await
        .expect(409);
    // A new invite does not touch the used one.
    invite(app, &a.clinician, &a.patient_id).await;
    assert_eq!(
        get(second["id"].as_str().unwrap()).await.body["status"],
        "accepted"
    );
}

/// Rule 6: a resend gives a new link at once (the old one dies), a new expiry, the failure
/// counter reset, the same id; by path or by body, fields from the body or the query.
pub async fn resend_kills_the_old_link_and_resets_the_lock(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let first = invite(app, &a.clinician, &a.patient_id).await;
    let id = first["id"].as_str().unwrap().to_owned();
    let old = token_of(&first);
    for _ in 0..4 {
        access(app, &old, "Wrong", "Name", DOB)
            .await
            .expect_detail(400, "The details you entered do not match our records");
    }
    assert_eq!(failed_attempts(app, &id).await, 4);
    let r = app
        .post(
            &format!("/api/invites/{id}/resend"),
            Some(&a.clinician),
            &json!({"expiry_days": "30", "custom_message": "Second try"}),
        )
        .await;
    let resent = r.expect(200).clone();
    assert_eq!(resent["id"], id.as_str());
    assert_eq!(resent["status"], "pending");
    assert_eq!(resent["email_sent"], true);
    assert_eq!(resent["custom_message"], "Second try");
    assert_ne!(resent["invite_url"], first["invite_url"]);
    let days = |v: &serde_json::Value| {
        time::OffsetDateTime::parse(
            v.as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    let span = days(&resent["expires_at"]) - days(&resent["updated_at"]);
    assert_eq!(span.whole_days(), 30);
    assert_eq!(failed_attempts(app, &id).await, 0);
    // The old link is dead at once; the new one is the mailed one.
    let v = verify(app, &old).await;
    assert_eq!(v.body["error_message"], "Invalid invitation token");
    let new = token_of(&resent);
    assert_eq!(mailed_token(app, "pat@alpha.test").await, new);
    // Four more failures do not lock it (the counter was reset), the right answer still works.
    for _ in 0..4 {
        access(app, &new, "Pat", "Wrong", DOB).await.expect(400);
    }
    // The spelling with the id in the body; fields from the query.
    let r = app
        .post(
            "/api/resend_invite?expiry_days=2&send_email=false",
            Some(&a.admin),
            &json!({"invite_id": id}),
        )
        .await;
    let again = r.expect(200).clone();
    assert_eq!(again["email_sent"], false);
    assert_eq!(again["custom_message"], "Second try", "kept when not sent");
    let span = days(&again["expires_at"]) - days(&again["updated_at"]);
    assert_eq!(span.whole_days(), 2);
    assert_eq!(failed_attempts(app, &id).await, 0);
    let v = verify(app, &new).await;
    assert_eq!(v.body["valid"], false, "the previous link died too");
    access(app, &token_of(&again), " pat ", "OFALPHA", DOB)
        .await
        .expect(200);
}

/// Rule 7: revoking kills the simplified tokens of the invite from the next request; twice is
/// 409, as is resending a revoked invite; deleting the patient kills them too.
pub async fn revoke_kills_live_simplified_tokens(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let inv = invite(app, &a.clinician, &a.patient_id).await;
    let id = inv["id"].as_str().unwrap().to_owned();
    let s = access(app, &token_of(&inv), "Pat", "Ofalpha", DOB).await;
    let token = s.expect(200)["access_token"].as_str().unwrap().to_owned();
    app.get("/api/auth/me", Some(&token)).await.expect(200);
    let r = app
        .delete(&format!("/api/invites/{id}"), Some(&a.clinician))
        .await;
    assert_eq!(
        r.expect(200),
        &json!({"message": "Invitation revoked", "status_code": 200, "data": {"invite_id": id}})
    );
    app.get("/api/auth/me", Some(&token))
        .await
        .expect_detail(401, "Could not validate credentials");
    for path in [format!("/api/invites/{id}"), format!("/api/revoke/{id}")] {
        app.delete(&path, Some(&a.admin)).await.expect(409);
    }
    app.post(
        &format!("/api/invites/{id}/resend"),
        Some(&a.admin),
        &json!({}),
    )
    .await
    .expect(409);
    let r = app.get(&format!("/api/invites/{id}"), Some(&a.admin)).await;
    assert_eq!(r.expect(200)["status"], "revoked");
    assert!(r.body["accepted_at"].is_string(), "the use stays on record");
    // The documented spelling revokes too; a pending invite can be revoked.
    let p = app
        .patient(&a.clinician, "Del", "Eted", "del@alpha.test")
        .await;
    let pid = p["id"].as_str().unwrap();
    let pending = invite(app, &a.clinician, pid).await;
    let r = app
        .delete(
            &format!("/api/revoke/{}", pending["id"].as_str().unwrap()),
            Some(&a.admin),
        )
        .await;
    assert_eq!(r.expect(200)["message"], "Invitation revoked");
    // Deleting a patient kills its live simplified tokens.
    let inv = invite(app, &a.clinician, pid).await;
    let s = access(app, &token_of(&inv), "Del", "Eted", DOB).await;
    let token = s.expect(200)["access_token"].as_str().unwrap().to_owned();
    app.get("/api/auth/me", Some(&token)).await.expect(200);
    app.delete(&format!("/api/patients/{pid}"), Some(&a.admin))
        .await
        .expect(200);
    app.get("/api/auth/me", Some(&token)).await.expect(401);
    // So does archiving it, or deactivating the clinic.
    let p = app
        .patient(&a.clinician, "Arc", "Hived", "arc@alpha.test")
        .await;
    let pid = p["id"].as_str().unwrap();
    let inv = invite(app, &a.clinician, pid).await;
    let token = access(app, &token_of(&inv), "Arc", "Hived", DOB)
        .await
        .str("access_token");
    app.put(
        &format!("/api/patients/{pid}"),
        Some(&a.admin),
        &json!({"status": "archived"}),
    )
    .await
    .expect(200);
    app.get("/api/auth/me", Some(&token)).await.expect(401);
    app.put(
        &format!("/api/patients/{pid}"),
        Some(&a.admin),
        &json!({"status": "active"}),
    )
    .await
    .expect(200);
    app.get("/api/auth/me", Some(&token)).await.expect(200);
    app.put(
        &format!("/api/accounts/{}", a.account_id),
        Some(&t.sa),
        &json!({"status": "inactive"}),
    )
    .await
    .expect(200);
    app.get("/api/auth/me", Some(&token)).await.expect(401);
}

/// Rule 3: a pending invite past its expiry is `expired` everywhere, computed on read; it can be
/// resent, not used.
pub async fn expired_is_computed_on_read(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let inv = invite(app, &a.clinician, &a.patient_id).await;
    let id = inv["id"].as_str().unwrap().to_owned();
    let patient = app
        .get(&format!("/api/patients/{}", a.patient_id), Some(&a.admin))
        .await;
    assert_eq!(patient.expect(200)["screening_status"], "Invite Sent");
    assert_eq!(patient.body["has_pending_invite"], true);
    expire(app, &id).await;
    let r = app.get(&format!("/api/invites/{id}"), Some(&a.admin)).await;
    assert_eq!(r.expect(200)["status"], "expired");
    let list = |q: &'static str| async move {
        app.get(&format!("/api/invites?{q}"), Some(&a.admin)).await
    };
    assert_eq!(list("status=expired").await.expect(200)["total"], 1);
    assert_eq!(list("status=pending").await.expect(200)["total"], 0);
    let r = app
        .get(
            &format!("/api/patients/{}/invites?status=expired", a.patient_id),
            Some(&a.admin),
        )
        .await;
    assert_eq!(r.expect(200).as_array().unwrap().len(), 1);
    assert_eq!(
        app.get(&format!("/api/pending/{}", a.clinician_id), Some(&a.admin))
            .await
            .expect(200),
        &json!([])
    );
    let v = verify(app, &token_of(&inv)).await;
    assert_eq!(
        v.expect(200),
        &json!({"valid": false, "invite_id": null, "expires_at": null, "clinic_name": null,
                "provider_name": null, "error_message": "This invitation has expired"})
    );
    access(app, &token_of(&inv), "Pat", "Ofalpha", DOB)
        .await
        .expect_detail(400, "Invalid or expired invite");
    let patient = app
        .get(&format!("/api/patients/{}", a.patient_id), Some(&a.admin))
        .await;
    assert_eq!(patient.expect(200)["screening_status"], "Invite Expired");
    assert_eq!(patient.body["has_pending_invite"], false);
    // An expired invite is resent: pending again, with a new link.
    let r = app
        .post(
            &format!("/api/invites/{id}/resend"),
            Some(&a.admin),
            &json!({}),
        )
        .await;
    assert_eq!(r.expect(200)["status"], "pending");
    access(app, &token_of(&r.body), "Pat", "Ofalpha", DOB)
        .await
        .expect(200);
}
