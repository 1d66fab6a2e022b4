//! The harness: the real server on port 0 over a fresh database, plus request helpers.

use genascope_adapters_postgres::Backend;
use genascope_adapters_postgres::Database;
use genascope_adapters_postgres::notify::worker::OutboxWorker;
use genascope_adapters_postgres::testing::{TestDb, test_db};
use genascope_api::config::Config;
use genascope_api::startup::Application;
use genascope_domain::identity::service::IdentityService;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The password every fixture user gets.
pub const PW: &str = "correct-horse-9";
/// The JWT secret of every test app.
pub const JWT_SECRET: &str = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
/// The at-rest key of lab integration secrets of every test app (`LAB_SECRET_KEY`).
pub const LAB_SECRET_KEY: &str = "4c4142534543524554303132333435363738396162636465666768696a6b6c6d";
/// The super admin every fixture creates.
pub const SA_EMAIL: &str = "root@platform.test";

/// A running app over its own database.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// No redirects followed.
    pub client: reqwest::Client,
    /// Where emails land.
    pub outbox_dir: PathBuf,
    /// Direct access to the identity service (operator actions).
    pub identity: IdentityService,
    /// Direct access to the lab service (operator actions: integrations).
    pub labs: genascope_domain::labs::service::LabService,
    /// The app's database (the outbox's state).
    pub database: Arc<Database>,
    data_dir: PathBuf,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    handle: actix_web::dev::ServerHandle,
    pool: genascope_adapters_postgres::PoolShutdown,
    worker: Option<OutboxWorker>,
    /// The read-audit writer's thread (PostgreSQL), joined at shutdown as `Services::close` does.
    audit_writer: Option<genascope_adapters_postgres::AuditWriterHandle>,
    db: TestDb,
    /// The configuration it was built from (for [`TestApp::replica`]).
    vars: HashMap<String, String>,
}

/// Another server on a [`TestApp`]'s database and configuration: a second replica. Shut it down
/// before the app.
pub struct Replica {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    services: genascope_api::startup::Services,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    handle: actix_web::dev::ServerHandle,
}

impl Replica {
    /// Stop the server, its outbox worker and its pool.
    pub async fn shutdown(self) {
        self.handle.stop(true).await;
        let _ = self.server.await;
        self.services.close().await;
    }
}

impl TestApp {
    /// Drop the PostgreSQL test database under the running app (readiness tests).
    pub async fn drop_database_now(&self) {
        let admin = genascope_adapters_postgres::testing::pg_admin_url();
        let url = self.db.url().to_owned();
        let name = url.rsplit('/').next().unwrap().to_owned();
        tokio::task::spawn_blocking(move || {
            use diesel::{Connection, RunQueryDsl};
            let mut c = diesel::PgConnection::establish(&admin).unwrap();
            diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut c)
                .unwrap();
        })
        .await
        .unwrap();
    }

    /// Stop the server and let every holder of its database pool go, then wait until the pool's
    /// worker thread is idle, before the test database is dropped and the process exits: a
    /// process that exits while that thread is inside libpq crashes at exit (issue #14).
    pub async fn shutdown(self) {
        let Self {
            server,
            handle,
            pool,
            db,
            data_dir,
            identity,
            labs,
            client,
            worker,
            audit_writer,
            database,
            ..
        } = self;
        if let Some(worker) = worker {
            worker.stop(std::time::Duration::from_secs(5)).await;
        }
        drop(database);
        handle.stop(true).await;
        let _ = server.await;
        drop(client);
        drop(identity);
        // The lab service holds the pool too: left to the end of this function (as it was), the
        // pool outlived `pool.wait` and its connections could be closed on r2d2's thread while
        // the process exits (a rare abort at exit, issue #14's cause).
        drop(labs);
        tokio::task::spawn_blocking(move || {
            // The server's writers are gone with it: the thread commits what is queued, drops its
            // pool handle and stops. Not joined, it could drop the pool's last handle (and close
            // connections in libpq) while the process exits.
            if let Some(writer) = audit_writer {
                // Bounded: a clone of the server's state left somewhere must not hang the test.
                let (done, joined) = std::sync::mpsc::channel::<()>();
                std::thread::spawn(move || {
                    writer.join();
                    let _ = done.send(());
                });
                let _ = joined.recv_timeout(std::time::Duration::from_secs(10));
            }
            pool.wait(std::time::Duration::from_secs(10));
            drop(db);
        })
        .await
        .expect("drop test database");
        let _ = std::fs::remove_dir_all(&data_dir);
    }
}

impl TestApp {
    /// Start a second replica: the same configuration and database, its own process state.
    pub async fn replica(&self) -> Replica {
        let config = Config::from_lookup(&|k| self.vars.get(k).cloned()).expect("config");
        let (app, services) = Application::build(&config).await.expect("build replica");
        let address = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        let server = tokio::spawn(app.run_until_stopped());
        Replica {
            address,
            services,
            server,
            handle,
        }
    }

    /// The app's database URL (to run the binary's commands against it).
    pub fn database_url(&self) -> &str {
        self.db.url()
    }

    /// Which backend the app runs on.
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// The app's `DATA_DIR` (the local file store lives under `files/`).
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// The rows of a raw SQL query on the app's database, through the test's own connection
    /// (for assertions on what a request stored, e.g. the audit log).
    pub async fn query<T>(&self, sql: &str) -> Vec<T>
    where
        T: diesel::deserialize::QueryableByName<genascope_adapters_postgres::MultiBackend>
            + Send
            + 'static,
    {
        let db = self.db.db().clone();
        let sql = sql.to_owned();
        tokio::task::spawn_blocking(move || {
            use diesel::RunQueryDsl;
            let mut conn = db.connection().expect("a test database connection");
            diesel::sql_query(&sql)
                .load::<T>(&mut *conn)
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        })
        .await
        .expect("query task")
    }
}

/// A response, body read.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Resp {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Assert the status, showing the body on failure.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        &self.body
    }

    /// Assert a `{"detail": "<msg>"}` error.
    #[track_caller]
    pub fn expect_detail(&self, status: u16, detail: &str) {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.body,
            json!({ "detail": detail }),
            "body: {}",
            self.text
        );
    }

    /// Assert a 422 whose list names `loc` (e.g. `["body","name"]`).
    #[track_caller]
    pub fn expect_422_at(&self, loc: &[&str]) {
        assert_eq!(self.status, 422, "unexpected status; body: {}", self.text);
        assert!(
            locs(&self.body).iter().any(|l| l == loc),
            "no error at {loc:?}: {}",
            self.text
        );
    }

    /// The array body.
    #[track_caller]
    pub fn array(&self) -> &Vec<Value> {
        self.body
            .as_array()
            .unwrap_or_else(|| panic!("not an array: {}", self.text))
    }

    /// A string field of the body.
    #[track_caller]
    pub fn str(&self, key: &str) -> String {
        self.body[key]
            .as_str()
            .unwrap_or_else(|| panic!("no string {key}: {}", self.text))
            .to_owned()
    }
}

/// Every `loc` of a 422 body, as string lists (numbers stringified).
pub fn locs(body: &Value) -> Vec<Vec<String>> {
    body["detail"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|e| {
                    e["loc"]
                        .as_array()
                        .map(|l| {
                            l.iter()
                                .map(|p| match p {
                                    Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The ids of an array of records.
pub fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|v| v["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Start the real server on port 0 over a fresh database of `backend`.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// `spawn_app` with extra configuration variables.
pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    let db = tokio::task::spawn_blocking(move || test_db(backend))
        .await
        .expect("test database");
    let data_dir =
        std::env::temp_dir().join(format!("genascope-api-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("DATABASE_URL".into(), db.url().to_owned());
    vars.insert("PORT".into(), "0".into());
    vars.insert("HOST".into(), "127.0.0.1".into());
    vars.insert("DATA_DIR".into(), data_dir.to_string_lossy().into_owned());
    vars.insert("JWT_SECRET".into(), JWT_SECRET.into());
    vars.insert("MAIL_BACKEND".into(), "outbox".into());
    vars.insert("FRONTEND_BASE_URL".into(), "http://frontend.test".into());
    vars.insert("LAB_SECRET_KEY".into(), LAB_SECRET_KEY.into());
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    let config = Config::from_lookup(&|k| vars.get(k).cloned()).expect("config");
    let (app, mut services) = Application::build(&config).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let pool = services.state.db.shutdown_handle();
    let server = tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // The server closes a connection idle for 5 s (actix's keep-alive); a request sent on
        // it at that moment fails with `IncompleteMessage`. Drop idle connections well before.
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .unwrap();
    TestApp {
        address,
        client,
        // With mail disabled there is no outbox directory: nothing lands there.
        outbox_dir: services
            .outbox_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("outbox")),
        identity: services.state.identity.clone(),
        labs: services.state.labs.clone(),
        database: services.state.db.clone(),
        data_dir,
        server,
        handle,
        pool,
        worker: services.outbox_worker.take(),
        audit_writer: services.audit_writer.take(),
        db,
        vars,
    }
}

async fn read(res: reqwest::Response) -> Resp {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        text,
        body,
    }
}

/// Who calls: a bearer token, or nobody.
pub type Tok<'a> = Option<&'a str>;

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    fn with_auth(&self, rb: reqwest::RequestBuilder, token: Tok<'_>) -> reqwest::RequestBuilder {
        match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    /// Send any request.
    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Resp {
        read(rb.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: Tok<'_>) -> Resp {
        self.send(self.with_auth(self.client.get(self.url(path)), token))
            .await
    }

    pub async fn delete(&self, path: &str, token: Tok<'_>) -> Resp {
        self.send(self.with_auth(self.client.delete(self.url(path)), token))
            .await
    }

    pub async fn post(&self, path: &str, token: Tok<'_>, body: &Value) -> Resp {
        self.send(self.with_auth(self.client.post(self.url(path)).json(body), token))
            .await
    }

    pub async fn put(&self, path: &str, token: Tok<'_>, body: &Value) -> Resp {
        self.send(self.with_auth(self.client.put(self.url(path)).json(body), token))
            .await
    }

    /// POST raw bytes with a content type.
    pub async fn post_raw(&self, path: &str, token: Tok<'_>, ctype: &str, body: Vec<u8>) -> Resp {
        self.send(
            self.with_auth(
                self.client
                    .post(self.url(path))
                    .header("content-type", ctype)
                    .body(body),
                token,
            ),
        )
        .await
    }

    /// Form login as the frontend does.
    pub async fn login_form(&self, email: &str, password: &str) -> Resp {
        self.send(self.client.post(self.url("/api/auth/token")).form(&[
            ("username", email),
            ("password", password),
            ("grant_type", "password"),
        ]))
        .await
    }

    /// Log in, expecting success; the access token.
    pub async fn token(&self, email: &str, password: &str) -> String {
        let r = self.login_form(email, password).await;
        r.expect(200);
        r.str("access_token")
    }

    /// Create the platform super admin (operator command) and log it in.
    pub async fn super_admin(&self) -> String {
        self.identity
            .create_super_admin(
                genascope_api::routes::identity::super_admin_command(SA_EMAIL, "Root Operator", PW)
                    .expect("a valid super admin"),
            )
            .await
            .expect("create super admin");
        self.token(SA_EMAIL, PW).await
    }

    /// Create an account with its admin through the API; (account id, admin id, admin token).
    pub async fn account(&self, sa: &str, name: &str, admin_email: &str) -> Clinic {
        let r = self
            .post(
                "/api/accounts",
                Some(sa),
                &json!({
                    "name": name,
                    "admin_email": admin_email,
                    "admin_name": format!("{name} Admin"),
                    "admin_password": PW,
                    "admin_confirm_password": PW,
                }),
            )
            .await;
        r.expect(201);
        let admin = self.token(admin_email, PW).await;
        Clinic {
            account_id: r.str("id"),
            admin_id: r.str("admin_user_id"),
            admin,
        }
    }

    /// Create a user with a password through the API; its id.
    pub async fn user(&self, token: &str, email: &str, name: &str, role: &str) -> String {
        let r = self
            .post(
                "/api/users",
                Some(token),
                &json!({"email": email, "name": name, "role": role, "password": PW, "confirm_password": PW}),
            )
            .await;
        r.expect(201);
        r.str("id")
    }

    /// Create a patient; the response body.
    pub async fn patient(&self, token: &str, first: &str, last: &str, email: &str) -> Value {
        let r = self
            .post(
                "/api/patients",
                Some(token),
                &json!({"first_name": first, "last_name": last, "email": email}),
            )
            .await;
        r.expect(201).clone()
    }

    /// Wait (at most 10 s) until the outbox worker has delivered every queued message: mail is
    /// queued by the request and delivered right after it, by the worker.
    pub async fn outbox_settled(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let counts = self.database.outbox_counts().await.expect("outbox counts");
            if counts.pending == 0 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the outbox was not delivered within 10 s: {counts:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Every email to `to` the worker delivered to the development outbox, oldest first (once
    /// everything queued so far is delivered).
    pub async fn emails_to(&self, to: &str) -> Vec<Value> {
        self.outbox_settled().await;
        let mut files: Vec<_> = std::fs::read_dir(&self.outbox_dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .filter_map(|p| std::fs::read(p).ok())
            .filter_map(|b| serde_json::from_slice::<Value>(&b).ok())
            .filter(|v| v["to"].as_str() == Some(to))
            .collect()
    }

    /// The reset token of the latest email to `to` (waits briefly: mail may be asynchronous).
    pub async fn reset_token_for(&self, to: &str) -> String {
        for _ in 0..50 {
            if let Some(mail) = self.emails_to(to).await.last() {
                let text = mail["text"].as_str().unwrap_or_default();
                let marker = "/reset-password?token=";
                let start = text.find(marker).expect("reset link in the email") + marker.len();
                return text[start..]
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no email to {to}");
    }
}

/// An account and its first admin.
#[derive(Debug, Clone)]
pub struct Clinic {
    pub account_id: String,
    pub admin_id: String,
    pub admin: String,
}

/// Two accounts, each with an admin, a clinician and a patient; and a super admin.
pub struct Tenancy {
    pub sa: String,
    pub a: Side,
    pub b: Side,
}

/// One account of the tenancy fixture.
pub struct Side {
    pub account_id: String,
    pub admin_id: String,
    pub admin: String,
    pub clinician_id: String,
    pub clinician: String,
    pub patient_id: String,
}

impl TestApp {
    async fn side(&self, sa: &str, tag: &str) -> Side {
        let c = self
            .account(sa, &format!("Clinic {tag}"), &format!("admin@{tag}.test"))
            .await;
        let clinician_email = format!("clin@{tag}.test");
        let clinician_id = self
            .user(
                &c.admin,
                &clinician_email,
                &format!("Clin {tag}"),
                "clinician",
            )
            .await;
        let clinician = self.token(&clinician_email, PW).await;
        let p = self
            .patient(
                &clinician,
                "Pat",
                &format!("Of{tag}"),
                &format!("pat@{tag}.test"),
            )
            .await;
        Side {
            account_id: c.account_id,
            admin_id: c.admin_id,
            admin: c.admin,
            clinician_id,
            clinician,
            patient_id: p["id"].as_str().unwrap().to_owned(),
        }
    }

    /// The two-account fixture.
    pub async fn tenancy(&self) -> Tenancy {
        let sa = self.super_admin().await;
        let a = self.side(&sa, "alpha").await;
        let b = self.side(&sa, "beta").await;
        Tenancy { sa, a, b }
    }
}

/// base64url without padding.
pub fn b64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}
