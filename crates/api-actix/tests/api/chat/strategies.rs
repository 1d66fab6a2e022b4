//! Chat configuration: strategies (contract §3.6).

use super::support::{Chat, open, strategy};
use crate::helpers::{TestApp, ids};
use serde_json::{Value, json};

const BASE: &str = "/api/v1/chat-configuration/strategies";

fn full() -> Value {
    json!({
        "name": "Hereditary breast screening",
        "description": "For the breast clinic",
        "goal": "Find who needs genetic counselling",
        "patient_introduction": "Welcome to the Alpha clinic questionnaire.",
        "specialty": "oncology",
        "targeting_rules": [
            {"field": "age", "operator": "greater_than", "value": 25, "sequence": 2},
            {"field": "sex", "operator": "IS", "value": "female", "sequence": 1}
        ],
        "outcome_actions": [
            {"condition": "meets_criteria", "action_type": "create_task",
             "details": {"assignee": "genetic counsellor"}, "sequence": 0}
        ],
        "knowledge_source_ids": []
    })
}

pub async fn strategy_crud_versions_and_soft_delete(app: &TestApp) {
    let c = Chat::new(app).await;
    let a = &c.t.a;
    let s = strategy(app, &a.clinician, &full()).await;
    assert_eq!(s["account_id"], a.account_id.as_str());
    assert_eq!(s["specialty"], "Oncology", "output as listed");
    assert_eq!(s["is_active"], true);
    assert_eq!(s["version"], 1);
    assert_eq!(s["created_by"], a.clinician_id.as_str());
    assert_eq!(s["knowledge_sources"], json!([]));
    let rules = s["targeting_rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["field"], "sex", "in sequence order");
    assert_eq!(rules[0]["operator"], "is");
    assert_eq!(rules[1]["value"], 25);
    assert!(rules.iter().all(|r| r["id"].as_str().is_some()));
    assert_eq!(
        s["outcome_actions"][0]["details"],
        json!({"assignee": "genetic counsellor"})
    );
    let id = s["id"].as_str().unwrap().to_owned();
    let one = format!("{BASE}/{id}");

    // The frontend's PUT {is_active: true} right after a create changes nothing.
    let r = app
        .put(&one, Some(&a.clinician), &json!({"is_active": true}))
        .await;
    assert_eq!(r.expect(200)["version"], 1);
    // A change: version + 1; absent fields kept; a present array replaces the stored one, an
    // item sending its id back keeps it.
    let kept = rules[1]["id"].clone();
    let r = app
        .put(
            &one,
            Some(&a.admin),
            &json!({"name": "Breast screening", "description": null,
                    "targeting_rules": [{"id": kept, "field": "age", "operator": "less_than", "value": 80, "sequence": "3"}]}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(b["version"], 2);
    assert_eq!(b["name"], "Breast screening");
    assert_eq!(b["description"], Value::Null);
    assert_eq!(b["goal"], "Find who needs genetic counselling");
    assert_eq!(b["targeting_rules"].as_array().unwrap().len(), 1);
    assert_eq!(b["targeting_rules"][0]["id"], kept);
    assert_eq!(b["targeting_rules"][0]["sequence"], 3);
    assert_eq!(
        b["outcome_actions"].as_array().unwrap().len(),
        1,
        "absent: kept"
    );
    let r = app
        .put(&one, Some(&a.admin), &json!({"is_active": false}))
        .await;
    assert_eq!(r.expect(200)["version"], 3);

    // Reads, both slash spellings; filters.
    let got = app.get(&format!("{one}/"), Some(&a.clinician)).await;
    assert_eq!(got.expect(200)["version"], 3);
    let other = strategy(
        app,
        &a.admin,
        &json!({"name": "Cardio", "specialty": "Cardiology"}),
    )
    .await;
    // (The order, by updated_at desc then id, is pinned by the repository suite with a clock.)
    let list = app.get(&format!("{BASE}/"), Some(&a.clinician)).await;
    let mut got = ids(list.array());
    got.sort();
    let mut want = vec![other["id"].as_str().unwrap().to_owned(), id.clone()];
    want.sort();
    assert_eq!(got, want);
    let active = app
        .get(&format!("{BASE}?active_only=true"), Some(&a.clinician))
        .await;
    assert_eq!(ids(active.array()), [other["id"].as_str().unwrap()]);
    let cardio = app
        .get(&format!("{BASE}?specialty=cardiology"), Some(&a.clinician))
        .await;
    assert_eq!(ids(cardio.array()), [other["id"].as_str().unwrap()]);
    let page = app
        .get(&format!("{BASE}?skip=1&limit=1"), Some(&a.clinician))
        .await;
    assert_eq!(page.array().len(), 1);
    let rest = app
        .get(&format!("{BASE}?offset=2"), Some(&a.clinician))
        .await;
    assert!(rest.array().is_empty());
    app.get(&format!("{BASE}?limit=0"), Some(&a.clinician))
        .await
        .expect_422_at(&["query", "limit"]);
    app.get(&format!("{BASE}?limit=101"), Some(&a.clinician))
        .await
        .expect_422_at(&["query", "limit"]);
    app.get(&format!("{BASE}?specialty=astrology"), Some(&a.clinician))
        .await
        .expect_422_at(&["query", "specialty"]);

    // Soft delete: hidden from reads and lists.
    let r = app.delete(&one, Some(&a.clinician)).await;
    assert_eq!(r.expect(200)["message"], "Strategy deleted successfully");
    app.get(&one, Some(&a.clinician)).await.expect(404);
    app.delete(&one, Some(&a.clinician)).await.expect(404);
    let list = app.get(BASE, Some(&a.clinician)).await;
    assert_eq!(ids(list.array()), [other["id"].as_str().unwrap()]);
}

pub async fn strategy_validation(app: &TestApp) {
    let c = Chat::new(app).await;
    let tok = Some(c.t.a.clinician.as_str());
    for (body, loc) in [
        (json!({}), vec!["body", "name"]),
        (json!({"name": "  "}), vec!["body", "name"]),
        (json!({"name": "x".repeat(256)}), vec!["body", "name"]),
        (
            json!({"name": "n", "description": "d".repeat(2001)}),
            vec!["body", "description"],
        ),
        (
            json!({"name": "n", "goal": "g".repeat(2001)}),
            vec!["body", "goal"],
        ),
        (
            json!({"name": "n", "patient_introduction": "p".repeat(4001)}),
            vec!["body", "patient_introduction"],
        ),
        (
            json!({"name": "n", "specialty": "astrology"}),
            vec!["body", "specialty"],
        ),
        (
            json!({"name": "n", "is_active": "perhaps"}),
            vec!["body", "is_active"],
        ),
        (
            json!({"name": "n", "targeting_rules": [{"field": "age", "operator": "around", "value": 1}]}),
            vec!["body", "targeting_rules", "0", "operator"],
        ),
        (
            json!({"name": "n", "targeting_rules": [{"field": "f".repeat(101), "operator": "is"}]}),
            vec!["body", "targeting_rules", "0", "field"],
        ),
        (
            json!({"name": "n", "targeting_rules": [{"field": "age", "operator": "is", "sequence": -1}]}),
            vec!["body", "targeting_rules", "0", "sequence"],
        ),
        (
            json!({"name": "n", "outcome_actions": [{"condition": "meets_criteria", "action_type": "call_home"}]}),
            vec!["body", "outcome_actions", "0", "action_type"],
        ),
        (
            json!({"name": "n", "outcome_actions": [{"condition": "maybe", "action_type": "flag_chart"}]}),
            vec!["body", "outcome_actions", "0", "condition"],
        ),
        (
            json!({"name": "n", "outcome_actions": [{"condition": "meets_criteria", "action_type": "flag_chart", "details": [1]}]}),
            vec!["body", "outcome_actions", "0", "details"],
        ),
    ] {
        let r = app.post(BASE, tok, &body).await;
        let loc: Vec<&str> = loc;
        r.expect_422_at(&loc);
    }
    // 2000, 255 and 100 characters are fine.
    let s = strategy(
        app,
        &c.t.a.clinician,
        &json!({"name": "y".repeat(255), "description": "d".repeat(2000),
                "targeting_rules": [{"field": "f".repeat(100), "operator": "in_list", "value": ["a"]}]}),
    )
    .await;
    // Knowledge sources that do not exist: not found.
    let r = app
        .post(
            BASE,
            tok,
            &json!({"name": "k", "knowledge_source_ids": [uuid::Uuid::new_v4()]}),
        )
        .await;
    r.expect_detail(404, "Knowledge source not found");
    let r = app
        .put(
            &format!("{BASE}/{}", s["id"].as_str().unwrap()),
            tok,
            &json!({"knowledge_source_ids": ["nope"]}),
        )
        .await;
    r.expect_detail(404, "Knowledge source not found");
    // A required field cannot be cleared.
    app.put(
        &format!("{BASE}/{}", s["id"].as_str().unwrap()),
        tok,
        &json!({"name": ""}),
    )
    .await
    .expect_422_at(&["body", "name"]);
}

pub async fn strategy_names_are_unique_among_live_ones(app: &TestApp) {
    let c = Chat::new(app).await;
    let (a, b) = (&c.t.a, &c.t.b);
    let first = strategy(app, &a.clinician, &json!({"name": "Screening"})).await;
    let r = app
        .post(BASE, Some(&a.admin), &json!({"name": "  screening "}))
        .await;
    r.expect_detail(409, "A strategy with this name already exists");
    // Another account may use it.
    strategy(app, &b.clinician, &json!({"name": "Screening"})).await;
    // A rename onto a taken name is 409 too.
    let second = strategy(app, &a.clinician, &json!({"name": "Other"})).await;
    let r = app
        .put(
            &format!("{BASE}/{}", second["id"].as_str().unwrap()),
            Some(&a.clinician),
            &json!({"name": "SCREENING"}),
        )
        .await;
    r.expect_detail(409, "A strategy with this name already exists");
    // After a delete the name is free again.
    app.delete(
        &format!("{BASE}/{}", first["id"].as_str().unwrap()),
        Some(&a.admin),
    )
    .await
    .expect(200);
    strategy(app, &a.clinician, &json!({"name": "Screening"})).await;
}

pub async fn strategy_roles_and_tenancy(app: &TestApp) {
    let c = Chat::new(app).await;
    let (a, b, sa) = (&c.t.a, &c.t.b, &c.t.sa);
    let mine = strategy(app, &a.clinician, &json!({"name": "Alpha"})).await;
    let theirs = strategy(app, &b.clinician, &json!({"name": "Beta"})).await;
    let theirs_path = format!("{BASE}/{}", theirs["id"].as_str().unwrap());
    // Roles other than the care team and super_admin: 403, whatever the id.
    for tok in [&c.patient, &c.user, &c.lab] {
        app.get(BASE, Some(tok))
            .await
            .expect_detail(403, "Not enough permissions");
        app.post(BASE, Some(tok), &json!({"name": "x"}))
            .await
            .expect(403);
        app.get(&theirs_path, Some(tok)).await.expect(403);
        app.delete(&theirs_path, Some(tok)).await.expect(403);
    }
    app.get(BASE, None).await.expect(401);
    // Another account's strategy: 404, exactly as a missing one.
    for tok in [&a.admin, &a.clinician] {
        let foreign = app.get(&theirs_path, Some(tok)).await;
        foreign.expect_detail(404, "Chat strategy not found");
        app.put(&theirs_path, Some(tok), &json!({"name": "Hacked"}))
            .await
            .expect(404);
        app.delete(&theirs_path, Some(tok)).await.expect(404);
        app.get(&format!("{BASE}/not-a-uuid"), Some(tok))
            .await
            .expect(404);
        // Lists stay in the account; another account's filter matches nothing.
        let list = app.get(BASE, Some(tok)).await;
        assert_eq!(ids(list.array()), [mine["id"].as_str().unwrap()]);
        let list = app
            .get(&format!("{BASE}?account_id={}", b.account_id), Some(tok))
            .await;
        assert!(list.array().is_empty());
        // A create naming another account: 404.
        app.post(
            BASE,
            Some(tok),
            &json!({"name": "x", "account_id": b.account_id}),
        )
        .await
        .expect_detail(404, "Account not found");
    }
    // super_admin: every account, the account_id filter; creates name the account.
    let all = app.get(BASE, Some(sa)).await;
    assert_eq!(all.array().len(), 2);
    let only_b = app
        .get(&format!("{BASE}?account_id={}", b.account_id), Some(sa))
        .await;
    assert_eq!(ids(only_b.array()), [theirs["id"].as_str().unwrap()]);
    app.post(BASE, Some(sa), &json!({"name": "Root"}))
        .await
        .expect_422_at(&["body", "account_id"]);
    let s = strategy(
        app,
        sa,
        &json!({"name": "Root", "account_id": b.account_id}),
    )
    .await;
    assert_eq!(s["account_id"], b.account_id.as_str());
    assert_eq!(s["created_by"].as_str().map(str::len), Some(36));
    app.get(&theirs_path, Some(sa)).await.expect(200);
    app.post(
        BASE,
        Some(sa),
        &json!({"name": "Nowhere", "account_id": uuid::Uuid::new_v4()}),
    )
    .await
    .expect_detail(404, "Account not found");
}

/// A deleted strategy: hidden from configuration, but the sessions that use it keep working and
/// keep its name.
pub async fn deleted_strategy_keeps_its_sessions_working(app: &TestApp) {
    let c = Chat::new(app).await;
    let a = &c.t.a;
    let s = strategy(
        app,
        &a.clinician,
        &json!({"name": "Family history", "patient_introduction": "Hello from Alpha."}),
    )
    .await;
    let session = open(
        app,
        &a.clinician,
        &json!({"patient_id": a.patient_id, "strategy_id": s["id"]}),
    )
    .await;
    assert_eq!(session["strategy_id"], s["id"]);
    assert_eq!(session["strategy_name"], "Family history");
    assert!(
        session["initial_message"]
            .as_str()
            .unwrap()
            .starts_with("Hello from Alpha."),
        "{session}"
    );
    app.delete(
        &format!("{BASE}/{}", s["id"].as_str().unwrap()),
        Some(&a.admin),
    )
    .await
    .expect(200);
    let path = format!("/ai-chat/sessions/{}", session["id"].as_str().unwrap());
    let r = app
        .post(
            &format!("{path}/messages"),
            Some(&c.patient),
            &json!({"message": "yes"}),
        )
        .await;
    assert_eq!(r.expect(200)["question_id"], 2);
    let got = app.get(&path, Some(&a.clinician)).await;
    assert_eq!(got.expect(200)["strategy_name"], "Family history");
    // The deleted strategy can no longer be chosen by the care team for a new session.
    app.post(
        "/ai-chat/sessions",
        Some(&a.clinician),
        &json!({"strategy_id": s["id"]}),
    )
    .await
    .expect_detail(404, "Chat strategy not found");
}
