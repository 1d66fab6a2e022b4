//! Items 14 and 21: who may reach a route or a field.

use super::*;

// ---------------------------------------------------------------------------------------------
// Item 14: the role check comes before the id

/// Roles that may not use a route get 403 even for a malformed id (it was 404): lab_tech, user
/// and patient on a patient's invites and on assess-and-store; lab_tech and user on a patient's
/// latest assessment (which a patient may read: its malformed id is 404, as for the care team).
pub async fn role_check_comes_before_malformed_ids(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Order Clinic", "admin@order.test").await;
    app.user(&c.admin, "lab@order.test", "Lou Lab", "lab_tech")
        .await;
    app.user(&c.admin, "user@order.test", "Uma User", "user")
        .await;
    app.user(&c.admin, "clin@order.test", "Cleo Clin", "clinician")
        .await;
    let lab = app.token("lab@order.test", PW).await;
    let user = app.token("user@order.test", PW).await;
    let clin = app.token("clin@order.test", PW).await;
    let (_, patient) = patient_login(app, &c.admin, "pat@order.test", "Pat Order").await;
    let invites = "/api/patients/not-a-uuid/invites";
    let analyze = "/api/eligibility/analyze/not-a-uuid";
    let detailed = "/api/eligibility/detailed/not-a-uuid";
    let store = "/api/eligibility/assess?patient_id=not-a-uuid";
    for (who, token) in [("lab_tech", &lab), ("user", &user), ("patient", &patient)] {
        let r = app.get(invites, Some(token)).await;
        assert_eq!(r.status, 403, "{who} {invites}: {}", r.text);
        let r = app.post(store, Some(token), &json!({})).await;
        assert_eq!(r.status, 403, "{who} {store}: {}", r.text);
        r.expect_detail(403, "Not enough permissions");
    }
    for (who, token) in [("lab_tech", &lab), ("user", &user)] {
        for path in [analyze, detailed] {
            let r = app.get(path, Some(token)).await;
            assert_eq!(r.status, 403, "{who} {path}: {}", r.text);
            r.expect_detail(403, "Not enough permissions");
        }
    }
    // Allowed roles: the malformed id is a patient that does not exist.
    app.get(analyze, Some(&patient))
        .await
        .expect_detail(404, "Patient not found");
    app.get(invites, Some(&clin))
        .await
        .expect_detail(404, "Patient not found");
    app.get(analyze, Some(&clin))
        .await
        .expect_detail(404, "Patient not found");
}

// ---------------------------------------------------------------------------------------------
// Item 21: staff notes

/// A patient reading its own record gets `notes: null`; staff see the notes.
pub async fn patients_do_not_see_staff_notes(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Notes Clinic", "admin@notes.test").await;
    app.user(&c.admin, "clin@notes.test", "Cleo Clin", "clinician")
        .await;
    let clin = app.token("clin@notes.test", PW).await;
    let r = app
        .post(
            "/api/patients",
            Some(&clin),
            &json!({"first_name": "Pat", "last_name": "Notes", "email": "pat@notes.test",
                    "notes": "suspected BRCA1 carrier; discuss with family first"}),
        )
        .await;
    let p = id_of(r.expect(201));
    let path = format!("/api/patients/{p}");
    let (_, patient) = patient_login(app, &c.admin, "pat@notes.test", "Pat Notes").await;
    let own = app.get(&path, Some(&patient)).await;
    let b = own.expect(200);
    assert_eq!(b["id"], p.as_str());
    assert_eq!(b["first_name"], "Pat", "the rest of the record is there");
    assert_eq!(b["notes"], Value::Null, "{}", own.text);
    assert!(!own.text.contains("BRCA1"));
    for token in [&clin, &c.admin, &sa] {
        let r = app.get(&path, Some(token)).await;
        assert_eq!(
            r.expect(200)["notes"],
            "suspected BRCA1 carrier; discuss with family first"
        );
    }
}
