//! The durable outbox end to end (issue #7 §5), against a real SMTP server: Python's aiosmtpd
//! (`pip install aiosmtpd`, as in `adapters-smtp/tests`), started by the test with its Maildir
//! handler, so every accepted message lands as a file read back here.
//!
//! - A reset email queued by a server that is then killed with SIGKILL (the real binary) is
//!   delivered by the next server started on the same database.
//! - While the SMTP server is down the messages wait and are retried with backoff; once it is up
//!   every message arrives exactly once, although two replicas deliver the same outbox.

use crate::helpers::{JWT_SECRET, PW};
use genascope_adapters_postgres::testing::{TestDb, test_db};
use genascope_adapters_postgres::{Backend, Database};
use genascope_api::config::Config;
use genascope_api::startup::{Application, Services};
use serde_json::json;
use std::collections::HashMap;
use std::io::BufRead;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// aiosmtpd on a loopback port, writing each message it accepts into a Maildir.
struct Sink {
    child: Child,
    maildir: PathBuf,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_sink(port: u16) -> Sink {
    let maildir = std::env::temp_dir().join(format!(
        "genascope-outbox-smtp-{port}-{}",
        uuid::Uuid::new_v4()
    ));
    let child = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd is needed: pip install aiosmtpd");
    let sink = Sink { child, maildir };
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the aiosmtpd sink did not start (pip install aiosmtpd)"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    sink
}

/// The messages the sink accepted (raw RFC 5322 text).
fn delivered(maildir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect()
}

/// The `To:` address of a raw message.
fn recipient(message: &str) -> String {
    message
        .lines()
        .find_map(|l| l.strip_prefix("To: "))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Wait until `ok()` holds, at most `limit`.
async fn wait_for(limit: Duration, what: &str, mut ok: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ok().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The environment of a server delivering mail by SMTP to `smtp_port`, with short retry delays.
fn env(db: &TestDb, data_dir: &Path, smtp_port: u16) -> HashMap<&'static str, String> {
    HashMap::from([
        ("DATABASE_URL", db.url().to_owned()),
        ("HOST", "127.0.0.1".to_owned()),
        ("PORT", "0".to_owned()),
        ("DATA_DIR", data_dir.to_string_lossy().into_owned()),
        ("JWT_SECRET", JWT_SECRET.to_owned()),
        ("FRONTEND_BASE_URL", "http://frontend.test".to_owned()),
        ("MAIL_BACKEND", "smtp".to_owned()),
        ("SMTP_HOST", "127.0.0.1".to_owned()),
        ("SMTP_PORT", smtp_port.to_string()),
        ("SMTP_TLS", "none".to_owned()),
        ("OUTBOX_BACKOFF_BASE_MS", "100".to_owned()),
        ("OUTBOX_BACKOFF_MAX_SECONDS", "1".to_owned()),
        ("OUTBOX_MAX_ATTEMPTS", "100".to_owned()),
        ("OUTBOX_POLL_SECONDS", "1".to_owned()),
    ])
}

fn data_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("genascope-outbox-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn fresh_db(backend: Backend) -> TestDb {
    tokio::task::spawn_blocking(move || test_db(backend))
        .await
        .unwrap()
}

async fn drop_db(db: TestDb) {
    tokio::task::spawn_blocking(move || drop(db)).await.unwrap();
}

/// The real binary.
fn genascope(env: &HashMap<&'static str, String>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_genascope"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null());
    c
}

/// `genascope serve`, and its base URL once it listens. Its output is drained on a thread (a
/// full pipe would block the server).
fn serve(env: &HashMap<&'static str, String>) -> (Child, String) {
    let mut child = genascope(env)
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("genascope serve starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(base) = line.strip_prefix("genascope listening on ") {
                let _ = tx.send(base.trim().to_owned());
            }
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("genascope serve did not start listening");
    (child, base)
}

/// `genascope outbox …`: its stdout.
fn outbox_cli(env: &HashMap<&'static str, String>, args: &[&str]) -> String {
    let out = genascope(env)
        .arg("outbox")
        .args(args)
        .output()
        .expect("genascope outbox runs");
    assert!(
        out.status.success(),
        "genascope outbox {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A password-reset email is queued by a server whose SMTP server is down; the server is killed
/// with SIGKILL; the next server, started once the SMTP server is up, delivers it, exactly once.
pub async fn a_message_queued_before_kill_9_is_delivered_after_restart(backend: Backend) {
    let t = fresh_db(backend).await;
    let dir = data_dir();
    let smtp_port = free_port();
    let mut env = env(&t, &dir, smtp_port);
    // The kill may land while the first server holds the message's lease (between a claim and
    // its failed attempt): with the default lease (2 min) the next server could not deliver it
    // within the wait below. One server runs at a time here, so a short lease sends nothing twice.
    env.insert("OUTBOX_LEASE_SECONDS", "2".to_owned());
    let email = "root@kill.test";
    let created = genascope(&env)
        .args([
            "create-super-admin",
            "--email",
            email,
            "--name",
            "Root Kill",
        ])
        .env("GENASCOPE_ADMIN_PASSWORD", PW)
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );

    let (mut first, base) = serve(&env);
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{base}/api/auth/password-reset/request"))
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The worker tried (the SMTP server is down) and will retry.
    let db: &Database = t.db();
    wait_for(Duration::from_secs(10), "a failed attempt", async || {
        let rows = db
            .outbox_list(false, 10, time::OffsetDateTime::now_utc())
            .await
            .unwrap();
        rows.len() == 1 && rows[0].attempts >= 1
    })
    .await;
    let listed = outbox_cli(&env, &["list"]);
    assert!(listed.contains("email"), "{listed}");
    assert!(
        listed.contains("SMTP"),
        "the error class is listed: {listed}"
    );
    assert!(!listed.contains(email), "never a recipient: {listed}");
    assert!(listed.contains("1 pending, 0 dead"), "{listed}");

    first.kill().unwrap(); // SIGKILL: no shutdown code runs.
    first.wait().unwrap();
    assert_eq!(db.outbox_counts().await.unwrap().pending, 1, "still queued");

    let sink = start_sink(smtp_port);
    let (mut second, _) = serve(&env);
    wait_for(Duration::from_secs(15), "the delivery", async || {
        db.outbox_counts().await.unwrap().pending == 0
    })
    .await;
    // A second delivery would show up within a few worker rounds.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let messages = delivered(&sink.maildir);
    assert_eq!(messages.len(), 1, "delivered exactly once");
    assert_eq!(recipient(&messages[0]), email);
    assert!(
        messages[0].contains("http://frontend.test/reset-password?token="),
        "the reset link"
    );
    let listed = outbox_cli(&env, &["list", "--all"]);
    assert!(listed.contains("sent"), "{listed}");
    assert!(listed.contains("0 pending, 0 dead"), "{listed}");

    second.kill().unwrap();
    second.wait().unwrap();
    drop(sink);
    drop_db(t).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// One server (a replica) on a shared database, in this process.
struct Replica {
    address: String,
    services: Services,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn replica(env: &HashMap<&'static str, String>) -> Replica {
    let config = Config::from_lookup(&|k| env.get(k).cloned()).expect("config");
    let (app, services) = Application::build(&config).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let server = tokio::spawn(app.run_until_stopped());
    Replica {
        address,
        services,
        server,
    }
}

/// The SMTP server is down while mail is queued on two replicas: every message waits and is
/// retried with backoff; once the server is back, every message is delivered exactly once.
pub async fn an_smtp_outage_loses_nothing_and_sends_nothing_twice(backend: Backend) {
    const USERS: usize = 12;
    let t = fresh_db(backend).await;
    let dir = data_dir();
    let smtp_port = free_port();
    let env = env(&t, &dir, smtp_port);
    let (a, b) = (replica(&env).await, replica(&env).await);
    let db: &Database = t.db();

    a.services
        .state
        .identity
        .create_super_admin(
            genascope_api::routes::identity::super_admin_command(
                "root@outage.test",
                "Root Outage",
                PW,
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{}/api/auth/token", a.address))
        .form(&[("username", "root@outage.test"), ("password", PW)])
        .send()
        .await
        .unwrap();
    let sa: serde_json::Value = login.json().await.unwrap();
    let sa = sa["access_token"].as_str().unwrap().to_owned();
    let account: serde_json::Value = client
        .post(format!("{}/api/accounts", a.address))
        .bearer_auth(&sa)
        .json(
            &json!({"name": "Outage Clinic", "admin_email": "admin@outage.test",
                      "admin_name": "Outage Admin", "admin_password": PW}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let account_id = account["id"].as_str().unwrap().to_owned();
    // Users without a password, created on either replica: each gets a set-password email.
    let mut expected = Vec::new();
    for i in 0..USERS {
        let to = format!("user{i:02}@outage.test");
        let on = if i % 2 == 0 { &a.address } else { &b.address };
        let r = client
            .post(format!("{on}/api/users"))
            .bearer_auth(&sa)
            .json(
                &json!({"email": to, "name": format!("User {i}"), "role": "clinician",
                          "account_id": account_id}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        expected.push(to);
    }
    // Down for a while: every message fails and is retried, some several times.
    wait_for(
        Duration::from_secs(15),
        "retries during the outage",
        async || {
            let rows = db
                .outbox_list(false, 100, time::OffsetDateTime::now_utc())
                .await
                .unwrap();
            rows.len() == USERS
                && rows.iter().all(|r| r.attempts >= 1)
                && rows.iter().any(|r| r.attempts >= 3)
        },
    )
    .await;
    assert_eq!(db.outbox_counts().await.unwrap().dead, 0);

    let sink = start_sink(smtp_port);
    wait_for(Duration::from_secs(20), "every delivery", async || {
        db.outbox_counts().await.unwrap().pending == 0
    })
    .await;
    // Both workers keep running a little longer: a duplicate would show up now.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut got: Vec<String> = delivered(&sink.maildir)
        .iter()
        .map(|m| recipient(m))
        .collect();
    got.sort();
    assert_eq!(got, expected, "every message once, none twice, none lost");
    assert_eq!(db.outbox_counts().await.unwrap().dead, 0);
    let all = db
        .outbox_list(true, 100, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert!(all.iter().all(|r| r.status.as_str() == "sent"), "{all:?}");

    for r in [a, b] {
        let Replica {
            services, server, ..
        } = r;
        server.abort();
        let _ = server.await;
        services.close().await;
    }
    drop(sink);
    drop_db(t).await;
    let _ = std::fs::remove_dir_all(&dir);
}
