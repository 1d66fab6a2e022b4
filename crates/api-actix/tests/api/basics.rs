//! Health, documentation, routing conventions, headers and body rules (contract §1, §3.11).

use crate::helpers::{PW, TestApp};
use serde_json::{Value, json};

pub async fn health_ready_live(app: &TestApp) {
    for path in ["/health", "/api/health", "/health/"] {
        let r = app.get(path, None).await;
        let b = r.expect(200);
        assert_eq!(b["status"], "healthy", "{path}");
        assert_eq!(b["database_connected"], true);
        assert_eq!(b["services"]["database"], "up");
        assert_eq!(b["services"]["email"], "up");
        assert_eq!(b["outbox"], json!({"pending": 0, "dead": 0}));
        assert!(b["version"].is_string() && b["environment"].is_string());
        let ts = b["timestamp"].as_str().unwrap();
        assert!(ts.ends_with('Z') && ts.len() == 20, "{ts}");
    }
    let r = app.get("/ready", None).await;
    assert_eq!(r.expect(200), &json!({"status": "ready"}));
    let r = app.get("/live", None).await;
    let b = r.expect(200);
    assert_eq!(b["status"], "alive");
    assert!(b["timestamp"].is_string());
}

pub async fn openapi_and_docs(app: &TestApp) {
    for path in ["/openapi.json", "/api/openapi.json"] {
        let r = app.get(path, None).await;
        let b = r.expect(200);
        assert!(b["openapi"].as_str().unwrap().starts_with('3'), "{path}");
        let paths = b["paths"].as_object().expect("paths object");
        for p in ["/api/patients", "/api/auth/token", "/api/users", "/health"] {
            assert!(paths.contains_key(p), "{path} lacks {p}");
        }
    }
    let r = app.get("/docs/", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ctype = r.header("content-type").unwrap_or_default();
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(r.text.to_lowercase().contains("<html"), "{}", r.text);
}

/// Contract §1.1: `/docs` is the documented address, and no route redirects.
pub async fn docs_without_slash_is_not_a_redirect(app: &TestApp) {
    let r = app.get("/docs", None).await;
    assert!(
        !(300..400).contains(&r.status),
        "/docs redirects ({}) to {:?}",
        r.status,
        r.header("location")
    );
    assert_eq!(r.status, 200);
}

pub async fn unknown_path_is_json_404(app: &TestApp) {
    for path in [
        "/nope",
        "/api/nope",
        "/api/patients/x/y/z",
        "/api/auth/register",
    ] {
        let r = app.get(path, None).await;
        r.expect_detail(404, "Not Found");
        assert!(
            r.header("content-type")
                .unwrap_or_default()
                .starts_with("application/json")
        );
    }
    // Whatever the Accept header says.
    let r = app
        .send(
            app.client
                .get(app.url("/api/nope"))
                .header("accept", "text/html"),
        )
        .await;
    r.expect_detail(404, "Not Found");
}

pub async fn register_route_does_not_exist(app: &TestApp) {
    let r = app
        .post(
            "/api/auth/register",
            None,
            &json!({"email": "new@x.test", "password": PW, "name": "New Person"}),
        )
        .await;
    r.expect_detail(404, "Not Found");
}

/// Resources with several methods (`web::resource`): a wrong method is a JSON 405.
pub async fn wrong_method_is_json_405(app: &TestApp) {
    let sa = app.super_admin().await;
    let id = uuid::Uuid::new_v4();
    for (method, path) in [
        (reqwest::Method::DELETE, "/api/patients".to_owned()),
        (reqwest::Method::PATCH, "/api/users".to_owned()),
        (reqwest::Method::PUT, "/api/accounts".to_owned()),
        (reqwest::Method::POST, format!("/api/patients/{id}")),
        (reqwest::Method::PATCH, format!("/api/users/{id}/")),
    ] {
        let r = app
            .send(
                app.client
                    .request(method.clone(), app.url(&path))
                    .bearer_auth(&sa),
            )
            .await;
        assert_eq!(r.status, 405, "{method} {path}: {}", r.text);
        assert_eq!(
            r.body,
            json!({"detail": "Method Not Allowed"}),
            "{method} {path}"
        );
    }
}

/// Contract §1.1: every known path answers a wrong method with 405, including the routes
/// registered with a single method (`cfg.route`).
pub async fn wrong_method_on_single_method_routes_is_405(app: &TestApp) {
    let sa = app.super_admin().await;
    let mut wrong = Vec::new();
    for (method, path) in [
        (reqwest::Method::POST, "/api/auth/me"),
        (reqwest::Method::POST, "/health"),
        (reqwest::Method::DELETE, "/ready"),
        (reqwest::Method::GET, "/api/auth/token"),
        (reqwest::Method::PUT, "/api/clinicians"),
    ] {
        let r = app
            .send(
                app.client
                    .request(method.clone(), app.url(path))
                    .bearer_auth(&sa),
            )
            .await;
        if r.status != 405 {
            wrong.push(format!("{method} {path} -> {} {}", r.status, r.text));
        }
    }
    assert!(wrong.is_empty(), "not 405: {wrong:#?}");
}

/// Contract §1.1: 405 carries `Allow`.
pub async fn wrong_method_has_allow_header(app: &TestApp) {
    let r = app.send(app.client.delete(app.url("/api/patients"))).await;
    assert_eq!(r.status, 405, "{}", r.text);
    let allow = r.header("allow").expect("Allow header on 405");
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
}

pub async fn trailing_slash_is_never_a_redirect(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Slash Clinic", "admin@slash.test").await;
    app.patient(&c.admin, "Sam", "Slash", "sam@slash.test")
        .await;
    for path in [
        "/api/patients",
        "/api/accounts",
        "/api/users",
        "/api/clinicians",
    ] {
        let plain = app.get(path, Some(&c.admin)).await;
        let slash = app.get(&format!("{path}/"), Some(&c.admin)).await;
        assert_eq!(plain.status, 200, "{path}: {}", plain.text);
        assert_eq!(slash.status, 200, "{path}/: {}", slash.text);
        assert_eq!(plain.body, slash.body, "{path}");
    }
    let me = app.get("/api/auth/me/", Some(&c.admin)).await;
    assert_eq!(me.expect(200)["id"], c.admin_id.as_str());
    // A POST with a slash reaches the handler too.
    let r = app
        .post(
            "/api/users/",
            Some(&c.admin),
            &json!({"email": "slashy@slash.test", "name": "Slashy User", "role": "clinician", "password": PW}),
        )
        .await;
    r.expect(201);
    let r = app
        .post(
            "/api/accounts/",
            Some(&sa),
            &json!({"name": "Second", "admin_email": "a2@slash.test", "admin_name": "A Two", "admin_password": PW}),
        )
        .await;
    r.expect(201);
    // With a query string as well.
    let r = app
        .get("/api/patients/?limit=1&_cb=1", Some(&c.admin))
        .await;
    assert_eq!(r.expect(200).as_array().unwrap().len(), 1);
}

pub async fn cache_buster_query_is_ignored(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Cb Clinic", "admin@cb.test").await;
    app.patient(&c.admin, "Cara", "Buster", "cara@cb.test")
        .await;
    let plain = app.get("/api/patients", Some(&c.admin)).await;
    let busted = app
        .get("/api/patients?_cb=1715000000000&_v=2.1", Some(&c.admin))
        .await;
    assert_eq!(plain.expect(200), busted.expect(200));
    let r = app
        .get("/api/auth/me?_cb=1&_v=2.1&unknown=x", Some(&c.admin))
        .await;
    r.expect(200);
    // Client no-cache headers are ignored.
    let r = app
        .send(
            app.client
                .get(app.url("/api/accounts/"))
                .bearer_auth(&c.admin)
                .header("cache-control", "no-cache")
                .header("pragma", "no-cache"),
        )
        .await;
    assert_eq!(r.expect(200).as_array().unwrap().len(), 1);
    // An empty filter value means absent.
    let r = app
        .get("/api/patients?clinician_id=&status=", Some(&c.admin))
        .await;
    assert_eq!(r.expect(200).as_array().unwrap().len(), 1);
}

pub async fn request_id_and_cache_control_headers(app: &TestApp) {
    let r = app.get("/health", None).await;
    let id = r
        .header("x-request-id")
        .expect("x-request-id on a public route");
    assert!(!id.is_empty());
    let r = app.get("/nope", None).await;
    assert!(r.header("x-request-id").is_some(), "x-request-id on a 404");
    let r = app
        .send(
            app.client
                .get(app.url("/live"))
                .header("x-request-id", "abc-123"),
        )
        .await;
    assert_eq!(r.header("x-request-id").as_deref(), Some("abc-123"));

    let sa = app.super_admin().await;
    for path in ["/api/auth/me", "/api/accounts", "/api/users"] {
        let r = app.get(path, Some(&sa)).await;
        r.expect(200);
        assert_eq!(
            r.header("cache-control").as_deref(),
            Some("no-store"),
            "{path}"
        );
        assert!(r.header("x-request-id").is_some());
    }
    // Also on authenticated error answers.
    let r = app
        .get(&format!("/api/users/{}", uuid::Uuid::new_v4()), Some(&sa))
        .await;
    r.expect(404);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert!(r.header("x-request-id").is_some());
}

pub async fn invalid_json_is_422_json_invalid(app: &TestApp) {
    let sa = app.super_admin().await;
    for body in [&b"{nope"[..], b"{\"name\": ", b"\xff\xfe"] {
        let r = app
            .post_raw(
                "/api/accounts",
                Some(&sa),
                "application/json",
                body.to_vec(),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        let first = &r.body["detail"][0];
        assert_eq!(first["loc"], json!(["body"]), "{}", r.text);
        assert_eq!(first["type"], "json_invalid", "{}", r.text);
        assert!(first["msg"].is_string());
    }
}

pub async fn json_parsed_whatever_the_content_type(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Ctype Clinic", "admin@ctype.test").await;
    let body = json!({"first_name": "Tex", "last_name": "Plain", "email": "tex@ctype.test"});
    for (i, ctype) in [
        "text/plain",
        "application/octet-stream",
        "text/plain;charset=UTF-8",
    ]
    .into_iter()
    .enumerate()
    {
        let mut b = body.clone();
        b["email"] = Value::String(format!("tex{i}@ctype.test"));
        let r = app
            .post_raw(
                "/api/patients",
                Some(&c.admin),
                ctype,
                serde_json::to_vec(&b).unwrap(),
            )
            .await;
        assert_eq!(
            r.expect(201)["email"],
            format!("tex{i}@ctype.test"),
            "{ctype}"
        );
    }
    // No content type at all.
    let r = app
        .send(
            app.client
                .post(app.url("/api/patients"))
                .bearer_auth(&c.admin)
                .body(r#"{"first_name":"No","last_name":"Type","email":"none@ctype.test"}"#),
        )
        .await;
    r.expect(201);
}

pub async fn lenient_booleans_and_numbers(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app
        .account(&sa, "Lenient Clinic", "admin@lenient.test")
        .await;
    for (i, v) in [
        json!("false"),
        json!("FALSE"),
        json!("0"),
        json!(0),
        json!(false),
    ]
    .into_iter()
    .enumerate()
    {
        let r = app
            .post(
                "/api/users",
                Some(&c.admin),
                &json!({"email": format!("off{i}@lenient.test"), "name": "Off User", "role": "clinician",
                        "password": PW, "is_active": v}),
            )
            .await;
        assert_eq!(r.expect(201)["is_active"], false, "{v}");
    }
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "on@lenient.test", "name": "On User", "role": "clinician",
                    "password": PW, "is_active": "True"}),
        )
        .await;
    assert_eq!(r.expect(201)["is_active"], true);
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "bad@lenient.test", "name": "Bad User", "role": "clinician",
                    "password": PW, "is_active": "maybe"}),
        )
        .await;
    r.expect_422_at(&["body", "is_active"]);
    // Query numbers are strings by nature; padded values are trimmed.
    let r = app.get("/api/users?limit=%202%20", Some(&c.admin)).await;
    assert_eq!(r.expect(200).as_array().unwrap().len(), 2);
    let r = app.get("/api/users?limit=1.5", Some(&c.admin)).await;
    r.expect_422_at(&["query", "limit"]);
    // Unknown JSON fields are ignored; enums are case-insensitive, output lowercase.
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "  Mixed@Lenient.TEST ", "name": "  Mixed Case ", "role": "Physician",
                    "password": PW, "confirm_password": PW, "initial_context": {"x": 1}}),
        )
        .await;
    let b = r.expect(201);
    assert_eq!(b["role"], "physician");
    assert_eq!(b["email"], "mixed@lenient.test");
    assert_eq!(b["name"], "Mixed Case");
}

pub async fn body_over_one_mib_is_413_json(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Big Clinic", "admin@big.test").await;
    let notes = "x".repeat(1024 * 1024 + 10);
    let body = serde_json::to_vec(
        &json!({"first_name": "Big", "last_name": "Body", "email": "big@big.test", "notes": notes}),
    )
    .unwrap();
    let r = app
        .post_raw("/api/patients", Some(&c.admin), "application/json", body)
        .await;
    assert_eq!(r.status, 413, "{}", r.text);
    assert!(
        r.body["detail"].is_string(),
        "413 body is not JSON: {}",
        r.text
    );
    // Nothing was created.
    let r = app.get("/api/patients", Some(&c.admin)).await;
    assert!(r.expect(200).as_array().unwrap().is_empty());
}

/// PostgreSQL only (an SQLite file cannot be taken away the same way): when the database goes,
/// `/ready` is 503 and `/health` reports `degraded`; `/live` stays 200.
pub async fn ready_is_503_without_database(app: &TestApp) {
    app.get("/ready", None).await.expect(200);
    app.drop_database_now().await;
    let r = app.get("/ready", None).await;
    assert_eq!(
        r.expect(503),
        &json!({"detail": "Service not ready", "status": "not_ready"})
    );
    let r = app.get("/health", None).await;
    let b = r.expect(200);
    assert_eq!(b["status"], "degraded");
    assert_eq!(b["database_connected"], false);
    assert_eq!(b["services"]["database"], "down");
    assert!(
        !r.text.contains("127.0.0.1") && !r.text.contains("genascope_test"),
        "{}",
        r.text
    );
    app.get("/live", None).await.expect(200);
}

/// Contract §3.11: the OpenAPI document (3.1) describes every route of the build, per method.
pub async fn openapi_describes_every_route(app: &TestApp) {
    let doc = app.get("/openapi.json", None).await;
    let doc = doc.expect(200);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let mut missing = Vec::new();
    for (method, path) in [
        ("get", "/health"),
        ("get", "/ready"),
        ("get", "/live"),
        ("post", "/api/auth/token"),
        ("post", "/api/auth/refresh"),
        ("post", "/api/auth/logout"),
        ("get", "/api/auth/me"),
        ("post", "/api/auth/change-password"),
        ("post", "/api/auth/password-reset/request"),
        ("post", "/api/auth/password-reset/confirm"),
        ("post", "/api/admin/create_account"),
        ("get", "/api/accounts"),
        ("post", "/api/accounts"),
        ("get", "/api/accounts/{id}"),
        ("put", "/api/accounts/{id}"),
        ("delete", "/api/accounts/{id}"),
        ("get", "/api/users"),
        ("post", "/api/users"),
        ("post", "/api/account/create_user"),
        ("get", "/api/users/{id}"),
        ("put", "/api/users/{id}"),
        ("delete", "/api/users/{id}"),
        ("post", "/api/users/{id}/password-reset"),
        ("get", "/api/clinicians"),
        ("get", "/api/patients"),
        ("post", "/api/patients"),
        ("post", "/api/patients/import-csv"),
        ("post", "/api/patients/bulk"),
        ("get", "/api/patients/{id}"),
        ("put", "/api/patients/{id}"),
        ("delete", "/api/patients/{id}"),
        ("get", "/api/eligibility/export/{patient_id}"),
        ("get", "/api/patients/{id}/invites"),
        ("post", "/api/eligibility/analyze"),
        ("get", "/api/v1/chat-configuration/strategies"),
        ("post", "/api/v1/chat-configuration/strategies"),
        ("get", "/api/v1/chat-configuration/strategies/{id}"),
        ("put", "/api/v1/chat-configuration/strategies/{id}"),
        ("delete", "/api/v1/chat-configuration/strategies/{id}"),
        ("post", "/api/start_chat"),
        ("post", "/api/submit_answer"),
        ("get", "/api/history/{session_id}"),
        ("get", "/ai-chat/sessions"),
        ("post", "/ai-chat/sessions"),
        ("get", "/ai-chat/sessions/{id}"),
        ("get", "/ai-chat/sessions/{id}/messages"),
        ("post", "/ai-chat/sessions/{id}/messages"),
        ("post", "/ai-chat/sessions/{id}/end"),
        ("get", "/ai-chat/sessions/{id}/assessment"),
        ("get", "/api/ai-chat/sessions"),
        ("post", "/api/ai-chat/sessions"),
        ("get", "/api/ai-chat/sessions/{id}"),
        ("get", "/api/ai-chat/sessions/{id}/messages"),
        ("post", "/api/ai-chat/sessions/{id}/messages"),
        ("post", "/api/ai-chat/sessions/{id}/end"),
        ("get", "/api/ai-chat/sessions/{id}/assessment"),
        ("post", "/api/labs/order_test"),
        ("post", "/api/lab-tests/order"),
        ("get", "/api/labs/results/{order_id}"),
        ("post", "/api/labs/results/{order_id}"),
        ("post", "/api/labs/review_result/{order_id}"),
        ("get", "/api/labs/orders"),
        ("get", "/api/labs/orders/{order_id}"),
        ("put", "/api/labs/orders/{order_id}/status"),
        ("get", "/api/labs/patient/{patient_id}/orders"),
        ("get", "/api/labs/clinician/{clinician_id}/orders"),
        ("get", "/api/labs/available_tests"),
        ("post", "/api/labs/webhook"),
    ] {
        if doc["paths"][path][method].is_null() {
            missing.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    assert!(missing.is_empty(), "not in /openapi.json: {missing:?}");
}

/// The docs page loads its spec and its assets from the binary.
pub async fn docs_assets_are_served(app: &TestApp) {
    let page = app.get("/docs/", None).await;
    page.expect(200);
    let init = app.get("/docs/swagger-initializer.js", None).await;
    assert_eq!(init.status, 200, "{}", init.text);
    for asset in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js"] {
        let r = app.get(asset, None).await;
        assert_eq!(r.status, 200, "{asset}");
    }
    // The spec URL the page is configured with answers JSON.
    let spec_url = init
        .text
        .split('"')
        .find(|s| s.ends_with("openapi.json"))
        .map(str::to_owned)
        .unwrap_or_else(|| "/api-docs/openapi.json".to_owned());
    let spec = app.get(&spec_url, None).await;
    assert!(
        spec.expect(200)["paths"]["/api/patients"].is_object(),
        "{spec_url}"
    );
}
