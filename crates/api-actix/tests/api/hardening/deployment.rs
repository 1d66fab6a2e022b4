//! Items 18 and 20: the docs switch, production defaults, outbox file permissions.

use super::*;

// ---------------------------------------------------------------------------------------------
// Item 18: docs switch and terse health

/// `DOCS_ENABLED=false`: no docs UI, no OpenAPI document (404), the API itself unaffected.
pub async fn docs_can_be_switched_off(backend: Backend) {
    let app = spawn_app_with(backend, &[("DOCS_ENABLED", "false")]).await;
    for path in [
        "/docs",
        "/docs/",
        "/docs/index.html",
        "/openapi.json",
        "/api/openapi.json",
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
    }
    app.get("/health", None).await.expect(200);
    app.shutdown().await;
}

/// In production: `/health` tells version and environment only to a super_admin; docs are off
/// unless asked for; no proxy is trusted, so `X-Forwarded-For` from anyone cannot dodge the
/// per-IP limit (item 4).
pub async fn production_defaults(backend: Backend) {
    let app = spawn_app_with(backend, &[("APP_ENV", "production")]).await;
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Prod Clinic", "admin@prod.test").await;
    for (who, token) in [
        ("anonymous", None),
        ("an admin", Some(c.admin.as_str())),
        ("a bad token", Some("not-a-token")),
    ] {
        let r = app.get("/health", token).await;
        let b = r.expect(200);
        assert!(b["status"].is_string(), "{}", r.text);
        assert!(
            b.get("version").is_none() && b.get("environment").is_none(),
            "{who}: {}",
            r.text
        );
    }
    let r = app.get("/health", Some(&sa)).await;
    let b = r.expect(200);
    assert_eq!(b["environment"], "production", "{}", r.text);
    assert!(b["version"].is_string(), "{}", r.text);
    for path in ["/docs", "/docs/", "/openapi.json", "/api/openapi.json"] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
    }
    // X-Forwarded-For from the loopback peer is not believed in production.
    for i in 0..50 {
        let r = app
            .send(
                app.client
                    .post(app.url("/api/auth/token"))
                    .header("X-Forwarded-For", format!("198.51.100.{i}"))
                    .form(&[
                        ("username", format!("p{i}@nowhere.test").as_str()),
                        ("password", "wrong-password-1"),
                    ]),
            )
            .await;
        assert_eq!(r.status, 401, "attempt {}: {}", i + 1, r.text);
    }
    let r = app
        .send(
            app.client
                .post(app.url("/api/auth/token"))
                .header("X-Forwarded-For", "192.0.2.200")
                .form(&[
                    ("username", "q@nowhere.test"),
                    ("password", "wrong-password-1"),
                ]),
        )
        .await;
    assert_eq!(r.status, 429, "{}", r.text);
    app.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Item 20: outbox files

/// Outbox mail (live reset links) is readable by the owner only: files 0600, folder 0700.
pub async fn outbox_files_are_owner_only(app: &TestApp) {
    app.super_admin().await;
    app.post(
        "/api/auth/password-reset/request",
        None,
        &json!({"email": SA_EMAIL}),
    )
    .await
    .expect(200);
    app.reset_token_for(SA_EMAIL).await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&app.outbox_dir), 0o700, "outbox folder");
        let files: Vec<_> = std::fs::read_dir(&app.outbox_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(!files.is_empty());
        for f in files {
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
    }
}
