//! `register_patient`: a permanent login for an invited patient, with the invite token or with
//! a simplified token (contract §3.4).

use super::{DOB, access, invite, token_of, verify};
use crate::helpers::{PW, TestApp};
use serde_json::{Value, json};

fn registration(token: Option<&str>, dob: &str) -> Value {
    let mut body = json!({"password": PW, "confirm_password": PW, "date_of_birth": dob,
                          "agree_to_terms": true, "agree_to_privacy": true});
    if let Some(t) = token {
        body["invite_token"] = json!(t);
    }
    body
}

/// With a pending invite's token: the login takes the patient's id, email and account, the
/// invite's provider as clinician; the invite is used. Field rules are 422, a bad invite 400, a
/// second login 409.
pub async fn register_with_an_invite_token(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let inv = invite(app, &a.clinician, &a.patient_id).await;
    let token = token_of(&inv);
    // Field rules first, every failing field named; none of them counts toward the lock.
    let r = app
        .post(
            "/api/register_patient",
            None,
            &json!({"invite_token": token, "password": "short", "confirm_password": "other",
                    "date_of_birth": "29/02/1980", "agree_to_privacy": false}),
        )
        .await;
    for field in [
        "password",
        "confirm_password",
        "date_of_birth",
        "agree_to_terms",
        "agree_to_privacy",
    ] {
        r.expect_422_at(&["body", field]);
    }
    let mut same_as_email = registration(Some(&token), DOB);
    same_as_email["password"] = json!("pat@alpha.test");
    same_as_email["confirm_password"] = json!("pat@alpha.test");
    app.post("/api/register_patient", None, &same_as_email)
        .await
        .expect_422_at(&["body", "password"]);
    // A bare invite id is no credential.
    let r = app
        .post(
            "/api/register_patient",
            None,
            &json!({"invite_id": inv["id"], "password": PW, "confirm_password": PW,
                    "date_of_birth": DOB, "agree_to_terms": true}),
        )
        .await;
    r.expect_422_at(&["body", "invite_token"]);
    app.post(
        "/api/register_patient",
        None,
        &registration(Some("not-a-token"), DOB),
    )
    .await
    .expect_detail(400, "Invalid or expired invite");
    // Registered (agree_to_privacy may be absent; the alias `token` works).
    let mut body = registration(None, DOB);
    body["token"] = json!(token);
    body.as_object_mut().unwrap().remove("agree_to_privacy");
    let r = app.post("/api/register_patient", None, &body).await;
    assert_eq!(
        r.expect(200),
        &json!({"message": "Registration successful", "status_code": 200,
                "data": {"patient_id": a.patient_id, "user_id": a.patient_id}})
    );
    let login = app.token("pat@alpha.test", PW).await;
    let me = app.get("/api/auth/me", Some(&login)).await;
    assert_eq!(me.expect(200)["id"], a.patient_id.as_str());
    assert_eq!(me.body["patient_id"], a.patient_id.as_str());
    assert_eq!(me.body["access_type"], "full");
    assert_eq!(me.body["role"], "patient");
    assert_eq!(me.body["clinician_id"], a.clinician_id.as_str());
    let p = app
        .get(&format!("/api/patients/{}", a.patient_id), Some(&a.admin))
        .await;
    assert_eq!(p.expect(200)["has_login"], true);
    assert_eq!(p.body["date_of_birth"], DOB);
    let v = verify(app, &token).await;
    assert_eq!(
        v.body["error_message"],
        "This invitation has already been used"
    );
    app.post(
        "/api/register_patient",
        None,
        &registration(Some(&token), DOB),
    )
    .await
    .expect_detail(400, "Invalid or expired invite");
    // A second login for the same patient: 409, the new invite untouched.
    let again = invite(app, &a.clinician, &a.patient_id).await;
    app.post(
        "/api/register_patient",
        None,
        &registration(Some(&token_of(&again)), DOB),
    )
    .await
    .expect_detail(409, "Patient already has a login");
    // The date of birth is checked as in simplified_access.
    let p = app
        .patient(&a.clinician, "Dee", "Obee", "dob@alpha.test")
        .await;
    app.put(
        &format!("/api/patients/{}", p["id"].as_str().unwrap()),
        Some(&a.admin),
        &json!({"date_of_birth": DOB}),
    )
    .await
    .expect(200);
    let inv = invite(app, &a.clinician, p["id"].as_str().unwrap()).await;
    app.post(
        "/api/register_patient",
        None,
        &registration(Some(&token_of(&inv)), "1981-01-01"),
    )
    .await
    .expect_detail(400, "The details you entered do not match our records");
}

/// With a simplified token instead: its invite is accepted already. The patient's email taken
/// by another user is 409.
pub async fn register_with_a_simplified_token(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let inv = invite(app, &a.clinician, &a.patient_id).await;
    let s = access(app, &token_of(&inv), "Pat", "Ofalpha", DOB).await;
    let bearer = s.expect(200)["access_token"].as_str().unwrap().to_owned();
    // A bearer token that does not verify: 401.
    let r = app
        .post(
            "/api/register_patient",
            Some("not.a.token"),
            &registration(None, DOB),
        )
        .await;
    r.expect(401);
    app.post(
        "/api/register_patient",
        Some(&bearer),
        &registration(None, "1999-09-09"),
    )
    .await
    .expect_detail(400, "The details you entered do not match our records");
    let r = app
        .post(
            "/api/register_patient",
            Some(&bearer),
            &registration(None, DOB),
        )
        .await;
    assert_eq!(r.expect(200)["data"]["user_id"], a.patient_id.as_str());
    app.token("pat@alpha.test", PW).await;
    app.post(
        "/api/register_patient",
        Some(&bearer),
        &registration(None, DOB),
    )
    .await
    .expect_detail(409, "Patient already has a login");
    // The simplified session goes on (registration does not end it).
    app.get("/api/auth/me", Some(&bearer)).await.expect(200);

    // Another patient whose email a staff user has already.
    app.user(&a.admin, "taken@alpha.test", "Tay Ken", "clinician")
        .await;
    let p = app
        .patient(&a.clinician, "Tay", "Ken", "taken@alpha.test")
        .await;
    let inv = invite(app, &a.clinician, p["id"].as_str().unwrap()).await;
    let s = access(app, &token_of(&inv), "Tay", "Ken", DOB).await;
    let bearer = s.expect(200)["access_token"].as_str().unwrap().to_owned();
    app.post(
        "/api/register_patient",
        Some(&bearer),
        &registration(None, DOB),
    )
    .await
    .expect_detail(409, "Email already registered");
}
