//! `GET /api/invites` (style C paging, filters, aliases, sorts), `GET /api/pending/{id}`,
//! `GET /api/patients/{id}/invites`, and the patient fields derived from invites.

use super::{DOB, access, expire, invite, sql, token_of};
use crate::helpers::TestApp;
use serde_json::{Value, json};

fn ids(v: &Value) -> Vec<String> {
    v["invites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Twelve patients, each invited once (the last by the admin); two used, two revoked, one
/// expired: every page, filter, alias and sort.
pub async fn list_paging_filters_aliases_and_sorts(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let mut invites = Vec::new();
    for i in 0..12 {
        let p = app
            .patient(
                &a.clinician,
                &format!("First{i:02}"),
                &format!("Last{:02}", 11 - i),
                &format!("p{i:02}@alpha.test"),
            )
            .await;
        let who = if i == 11 { &a.admin } else { &a.clinician };
        invites.push(invite(app, who, p["id"].as_str().unwrap()).await);
    }
    let id = |i: usize| invites[i]["id"].as_str().unwrap().to_owned();
    for i in [0, 1] {
        access(
            app,
            &token_of(&invites[i]),
            &format!("First{i:02}"),
            &format!("Last{:02}", 11 - i),
            DOB,
        )
        .await
        .expect(200);
    }
    for i in [2, 3] {
        app.delete(&format!("/api/invites/{}", id(i)), Some(&a.admin))
            .await
            .expect(200);
    }
    expire(app, &id(4)).await;
    let get = |q: String| async move {
        app.get(&format!("/api/invites?{q}"), Some(&a.clinician))
            .await
    };

    // Style C: defaults page 1, limit 10; both totals.
    let r = get(String::new()).await;
    let b = r.expect(200);
    assert_eq!(b["total_count"], 12);
    assert_eq!(b["total"], 12);
    assert_eq!(
        (b["page"].clone(), b["limit"].clone()),
        (json!(1), json!(10))
    );
    assert_eq!(b["total_pages"], 2);
    assert_eq!(
        (b["has_next"].clone(), b["has_prev"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(ids(b).len(), 10);
    // Newest first by default (then by id); lists never show a link.
    let order: Vec<(String, String)> = b["invites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["created_at"].as_str().unwrap().to_owned(),
                i["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for pair in order.windows(2) {
        assert!(
            pair[0].0 > pair[1].0 || (pair[0].0 == pair[1].0 && pair[0].1 < pair[1].1),
            "{order:?}"
        );
    }
    for i in b["invites"].as_array().unwrap() {
        assert_eq!(i["invite_url"], Value::Null);
        assert_eq!(i["email_sent"], Value::Null);
        assert_eq!(i["id"], i["invite_id"]);
    }
    let r = get("page=2&_cb=123".into()).await;
    assert_eq!(ids(r.expect(200)).len(), 2);
    assert_eq!(
        (r.body["has_next"].clone(), r.body["has_prev"].clone()),
        (json!(false), json!(true))
    );
    let r = get("page=3".into()).await;
    assert_eq!(ids(r.expect(200)), Vec::<String>::new());
    assert_eq!(r.body["total"], 12);
    for bad in [
        "page=0",
        "limit=0",
        "limit=101",
        "limit=abc",
        "status=lost",
        "created_after=yesterday",
        "sort_order=sideways",
    ] {
        let r = get(bad.into()).await;
        let field = bad.split('=').next().unwrap();
        r.expect_422_at(&["query", field]);
    }
    // Status, with the frontend's aliases.
    let count = |q: &'static str| async move { get(q.into()).await.expect(200)["total"].clone() };
    assert_eq!(count("status=accepted").await, 2);
    assert_eq!(count("status=completed").await, 2);
    assert_eq!(count("status=revoked").await, 2);
    assert_eq!(count("status=cancelled").await, 2);
    assert_eq!(count("status=CANCELED").await, 2);
    assert_eq!(count("status=expired").await, 1);
    assert_eq!(count("status=pending").await, 7);
    assert_eq!(count("status=").await, 12);
    // Provider (alias clinician_id), patient, search.
    let r = get(format!("provider_id={}", a.admin_id)).await;
    assert_eq!(ids(r.expect(200)), vec![id(11)]);
    let r = get(format!("clinician_id={}", a.clinician_id)).await;
    assert_eq!(r.expect(200)["total"], 11);
    let r = get(format!(
        "patient_id={}",
        invites[5]["patient_id"].as_str().unwrap()
    ))
    .await;
    assert_eq!(ids(r.expect(200)), vec![id(5)]);
    assert_eq!(count("provider_id=not-a-uuid").await, 0);
    let r = get("search=first07".into()).await;
    assert_eq!(ids(r.expect(200)), vec![id(7)]);
    let r = get("search=P03%40ALPHA".into()).await;
    assert_eq!(ids(r.expect(200)), vec![id(3)]);
    // Created between: everything is from today.
    assert_eq!(count("created_after=2000-01-01").await, 12);
    assert_eq!(count("created_before=2000-01-01T00:00:00Z").await, 0);
    // Sorts, both ways, id as tie-breaker; unknown keys sort by created_at.
    let r = get("sort_by=email&sort_order=asc&limit=100".into()).await;
    let expected: Vec<String> = (0..12).map(id).collect();
    assert_eq!(ids(r.expect(200)), expected);
    let r = get("sort_by=last_name&sort_order=asc&limit=100".into()).await;
    let mut by_last = expected.clone();
    by_last.reverse();
    assert_eq!(ids(r.expect(200)), by_last);
    let r = get("sort_by=first_name&sort_order=desc&limit=100".into()).await;
    assert_eq!(ids(r.expect(200)), by_last);
    let r = get("sort_by=status&sort_order=asc&limit=100".into()).await;
    let statuses: Vec<String> = r.expect(200)["invites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(statuses, sorted);
    assert_eq!(statuses[0], "accepted");
    let r = get("sort_by=expires_at&sort_order=asc&limit=1".into()).await;
    assert_eq!(ids(r.expect(200)), vec![id(4)], "the expired one first");
    let r = get("sort_by=nonsense&limit=100".into()).await;
    assert_eq!(ids(r.expect(200)).len(), 12);
    // Trailing slash, no redirect.
    let r = app.get("/api/invites/", Some(&a.clinician)).await;
    assert_eq!(r.expect(200)["total"], 12);
}

/// A provider's pending invites; a patient's invites newest first, with a status filter; the
/// patient fields that derive from invites.
pub async fn pending_patient_invites_and_patient_fields(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let pid = a.patient_id.as_str();
    let patient = || async move {
        app.get(&format!("/api/patients/{pid}"), Some(&a.admin))
            .await
    };
    let p = patient().await;
    assert_eq!(p.expect(200)["screening_status"], "Not Invited");
    assert_eq!(p.body["has_pending_invite"], false);
    let first = invite(app, &a.clinician, pid).await;
    // Issued a while before the second.
    sql(
        app,
        &format!(
            "UPDATE invites SET created_at = '2026-01-01 00:00:00' WHERE id = '{}'",
            first["id"].as_str().unwrap()
        ),
    )
    .await;
    let second = invite(app, &a.admin, pid).await;
    let p = patient().await;
    assert_eq!(p.expect(200)["screening_status"], "Invite Sent");
    assert_eq!(p.body["has_pending_invite"], true);
    let listed = app.get("/api/patients", Some(&a.admin)).await;
    let row = listed
        .expect(200)
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == pid)
        .unwrap()
        .clone();
    assert_eq!(row["screening_status"], "Invite Sent");
    assert_eq!(row["has_pending_invite"], true);
    assert_eq!(row["lastActivity"], p.body["lastActivity"]);
    // Pending by provider: only the admin's is open (the clinician's was superseded).
    let r = app
        .get(&format!("/api/pending/{}", a.admin_id), Some(&a.clinician))
        .await;
    let pending = r.expect(200).as_array().unwrap().clone();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["id"], second["id"]);
    assert_eq!(pending[0]["status"], "pending");
    let r = app
        .get(
            &format!("/api/pending/{}/", a.clinician_id),
            Some(&a.clinician),
        )
        .await;
    assert_eq!(r.expect(200), &json!([]));
    // A patient's invites: newest first; by status.
    let r = app
        .get(&format!("/api/patients/{pid}/invites"), Some(&a.clinician))
        .await;
    let all: Vec<&Value> = r.expect(200).as_array().unwrap().iter().collect();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["id"], second["id"]);
    assert_eq!(all[1]["id"], first["id"]);
    let r = app
        .get(
            &format!("/api/patients/{pid}/invites?status=cancelled"),
            Some(&a.clinician),
        )
        .await;
    let revoked = r.expect(200).as_array().unwrap().clone();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0]["id"], first["id"]);
    app.get(
        &format!("/api/patients/{pid}/invites?status=nope"),
        Some(&a.clinician),
    )
    .await
    .expect_422_at(&["query", "status"]);
    app.get(
        &format!("/api/patients/{}/invites", t.b.patient_id),
        Some(&a.clinician),
    )
    .await
    .expect_detail(404, "Patient not found");
    // Used: the questionnaire is open.
    access(app, &token_of(&second), "Pat", "Ofalpha", DOB)
        .await
        .expect(200);
    let p = patient().await;
    assert_eq!(p.expect(200)["screening_status"], "Chat In Progress");
    assert_eq!(p.body["has_pending_invite"], false);
    // Revoked: not invited any more.
    app.delete(
        &format!("/api/invites/{}", second["id"].as_str().unwrap()),
        Some(&a.admin),
    )
    .await
    .expect(200);
    assert_eq!(patient().await.body["screening_status"], "Not Invited");
    // A clinic's list of many patients derives all of them (one read for the page).
    for i in 0..30 {
        let p = app
            .patient(
                &a.clinician,
                "Many",
                &format!("P{i}"),
                &format!("many{i}@alpha.test"),
            )
            .await;
        if i % 2 == 0 {
            invite(app, &a.clinician, p["id"].as_str().unwrap()).await;
        }
    }
    let listed = app.get("/api/patients?limit=1000", Some(&a.admin)).await;
    let sent = listed
        .expect(200)
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["screening_status"] == "Invite Sent")
        .count();
    assert_eq!(sent, 15);
}

/// `genascope seed-demo` leaves the demo clinic with invites in every status, prints a link that
/// opens its pending invite, and changes nothing when run again.
pub async fn seed_demo_has_invites_in_every_status(app: &TestApp) {
    let data_dir = std::env::temp_dir().join(format!("genascope-seed-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let seed = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_genascope"))
            .arg("seed-demo")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", app.database_url())
            .env("DATA_DIR", &data_dir)
            .env("RUST_LOG", "warn")
            .env("GENASCOPE_DEMO_PASSWORD", "demo-password-2026")
            .env("FRONTEND_BASE_URL", "http://frontend.test")
            .output()
            .unwrap()
    };
    let out = seed();
    assert!(out.status.success(), "{out:?}");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        printed.contains("4 pending, 2 accepted, 2 expired, 2 revoked"),
        "{printed}"
    );
    let admin = app
        .token("admin@demo.genascope.test", "demo-password-2026")
        .await;
    let counts = || async {
        let mut counts = Vec::new();
        for status in ["pending", "accepted", "expired", "revoked"] {
            let r = app
                .get(&format!("/api/invites?status={status}"), Some(&admin))
                .await;
            counts.push(r.expect(200)["total"].as_u64().unwrap());
        }
        counts
    };
    assert_eq!(counts().await, vec![4, 2, 2, 2]);
    // The printed link opens the first patient's pending invite.
    let link = printed
        .split_whitespace()
        .find(|w| w.contains("/invite/"))
        .expect("a link in the output");
    let token = link.rsplit('/').next().unwrap();
    let v = super::verify(app, token).await;
    assert_eq!(v.expect(200)["valid"], true, "{}", v.text);
    assert_eq!(v.body["clinic_name"], "Demo Clinic");
    let again = seed();
    assert!(again.status.success(), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stdout).contains("already exists"));
    assert_eq!(counts().await, vec![4, 2, 2, 2]);
    let _ = std::fs::remove_dir_all(data_dir);
}
