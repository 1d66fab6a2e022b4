//! What the real process writes to its log at `RUST_LOG=debug` (issue #7 §6): every use case and
//! repository span names the ids it works on (`actor`, `patient_id`, ...), and nothing a patient
//! typed or staff entered about a patient (names, email, phone, date of birth, notes, search
//! text) nor any credential ever appears, at any level.

use genascope_adapters_postgres::Backend;
use genascope_adapters_postgres::testing::test_db;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

const PASSWORD: &str = "demo-password-2026";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

#[tokio::test]
async fn debug_logs_name_ids_and_never_phi() {
    let db = tokio::task::spawn_blocking(|| test_db(Backend::Sqlite))
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("genascope-logs-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let seeded = Command::new(env!("CARGO_BIN_EXE_genascope"))
        .arg("seed-demo")
        .env("DATABASE_URL", db.url())
        .env("DATA_DIR", &dir)
        .env("RUST_LOG", "warn")
        .env("GENASCOPE_DEMO_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_genascope"))
        .arg("serve")
        .env("DATABASE_URL", db.url())
        .env("DATA_DIR", &dir)
        .env("PORT", "0")
        .env("RUST_LOG", "debug")
        .env("SHUTDOWN_DRAIN_SECONDS", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Both streams, whole, for the checks at the end; the banner's first line gives the address.
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    for (i, stream) in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ]
    .into_iter()
    .enumerate()
    {
        let (log, tx) = (log.clone(), tx.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if i == 0 && line.starts_with("genascope listening on ") {
                    let _ = tx.send(line.rsplit(' ').next().unwrap_or_default().to_owned());
                }
                let mut all = log.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
    }
    let base = tokio::task::spawn_blocking(move || {
        rx.recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_default()
    })
    .await
    .unwrap();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let client = reqwest::Client::new();
    let token: Value = client
        .post(format!("{base}/api/auth/token"))
        .form(&[
            ("username", "admin@demo.genascope.test"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let created: Value = client
        .post(format!("{base}/api/patients"))
        .header("Authorization", &bearer)
        .json(&json!({
            "first_name": "Quintessa",
            "last_name": "Zebulonova",
            "email": "q.zebulonova@example.org",
            "phone": "+1 555 019 7342",
            "date_of_birth": "1971-03-14",
            "notes": "Prefers afternoon calls",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().expect("a patient id").to_owned();
    // A request that continues a W3C trace (issue #12): every line it logs names the trace.
    let traced = client
        .get(format!("{base}/api/patients/{id}"))
        .header("Authorization", &bearer)
        .header("x-request-id", "traced-request-0001")
        .header("traceparent", format!("00-{TRACE_ID}-00f067aa0ba902b7-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(traced.status(), 200);
    for url in [
        format!("{base}/api/patients/{id}"),
        format!("{base}/api/patients/?query=Zebulonova"),
    ] {
        let res = client
            .get(url)
            .header("Authorization", &bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let res = client
        .put(format!("{base}/api/patients/{id}"))
        .header("Authorization", &bearer)
        .json(&json!({"phone": "+1 555 019 9999"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A calendar subscription URL is made and used: its token never reaches the log.
    let clinician: Value = client
        .post(format!("{base}/api/auth/token"))
        .form(&[
            ("username", "clinician1@demo.genascope.test"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let clinician_id = clinician["user_id"].as_str().expect("a user id").to_owned();
    let made: Value = client
        .post(format!(
            "{base}/api/appointments/clinician/{clinician_id}/calendar-token"
        ))
        .header("Authorization", &bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = made["url"].as_str().expect("a feed url").to_owned();
    let feed_token = url.rsplit_once("token=").unwrap().1.to_owned();
    let res = client
        .get(format!(
            "{base}/api/appointments/clinician/{clinician_id}/calendar.ics?token={feed_token}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    let log = log.lock().unwrap().clone();

    // Every line of the traced request (its use case and repository spans, its access line)
    // carries the caller's trace id.
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("traced-request-0001"))
        .collect();
    assert!(
        lines.len() >= 3,
        "too few lines for the traced request:\n{log}"
    );
    for line in &lines {
        assert!(line.contains(&format!("trace_id={TRACE_ID}")), "{line}");
    }
    // The spans name what they worked on.
    assert!(
        log.contains(&format!("patient_id={id}")),
        "no span names the patient id:\n{log}"
    );
    assert!(log.contains("actor="), "no span names the actor:\n{log}");
    // Nothing about the patient, and no credential, at any level.
    for secret in [
        "Quintessa",
        "Zebulonova",
        "zebulonova@example.org",
        "555 019",
        "1971-03-14",
        "afternoon",
        PASSWORD,
        token["access_token"].as_str().unwrap(),
        token["refresh_token"].as_str().unwrap(),
        &feed_token,
    ] {
        assert!(!log.contains(secret), "the log holds {secret:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
