//! The labs' signed webhook (contract §3.8) with real signatures, and the operator command that
//! issues them.

use super::{fixture, order, set_status};
use crate::helpers::{JWT_SECRET, LAB_SECRET_KEY, Resp, TestApp};
use genascope_domain::common::AccountId;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};

/// HMAC-SHA256 of `"{ts}.{body}"`, lowercase hex, computed here (not by the product code).
fn signature(secret: &str, ts: &str, body: &[u8]) -> String {
    let mut m = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(ts.as_bytes());
    m.update(b".");
    m.update(body);
    m.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Send `body` as lab `lab`, signed with `secret` at `ts` (the signature may be over `signed`).
async fn send(app: &TestApp, lab: &str, ts: i64, sig: &str, body: &[u8]) -> Resp {
    app.send(
        app.client
            .post(app.url("/api/labs/webhook"))
            .header("X-Lab-Id", lab)
            .header("X-Signature-Timestamp", ts.to_string())
            .header("X-Signature", sig)
            .header("content-type", "application/json")
            .body(body.to_vec()),
    )
    .await
}

async fn signed(app: &TestApp, lab: &str, secret: &str, body: &Value) -> Resp {
    let bytes = serde_json::to_vec(body).unwrap();
    let ts = now();
    send(
        app,
        lab,
        ts,
        &signature(secret, &ts.to_string(), &bytes),
        &bytes,
    )
    .await
}

async fn integration(app: &TestApp, accounts: &[&str]) -> (String, String) {
    let accounts = accounts
        .iter()
        .map(|a| AccountId::parse(a).unwrap())
        .collect();
    let issued = app
        .labs
        .create_integration("Acme Labs", accounts)
        .await
        .unwrap();
    (issued.integration.id.to_string(), issued.secret)
}

async fn status_of(app: &TestApp, token: &str, id: &str) -> Value {
    app.get(&format!("/api/labs/orders/{id}"), Some(token))
        .await
        .expect(200)
        .clone()
}

/// Good, wrong secret, stale and future timestamps, tampered body, oversize body, missing and
/// malformed headers, unknown and disabled labs, rotated secrets.
pub async fn webhook_signatures(app: &TestApp) {
    let l = fixture(app).await;
    let a = &l.t.a;
    let (lab, secret) = integration(app, &[&a.account_id]).await;
    let o = order(app, &a.clinician, &a.patient_id, json!({})).await;
    let id = o["id"].as_str().unwrap();
    let event = json!({"event_id": "evt-1", "order_id": id, "event": "status", "status": "specimen_collected"});
    let bytes = serde_json::to_vec(&event).unwrap();
    let ts = now();
    let good = signature(&secret, &ts.to_string(), &bytes);
    let refused = |r: Resp| r.expect_detail(401, "Invalid signature");
    refused(
        send(
            app,
            &lab,
            ts,
            &signature("wrong-secret", &ts.to_string(), &bytes),
            &bytes,
        )
        .await,
    );
    let old = ts - 301;
    refused(
        send(
            app,
            &lab,
            old,
            &signature(&secret, &old.to_string(), &bytes),
            &bytes,
        )
        .await,
    );
    // The server reads its clock after `ts` was taken, so a timestamp only 301 s ahead of `ts`
    // can be 300 s ahead of the server's now (within the window) when a second ticks between
    // the two: give the future side a margin the test's own slowness cannot use up.
    let ahead = ts + 330;
    refused(
        send(
            app,
            &lab,
            ahead,
            &signature(&secret, &ahead.to_string(), &bytes),
            &bytes,
        )
        .await,
    );
    let tampered = serde_json::to_vec(
        &json!({"event_id": "evt-1", "order_id": id, "event": "status", "status": "rejected"}),
    )
    .unwrap();
    refused(send(app, &lab, ts, &good, &tampered).await);
    // Not hex. (Upper-case hex is the same tag and passes: this case used to upper-case the
    // signature and replace its 'A's, which left a valid tag whenever it had none, 1.6 % of
    // timestamps: a flaky test.)
    let not_hex = format!("G{}", &good.to_uppercase()[1..]);
    refused(send(app, &lab, ts, &not_hex, &bytes).await);
    refused(send(app, &lab, ts, "", &bytes).await);
    refused(send(app, &uuid::Uuid::new_v4().to_string(), ts, &good, &bytes).await);
    refused(send(app, "not-a-lab", ts, &good, &bytes).await);
    refused(app.post("/api/labs/webhook", None, &event).await);
    // None of it changed the order.
    assert_eq!(status_of(app, &a.admin, id).await["status"], "ordered");
    // The good call, with the tolerated prefix.
    let r = send(app, &lab, ts, &format!("sha256={good}"), &bytes).await;
    assert_eq!(r.expect(200), &json!({"received": true}));
    let after = status_of(app, &a.admin, id).await;
    assert_eq!(after["status"], "specimen_collected");
    // A replay (same signature, or signed again) changes nothing.
    let r = send(app, &lab, ts, &good, &bytes).await;
    assert_eq!(r.expect(200), &json!({"received": true, "duplicate": true}));
    let r = signed(app, &lab, &secret, &event).await;
    assert_eq!(r.expect(200)["duplicate"], true);
    assert_eq!(status_of(app, &a.admin, id).await, after);
    // More than 1 MiB: 413 before anything is checked.
    let mut big = event.clone();
    big["padding"] = json!("x".repeat(1024 * 1024));
    let r = signed(app, &lab, &secret, &big).await;
    assert_eq!(r.status, 413, "{}", r.text);
    // Rotation: the old secret stops working at once.
    let rotated = app
        .labs
        .rotate_secret(genascope_domain::common::LabIntegrationId::parse(&lab).unwrap())
        .await
        .unwrap();
    let next =
        json!({"event_id": "evt-2", "order_id": id, "event": "status", "status": "in_process"});
    refused(signed(app, &lab, &secret, &next).await);
    signed(app, &lab, &rotated.secret, &next).await.expect(200);
    // Disabled: refused.
    app.labs
        .disable_integration(genascope_domain::common::LabIntegrationId::parse(&lab).unwrap())
        .await
        .unwrap();
    let last =
        json!({"event_id": "evt-3", "order_id": id, "event": "status", "status": "rejected"});
    refused(signed(app, &lab, &rotated.secret, &last).await);
    assert_eq!(status_of(app, &a.admin, id).await["status"], "in_process");
}

/// Status and results events by order id and by the lab's reference; another account's orders
/// are 404; invalid transitions 409; bad bodies 422; none of them recorded as seen.
pub async fn webhook_events_change_orders(app: &TestApp) {
    let l = fixture(app).await;
    let (a, b) = (&l.t.a, &l.t.b);
    let (lab, secret) = integration(app, &[&a.account_id]).await;
    let o = order(app, &a.clinician, &a.patient_id, json!({})).await;
    let id = o["id"].as_str().unwrap();
    let theirs = order(app, &b.clinician, &b.patient_id, json!({})).await;
    let ev = |n: &str, rest: Value| {
        let mut v = json!({"event_id": n});
        v.as_object_mut()
            .unwrap()
            .extend(rest.as_object().unwrap().clone());
        v
    };
    // Another account's order does not exist for this lab.
    signed(
        app,
        &lab,
        &secret,
        &ev(
            "e0",
            json!({"order_id": theirs["id"], "event": "status", "status": "specimen_collected"}),
        ),
    )
    .await
    .expect_detail(404, "Lab order not found");
    // By id, remembering the lab's reference.
    signed(app, &lab, &secret, &ev("e1", json!({"order_id": id, "lab_reference": "ACME-1", "event": "status", "status": "specimen_collected"})))
        .await
        .expect(200);
    assert_eq!(
        status_of(app, &a.admin, id).await["lab_reference"],
        "ACME-1"
    );
    // By reference.
    signed(app, &lab, &secret, &ev("e2", json!({"lab_reference": "ACME-1", "event": "results", "results": {"brca1": "negative"}, "result_status": "preliminary"})))
        .await
        .expect(200);
    signed(
        app,
        &lab,
        &secret,
        &ev(
            "e-unknown",
            json!({"lab_reference": "ACME-404", "event": "status", "status": "rejected"}),
        ),
    )
    .await
    .expect_detail(404, "Lab order not found");
    // An invalid transition: 409, and a retry after fixing nothing is 409 again (not "seen").
    for _ in 0..2 {
        signed(
            app,
            &lab,
            &secret,
            &ev(
                "e3",
                json!({"order_id": id, "event": "status", "status": "specimen_collected"}),
            ),
        )
        .await
        .expect_detail(
            409,
            "Invalid status transition from in_process to specimen_collected",
        );
    }
    // Labs do not cancel; bad bodies are 422 naming the field.
    signed(
        app,
        &lab,
        &secret,
        &ev(
            "e4",
            json!({"order_id": id, "event": "status", "status": "cancelled"}),
        ),
    )
    .await
    .expect_422_at(&["body", "status"]);
    for (body, loc) in [
        (
            json!({"order_id": id, "event": "status", "status": "rejected"}),
            vec!["body", "event_id"],
        ),
        (
            ev("e5", json!({"event": "status", "status": "rejected"})),
            vec!["body", "order_id"],
        ),
        (
            ev("e5", json!({"order_id": id, "status": "rejected"})),
            vec!["body", "event"],
        ),
        (
            ev("e5", json!({"order_id": id, "event": "ping"})),
            vec!["body", "event"],
        ),
        (
            ev(
                "e5",
                json!({"order_id": id, "event": "results", "results": {}}),
            ),
            vec!["body", "results"],
        ),
        (
            ev(
                "e5",
                json!({"order_id": id, "event": "results", "results": {"a": "b"}, "report_url": "ftp://x"}),
            ),
            vec!["body", "report_url"],
        ),
        (
            ev(
                &"e".repeat(201),
                json!({"order_id": id, "event": "status", "status": "rejected"}),
            ),
            vec!["body", "event_id"],
        ),
    ] {
        signed(app, &lab, &secret, &body).await.expect_422_at(&loc);
    }
    let bytes = b"[1,2]".to_vec();
    let ts = now();
    send(
        app,
        &lab,
        ts,
        &signature(&secret, &ts.to_string(), &bytes),
        &bytes,
    )
    .await
    .expect_422_at(&["body"]);
    // A final result completes the order; the patient still sees nothing until review.
    signed(app, &lab, &secret, &ev("e6", json!({"order_id": id, "event": "results", "results": {"brca1": "negative"}, "report_url": "https://acme.example/r/1"})))
        .await
        .expect(200);
    let done = status_of(app, &a.admin, id).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["result_status"], "final");
    app.get(&format!("/api/labs/results/{id}"), Some(&l.patient))
        .await
        .expect_detail(404, "Lab order not found");
    // Only applied events are recorded.
    #[derive(diesel::QueryableByName)]
    struct E {
        #[diesel(sql_type = diesel::sql_types::Text)]
        event_id: String,
    }
    let mut seen: Vec<String> = app
        .query::<E>("SELECT event_id FROM lab_events")
        .await
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    seen.sort();
    assert_eq!(seen, vec!["e1", "e2", "e6"]);
}

/// The same event delivered many times at once is applied once (the unique key, not a read).
pub async fn parallel_deliveries_apply_once(app: &TestApp) {
    let l = fixture(app).await;
    let a = &l.t.a;
    let (lab, secret) = integration(app, &[&a.account_id]).await;
    let o = order(app, &a.clinician, &a.patient_id, json!({})).await;
    let id = o["id"].as_str().unwrap();
    set_status(app, &l.tech, id, "specimen_collected")
        .await
        .expect(200);
    let event = json!({"event_id": "same", "order_id": id, "event": "results", "results": {"brca1": "negative"}, "result_status": "preliminary"});
    let tasks: Vec<_> = (0..8).map(|_| signed(app, &lab, &secret, &event)).collect();
    let answers = futures_util::future::join_all(tasks).await;
    let mut applied = 0;
    for r in &answers {
        let b = r.expect(200);
        if b.get("duplicate").is_none() {
            applied += 1;
        }
    }
    assert_eq!(applied, 1, "{answers:?}");
    #[derive(diesel::QueryableByName)]
    struct V {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        version: i32,
    }
    let v = app
        .query::<V>(&format!("SELECT version FROM lab_orders WHERE id = '{id}'"))
        .await;
    assert_eq!(v[0].version, 3, "created, collected, one result");
}

fn genascope(
    app: &TestApp,
    dir: &std::path::Path,
    key: Option<&str>,
    args: &[&str],
) -> std::process::Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_genascope"));
    c.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", app.database_url())
        .env("DATA_DIR", dir)
        .env("JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "warn");
    if let Some(k) = key {
        c.env("LAB_SECRET_KEY", k);
    }
    c.output().expect("run genascope")
}

fn secret_of(out: &std::process::Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .find_map(|l| l.trim().strip_prefix("secret:"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| panic!("no secret in: {text}"))
}

/// `genascope lab-integration create|rotate-secret|disable` against the app's database: the
/// printed secret signs calls the running server accepts; rotation and disabling apply at once;
/// the secret is not stored in clear.
pub async fn lab_integration_command(app: &TestApp) {
    let l = fixture(app).await;
    let a = &l.t.a;
    let o = order(app, &a.clinician, &a.patient_id, json!({})).await;
    let id = o["id"].as_str().unwrap().to_owned();
    let dir = std::env::temp_dir().join(format!("genascope-lab-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let account = a.account_id.clone();
    let run = |key: Option<&'static str>, args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        genascope(app, &dir, key, &args)
    };
    let create = |key| {
        run(
            key,
            vec![
                "lab-integration".into(),
                "create".into(),
                "--name".into(),
                "Acme".into(),
                "--account".into(),
                account.clone(),
            ],
        )
    };
    // Without the at-rest key: refused, exit 1.
    let out = create(None);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = create(Some(LAB_SECRET_KEY));
    let secret = secret_of(&out);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let lab = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("X-Lab-Id:"))
        .unwrap()
        .trim()
        .to_owned();
    #[derive(diesel::QueryableByName)]
    struct S {
        #[diesel(sql_type = diesel::sql_types::Text)]
        sealed_secret: String,
    }
    let stored = app
        .query::<S>("SELECT sealed_secret FROM lab_integrations")
        .await;
    assert!(!stored[0].sealed_secret.contains(&secret));
    let ev =
        |n: &str, s: &str| json!({"event_id": n, "order_id": id, "event": "status", "status": s});
    signed(app, &lab, &secret, &ev("c1", "specimen_collected"))
        .await
        .expect(200);
    let out = run(
        Some(LAB_SECRET_KEY),
        vec![
            "lab-integration".into(),
            "rotate-secret".into(),
            lab.clone(),
        ],
    );
    let new_secret = secret_of(&out);
    assert_ne!(new_secret, secret);
    signed(app, &lab, &secret, &ev("c2", "in_process"))
        .await
        .expect_detail(401, "Invalid signature");
    signed(app, &lab, &new_secret, &ev("c2", "in_process"))
        .await
        .expect(200);
    let out = run(
        Some(LAB_SECRET_KEY),
        vec!["lab-integration".into(), "disable".into(), lab.clone()],
    );
    assert!(out.status.success());
    signed(app, &lab, &new_secret, &ev("c3", "rejected"))
        .await
        .expect_detail(401, "Invalid signature");
    // Unknown integration, unknown account: exit 1 with a sentence.
    let out = run(
        Some(LAB_SECRET_KEY),
        vec![
            "lab-integration".into(),
            "disable".into(),
            uuid::Uuid::new_v4().to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run(
        Some(LAB_SECRET_KEY),
        vec![
            "lab-integration".into(),
            "create".into(),
            "--name".into(),
            "X".into(),
            "--account".into(),
            uuid::Uuid::new_v4().to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Account not found"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `genascope lab-integration list`: every integration with its id, name, accounts, active and
/// creation time; never a secret (neither the issued one nor the sealed one); works without
/// the at-rest key.
pub async fn lab_integration_list(app: &TestApp) {
    let t = app.tenancy().await;
    let dir = std::env::temp_dir().join(format!("genascope-lab-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |key: Option<&str>, args: &[&str]| genascope(app, &dir, key, args);
    let out = run(None, &["lab-integration", "list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "No lab integrations.\n"
    );
    let (a, b) = (t.a.account_id.as_str(), t.b.account_id.as_str());
    let acme = run(
        Some(LAB_SECRET_KEY),
        &[
            "lab-integration",
            "create",
            "--name",
            "Acme Labs",
            "--account",
            a,
            "--account",
            b,
        ],
    );
    let beta = run(
        Some(LAB_SECRET_KEY),
        &[
            "lab-integration",
            "create",
            "--name",
            "Beta",
            "--account",
            b,
        ],
    );
    let secrets = [secret_of(&acme), secret_of(&beta)];
    let id_of = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("X-Lab-Id:")
                    .map(|s| s.trim().to_owned())
            })
            .unwrap()
    };
    let (acme_id, beta_id) = (id_of(&acme), id_of(&beta));
    assert!(
        run(
            Some(LAB_SECRET_KEY),
            &["lab-integration", "disable", &beta_id]
        )
        .status
        .success()
    );
    let out = run(None, &["lab-integration", "list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two rows:\n{text}");
    assert!(lines[0].starts_with("ID"), "{text}");
    let row = |id: &str| *lines.iter().find(|l| l.starts_with(id)).unwrap();
    let mut served = [a, b];
    served.sort_unstable();
    let acme_row = row(&acme_id);
    assert!(acme_row.contains("Acme Labs"), "{acme_row}");
    assert!(acme_row.contains(&served.join(",")), "{acme_row}");
    assert!(acme_row.contains(" yes "), "{acme_row}");
    let beta_row = row(&beta_id);
    assert!(beta_row.contains(" no "), "{beta_row}");
    assert!(beta_row.ends_with(b), "{beta_row}");
    assert!(!beta_row.contains(a), "{beta_row}");
    // The creation time, RFC 3339 UTC.
    let created = beta_row.split_whitespace().nth(2).unwrap();
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");
    #[derive(diesel::QueryableByName)]
    struct S {
        #[diesel(sql_type = diesel::sql_types::Text)]
        sealed_secret: String,
    }
    let sealed = app
        .query::<S>("SELECT sealed_secret FROM lab_integrations")
        .await;
    for s in secrets
        .iter()
        .chain(sealed.iter().map(|s| &s.sealed_secret))
    {
        assert!(!text.contains(s.as_str()), "a secret in the listing");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
