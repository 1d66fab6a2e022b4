//! `genascope seed-demo` adds lab orders in every state, results of each kind and a reviewed
//! result with its report file.

use crate::helpers::TestApp;

pub async fn seed_demo_has_lab_orders_in_every_state(app: &TestApp) {
    let data_dir = std::env::temp_dir().join(format!("genascope-seed-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_genascope"))
        .arg("seed-demo")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", app.database_url())
        .env("DATA_DIR", &data_dir)
        .env("RUST_LOG", "warn")
        .env("GENASCOPE_DEMO_PASSWORD", "demo-password-2026")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Lab orders: 7"),
        "{out:?}"
    );
    let tech = app
        .token("labtech@demo.genascope.test", "demo-password-2026")
        .await;
    let list = app.get("/api/labs/orders", Some(&tech)).await;
    let mut statuses: Vec<String> = list
        .array()
        .iter()
        .map(|o| o["status"].as_str().unwrap().to_owned())
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            "cancelled",
            "completed",
            "completed",
            "in_process",
            "ordered",
            "rejected",
            "specimen_collected"
        ]
    );
    let mut reviewed = 0;
    for o in list.array() {
        let r = app
            .get(
                &format!("/api/labs/results/{}", o["id"].as_str().unwrap()),
                Some(&tech),
            )
            .await;
        let b = r.expect(200);
        if b["reviewed_at"].is_string() {
            reviewed += 1;
            let url = b["results"]["report_url"].as_str().unwrap();
            assert!(
                url.starts_with("/api/files/") && url.ends_with("/download"),
                "{url}"
            );
        }
    }
    assert_eq!(reviewed, 1);
    let _ = std::fs::remove_dir_all(&data_dir);
}
