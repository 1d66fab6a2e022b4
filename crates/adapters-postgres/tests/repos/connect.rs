//! Connecting and migrating, outside the per-backend suite.

use diesel_migrations::MigrationHarness;
use genascope_adapters_postgres::testing::{pg_test_db, sqlite_test_db};
use genascope_adapters_postgres::{Backend, Database, DbConnection, PoolConfig, migrations};

#[test]
fn sqlite_urls_create_the_file_and_its_directory() {
    let dir = std::env::temp_dir().join(format!("genascope-connect-{}", uuid::Uuid::new_v4()));
    for url in [
        format!("sqlite://{}/a/one.sqlite3", dir.display()),
        format!("{}/b/two.db", dir.display()),
    ] {
        let db = Database::connect(&url).unwrap();
        assert_eq!(db.backend(), Backend::Sqlite);
        assert_eq!(db.migrate().unwrap().len(), crate::schema::migration_dirs());
        assert!(db.migrate().unwrap().is_empty());
    }
    assert!(dir.join("a/one.sqlite3").exists());
    assert!(dir.join("b/two.db").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unsupported_urls_are_refused() {
    assert!(Database::connect("mysql://localhost/x").is_err());
}

#[test]
fn unreachable_postgres_reports_a_connection_error() {
    let quick = PoolConfig {
        connection_timeout: std::time::Duration::from_millis(500),
        ..PoolConfig::default()
    };
    let err = Database::connect_with("postgres://nobody@127.0.0.1:1/none", quick).unwrap_err();
    assert_eq!(err.to_string(), "cannot connect to the database");
    // The driver's reason survives for the log (not "Invalid connection url for multiconnection").
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert!(
        cause.contains("127.0.0.1") || cause.contains("refused"),
        "{cause}"
    );
}

/// Replicas starting at once: migrations serialise on the advisory lock, every caller succeeds
/// and each migration runs exactly once.
#[test]
fn concurrent_postgres_migrations_run_once() {
    let t = pg_test_db();
    {
        let mut conn = t.db().connection().unwrap();
        let DbConnection::Postgresql(c) = &mut *conn else {
            panic!("not postgres")
        };
        c.revert_all_migrations(migrations::POSTGRES).unwrap();
    }
    let applied: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let url = t.url().to_owned();
                s.spawn(move || Database::connect(&url).unwrap().migrate().unwrap().len())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(
        applied,
        crate::schema::migration_dirs(),
        "each migration applied once in all"
    );
}

#[test]
fn test_databases_are_removed_on_drop() {
    let t = sqlite_test_db();
    let path = std::path::PathBuf::from(t.url());
    assert!(path.exists());
    drop(t);
    assert!(!path.exists());
}

/// Connections are not tested on checkout (issue #11): when PostgreSQL ends every session of the
/// database (`pg_terminate_backend`: a restart, a failover), a request that meets a lost
/// connection fails as an outage, the lost connection is discarded instead of being handed out
/// again, `ping` (`/ready`) skips past the lost ones, and the pool recovers by itself.
#[tokio::test]
async fn lost_postgres_connections_are_discarded() {
    use genascope_domain::common::{RepoError, UserId};
    use genascope_domain::identity::ports::UserRepository;
    let t = pg_test_db();
    let config = PoolConfig {
        max_size: 4,
        min_idle: 4,
        ..PoolConfig::default()
    };
    let db = Database::connect_with(t.url(), config).unwrap();
    let missing = UserId(uuid::Uuid::new_v4());
    let terminate_all = || {
        use diesel::prelude::*;
        let name = t.url().rsplit('/').next().unwrap().to_owned();
        let mut admin = diesel::PgConnection::establish(
            &std::env::var("GENASCOPE_TEST_PG_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
        )
        .unwrap();
        diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .execute(&mut admin)
        .unwrap();
    };
    // `connect_with` returns once the four idle connections are open; kill them.
    terminate_all();
    db.ping().await.expect("ping skips the lost connections");
    terminate_all();
    let mut outages = 0;
    for _ in 0..12 {
        match db.get(missing).await {
            Err(RepoError::NotFound) => {}
            Err(RepoError::Unavailable(_)) => outages += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    // At most one failure per lost connection, and then it works again.
    assert!(outages <= 4, "{outages} outages");
    assert!(matches!(db.get(missing).await, Err(RepoError::NotFound)));
}
