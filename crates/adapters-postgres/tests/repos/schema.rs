use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_migrations::MigrationHarness;
use genascope_adapters_postgres::testing::TestDb;
use genascope_adapters_postgres::{DbConnection, migrations};

#[derive(QueryableByName, Debug)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[derive(QueryableByName, Debug)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

const PG_SCHEMA: &str = "
    SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
           || is_nullable || ' ' || coalesce(column_default, '') AS line
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL
    SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' '
           || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    ORDER BY 1";

const SQLITE_SCHEMA: &str = "
    SELECT type || ' ' || name || ' ' || coalesce(sql, '') AS line
      FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1";

const PG_TABLES: &str = "
    SELECT table_name AS line FROM information_schema.tables
     WHERE table_schema = 'public' ORDER BY 1";

const SQLITE_TABLES: &str = "
    SELECT name AS line FROM sqlite_master
     WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1";

fn lines(conn: &mut DbConnection, pg: &str, sqlite: &str) -> Vec<String> {
    let rows: Vec<Line> = match conn {
        DbConnection::Postgresql(c) => diesel::sql_query(pg).load(c).unwrap(),
        DbConnection::Sqlite(c) => diesel::sql_query(sqlite).load(c).unwrap(),
    };
    rows.into_iter().map(|l| l.line).collect()
}

pub async fn ping(t: &TestDb) {
    t.db().ping().await.unwrap();
}

pub async fn migrations_revert_and_reapply_to_the_same_schema(t: &TestDb) {
    let mut conn = t.db().connection().unwrap();
    let before = lines(&mut conn, PG_SCHEMA, SQLITE_SCHEMA);
    assert!(
        before.iter().any(|l| l.contains("users_email_live_uq")),
        "{before:#?}"
    );

    let reverted = match &mut *conn {
        DbConnection::Postgresql(c) => c.revert_all_migrations(migrations::POSTGRES).unwrap(),
        DbConnection::Sqlite(c) => c.revert_all_migrations(migrations::SQLITE).unwrap(),
    };
    let shipped = migration_dirs();
    assert_eq!(
        reverted.len(),
        shipped,
        "every shipped migration was applied, then reverted"
    );
    assert_eq!(
        lines(&mut conn, PG_TABLES, SQLITE_TABLES),
        ["__diesel_schema_migrations"],
        "down.sql drops everything up.sql creates"
    );

    drop(conn);
    let applied = t.db().migrate().unwrap();
    assert_eq!(applied.len(), shipped);
    assert!(t.db().migrate().unwrap().is_empty(), "idempotent");

    let mut conn = t.db().connection().unwrap();
    let after = lines(&mut conn, PG_SCHEMA, SQLITE_SCHEMA);
    assert_eq!(before, after);
}

pub async fn every_foreign_key_has_an_index(t: &TestDb) {
    // An index usable for the key: a non-partial index whose first column is the key column.
    const PG_FKS: &str = "SELECT count(*) AS n FROM pg_constraint
        WHERE contype = 'f' AND connamespace = 'public'::regnamespace";
    const PG_UNINDEXED: &str = "
        SELECT c.conrelid::regclass::text || '.' || a.attname AS line
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
           AND NOT EXISTS (
               SELECT 1 FROM pg_index i
                WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]
                  AND i.indpred IS NULL)
         ORDER BY 1";
    const SQLITE_FKS: &str = "SELECT count(*) AS n FROM sqlite_master m
        JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'";
    const SQLITE_UNINDEXED: &str = "
        SELECT m.name || '.' || f.\"from\" AS line
          FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
         WHERE m.type = 'table'
           AND NOT EXISTS (
               SELECT 1 FROM pragma_index_list(m.name) il
                 JOIN pragma_index_info(il.name) ii
                WHERE ii.seqno = 0 AND ii.name = f.\"from\" AND il.partial = 0)
         ORDER BY 1";

    let mut conn = t.db().connection().unwrap();
    let count: Count = match &mut *conn {
        DbConnection::Postgresql(c) => diesel::sql_query(PG_FKS).get_result(c).unwrap(),
        DbConnection::Sqlite(c) => diesel::sql_query(SQLITE_FKS).get_result(c).unwrap(),
    };
    // The catalog query sees every key the migrations declare (so the check below is not vacuous).
    let declared = declared_foreign_keys();
    assert!(
        declared >= 9,
        "users, tokens, patients and assessments declare foreign keys"
    );
    assert_eq!(usize::try_from(count.n).unwrap(), declared);
    let unindexed = lines(&mut conn, PG_UNINDEXED, SQLITE_UNINDEXED);
    assert!(
        unindexed.is_empty(),
        "foreign keys without an index: {unindexed:?}"
    );
}

/// How many migrations the repository ships (folders under migrations/<backend>; the two
/// backends ship the same list).
pub fn migration_dirs() -> usize {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let count = |b: &str| {
        std::fs::read_dir(root.join(b))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().is_dir())
            .count()
    };
    let (pg, sqlite) = (count("postgres"), count("sqlite"));
    assert_eq!(pg, sqlite, "both backends ship the same migrations");
    pg
}

/// `REFERENCES` clauses in the shipped PostgreSQL migrations.
fn declared_foreign_keys() -> usize {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/postgres");
    std::fs::read_dir(root)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path().join("up.sql")).unwrap())
        .map(|sql| {
            sql.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .map(|l| l.matches("REFERENCES").count())
                .sum::<usize>()
        })
        .sum()
}
