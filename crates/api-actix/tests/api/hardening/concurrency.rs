//! Items 6 and 16: concurrent patient edits and write contention.

use super::*;

// ---------------------------------------------------------------------------------------------
// Item 6: concurrent patient edits

fn if_match(
    app: &TestApp,
    path: &str,
    token: &str,
    etag: &str,
    body: &Value,
) -> reqwest::RequestBuilder {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .header("If-Match", etag)
        .json(body)
}

/// `GET`/`PUT` answer `ETag: "<version>"`; a `PUT` with a stale `If-Match` is 409 and changes
/// nothing; a current one (also weak, or `*`) writes; a malformed one is 422 naming the header.
/// Of several writes racing with the same `If-Match`, exactly one lands.
pub async fn if_match_makes_patient_writes_conditional(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Etag Clinic", "admin@etag.test").await;
    let p = id_of(&app.patient(&c.admin, "Ed", "Tag", "ed@etag.test").await);
    let path = format!("/api/patients/{p}");
    let g = app.get(&path, Some(&c.admin)).await;
    g.expect(200);
    assert_eq!(g.header("etag").as_deref(), Some("\"1\""));

    let r = app
        .send(if_match(
            app,
            &path,
            &c.admin,
            "\"1\"",
            &json!({"notes": "first"}),
        ))
        .await;
    assert_eq!(r.expect(200)["notes"], "first");
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    // Stale: 409, nothing written.
    let r = app
        .send(if_match(
            app,
            &path,
            &c.admin,
            "\"1\"",
            &json!({"notes": "lost", "phone": "555 010 9999"}),
        ))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    let g = app.get(&path, Some(&c.admin)).await;
    assert_eq!(
        (&g.expect(200)["notes"], &g.body["phone"]),
        (&json!("first"), &Value::Null)
    );
    assert_eq!(g.header("etag").as_deref(), Some("\"2\""));
    // Weak and wildcard forms.
    let r = app
        .send(if_match(
            app,
            &path,
            &c.admin,
            "W/\"2\"",
            &json!({"notes": "second"}),
        ))
        .await;
    assert_eq!(r.expect(200)["notes"], "second");
    assert_eq!(r.header("etag").as_deref(), Some("\"3\""));
    let r = app
        .send(if_match(
            app,
            &path,
            &c.admin,
            "*",
            &json!({"notes": "third"}),
        ))
        .await;
    assert_eq!(r.expect(200)["notes"], "third");
    assert_eq!(r.header("etag").as_deref(), Some("\"4\""));
    // Malformed.
    for bad in ["abc", "\"four\"", "", "4.0", "\"-\"", "W/"] {
        let r = app
            .send(if_match(
                app,
                &path,
                &c.admin,
                bad,
                &json!({"notes": "bad"}),
            ))
            .await;
        r.expect_422_at(&["header", "If-Match"]);
    }
    let g = app.get(&path, Some(&c.admin)).await;
    assert_eq!(g.expect(200)["notes"], "third");
    assert_eq!(g.header("etag").as_deref(), Some("\"4\""));

    // Racing writers that all read version 4: one lands, the others are 409.
    let writes = (0..6).map(|i| {
        app.send(if_match(
            app,
            &path,
            &c.admin,
            "\"4\"",
            &json!({"notes": format!("racer {i}")}),
        ))
    });
    let results = futures_util::future::join_all(writes).await;
    let mut statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409, 409, 409, 409, 409], "{results:?}");
    let winner = results.iter().find(|r| r.status == 200).unwrap();
    let g = app.get(&path, Some(&c.admin)).await;
    assert_eq!(g.expect(200)["notes"], winner.body["notes"]);
    assert_eq!(g.header("etag").as_deref(), Some("\"5\""));
}

/// The fields one round of concurrent edits sets, with the value each gets in round `r`.
fn round_fields(r: usize, clinicians: &[String; 2]) -> Vec<(&'static str, Value)> {
    vec![
        ("first_name", json!(format!("First{r}"))),
        ("last_name", json!(format!("Last{r}"))),
        ("email", json!(format!("r{r}@race.test"))),
        ("phone", json!(format!("555 010 {r:04}"))),
        ("external_id", json!(format!("EXT-{r}"))),
        ("date_of_birth", json!(format!("197{r}-0{}-1{r}", r + 1))),
        ("notes", json!(format!("notes of round {r}"))),
        ("status", json!(["inactive", "pending", "archived"][r % 3])),
        ("clinician_id", json!(clinicians[r % 2])),
    ]
}

/// 20 concurrent `PUT`s without `If-Match`, each setting one field (9 fields, some written
/// twice or three times with the same value), three rounds: every write lands (200), the record
/// ends with every field of the round, and the version moved on by at least the number of
/// fields changed (a write of a value another racer already wrote still counts as a change
/// against what it read) and at most the number of writes.
pub async fn concurrent_edits_of_different_fields_all_stand(app: &TestApp) {
    let (path, admin, clinicians) = race_fixture(app, "race").await;
    for round in 0..3 {
        let fields = round_fields(round, &clinicians);
        let bodies: Vec<Value> = (0..20)
            .map(|i| {
                let (field, value) = &fields[i % fields.len()];
                json!({ *field: value })
            })
            .collect();
        let writes = bodies.iter().map(|b| app.put(&path, Some(&admin), b));
        let results = futures_util::future::join_all(writes).await;
        for (i, r) in results.iter().enumerate() {
            assert_eq!(
                r.status,
                200,
                "round {round}, write {i} ({}): {}",
                fields[i % fields.len()].0,
                r.text
            );
        }
        let g = app.get(&path, Some(&admin)).await;
        let b = g.expect(200);
        for (field, value) in &fields {
            assert_eq!(&b[*field], value, "round {round}: {field} stands");
        }
        let version: usize = g
            .header("etag")
            .and_then(|e| e.trim_matches('"').parse().ok())
            .unwrap();
        assert!(
            (1 + fields.len() * (round + 1)..=1 + 20 * (round + 1)).contains(&version),
            "round {round}: version {version}"
        );
    }
}

/// The invariant that holds whatever the timing: concurrent `PUT`s without `If-Match` are
/// never lost silently. Each answers 200 (and its value is in the record) or 409 (and it is
/// not); none is a 5xx; the version grows by at least the fields that changed and at most the
/// writes.
pub async fn concurrent_edits_are_never_lost_silently(app: &TestApp) {
    let (path, admin, clinicians) = race_fixture(app, "never").await;
    let mut version = 1;
    for round in 0..3 {
        let fields = round_fields(round, &clinicians);
        let before = app.get(&path, Some(&admin)).await.body;
        let bodies: Vec<Value> = (0..20)
            .map(|i| {
                let (field, value) = &fields[i % fields.len()];
                json!({ *field: value })
            })
            .collect();
        let writes = bodies.iter().map(|b| app.put(&path, Some(&admin), b));
        let results = futures_util::future::join_all(writes).await;
        let mut landed = HashSet::new();
        for (i, r) in results.iter().enumerate() {
            let field = fields[i % fields.len()].0;
            assert!(
                r.status == 200 || r.status == 409,
                "round {round}, {field}: {} {}",
                r.status,
                r.text
            );
            if r.status == 200 {
                landed.insert(field);
            }
        }
        eprintln!(
            "round {round}: {} of 20 concurrent PUTs without If-Match answered 409",
            results.iter().filter(|r| r.status == 409).count()
        );
        let b = app.get(&path, Some(&admin)).await.body;
        for (field, value) in &fields {
            if landed.contains(field) {
                assert_eq!(&b[*field], value, "round {round}: {field} answered 200");
            } else {
                assert_eq!(
                    b[*field], before[*field],
                    "round {round}: {field} answered 409"
                );
            }
        }
        // A field that kept an earlier round's value (all its writes were 409) may already
        // hold this round's value: writing it again changes nothing.
        let least = version
            + fields
                .iter()
                .filter(|(f, v)| landed.contains(f) && before[*f] != *v)
                .count();
        let g = app.get(&path, Some(&admin)).await;
        let now: usize = g
            .header("etag")
            .and_then(|e| e.trim_matches('"').parse().ok())
            .unwrap();
        assert!(
            (least..=version + 20).contains(&now),
            "round {round}: {now} not in {least}..={}",
            version + 20
        );
        version = now;
    }
}

/// A patient and two clinicians to assign; (path, admin token, clinician ids).
async fn race_fixture(app: &TestApp, tag: &str) -> (String, String, [String; 2]) {
    let sa = app.super_admin().await;
    let c = app
        .account(&sa, &format!("{tag} Clinic"), &format!("admin@{tag}.test"))
        .await;
    let c1 = app
        .user(&c.admin, &format!("c1@{tag}.test"), "Cleo One", "clinician")
        .await;
    let c2 = app
        .user(&c.admin, &format!("c2@{tag}.test"), "Cleo Two", "physician")
        .await;
    let p = id_of(
        &app.patient(&c.admin, "Rae", "Race", &format!("rae@{tag}.test"))
            .await,
    );
    (format!("/api/patients/{p}"), c.admin, [c1, c2])
}

// ---------------------------------------------------------------------------------------------
// Item 16: write contention

/// 40 concurrent writes (20 creates, 20 updates of distinct patients) and some reads: no 5xx
/// ("database is locked" on SQLite), every write lands.
pub async fn concurrent_writes_never_500(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Busy Clinic", "admin@busy.test").await;
    let seed: Vec<Value> = (0..20)
        .map(|i| json!({"first_name": "Seed", "last_name": format!("N{i}"), "email": format!("s{i}@busy.test")}))
        .collect();
    app.post(
        "/api/patients/bulk",
        Some(&c.admin),
        &json!({"patients": seed}),
    )
    .await
    .expect(200);
    let existing = ids(app.get("/api/patients", Some(&c.admin)).await.array());
    assert_eq!(existing.len(), 20);
    let new_bodies: Vec<Value> = (0..20)
        .map(|i| json!({"first_name": "New", "last_name": format!("N{i}"), "email": format!("n{i}@busy.test"), "notes": "x"}))
        .collect();
    let paths: Vec<String> = existing
        .iter()
        .map(|id| format!("/api/patients/{id}"))
        .collect();
    let edits: Vec<Value> = (0..20)
        .map(|i| json!({"notes": format!("updated {i}"), "phone": format!("555 020 {i:04}")}))
        .collect();
    let creates: Vec<_> = new_bodies
        .iter()
        .map(|b| app.post("/api/patients", Some(&c.admin), b))
        .collect();
    let updates: Vec<_> = paths
        .iter()
        .zip(&edits)
        .map(|(path, b)| app.put(path, Some(&c.admin), b))
        .collect();
    let reads: Vec<_> = paths
        .iter()
        .take(5)
        .map(|path| app.get(path, Some(&c.admin)))
        .collect();
    let (created, updated, read) = tokio::join!(
        futures_util::future::join_all(creates),
        futures_util::future::join_all(updates),
        futures_util::future::join_all(reads),
    );
    for r in created.iter() {
        assert_eq!(r.status, 201, "create: {}", r.text);
    }
    for r in updated.iter() {
        assert_eq!(r.status, 200, "update: {}", r.text);
    }
    for r in read.iter() {
        assert_eq!(r.status, 200, "read: {}", r.text);
    }
    let all = app.get("/api/patients", Some(&c.admin)).await;
    assert_eq!(all.array().len(), 40);
    let updated_notes = all
        .array()
        .iter()
        .filter(|p| {
            p["notes"]
                .as_str()
                .is_some_and(|n| n.starts_with("updated "))
        })
        .count();
    assert_eq!(updated_notes, 20);
}
