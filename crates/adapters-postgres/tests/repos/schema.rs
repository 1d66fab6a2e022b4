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

/// The PostgreSQL and SQLite migrations build the same schema (issue #7 §6): tables, columns
/// (type modulo dialect, nullability, default), primary keys, indexes (columns, uniqueness,
/// partial predicate; explicit indexes by name), foreign keys and the number of CHECK
/// constraints per table. A difference a dialect forces must be added to `ALLOWED`, named.
pub async fn postgres_and_sqlite_schemas_match() {
    /// Lines that may differ, with the reason.
    const ALLOWED: &[(&str, &str)] = &[
        (
            "column assessments.seq bigint NO nextval('assessments_seq_seq'",
            "PostgreSQL numbers assessments from a sequence (migration 000025)",
        ),
        (
            "column assessments.seq bigint NO 0",
            "SQLite numbers them MAX(seq) + 1 under the write lane (migration 000025)",
        ),
    ];
    let pg = genascope_adapters_postgres::testing::pg_test_db();
    let sqlite = genascope_adapters_postgres::testing::sqlite_test_db();
    let pg_lines = describe(&mut pg.db().connection().unwrap());
    let sqlite_lines = describe(&mut sqlite.db().connection().unwrap());
    assert!(
        pg_lines
            .iter()
            .any(|l| l.starts_with("column patients.version integer")),
        "{pg_lines:#?}"
    );
    let allowed = |l: &String| ALLOWED.iter().any(|(a, _)| a == l);
    let only_pg: Vec<_> = pg_lines
        .iter()
        .filter(|l| !sqlite_lines.contains(l) && !allowed(l))
        .collect();
    let only_sqlite: Vec<_> = sqlite_lines
        .iter()
        .filter(|l| !pg_lines.contains(l) && !allowed(l))
        .collect();
    assert!(
        only_pg.is_empty() && only_sqlite.is_empty(),
        "schemas differ\nonly in PostgreSQL: {only_pg:#?}\nonly in SQLite: {only_sqlite:#?}"
    );
    // Not vacuous: every kind of fact is compared, and a drift is seen.
    for (kind, least) in [("column ", 60), ("index ", 15), ("fk ", 9), ("checks ", 2)] {
        let n = pg_lines.iter().filter(|l| l.starts_with(kind)).count();
        assert!(n >= least, "{kind}: {n}");
    }
    let mut conn = sqlite.db().connection().unwrap();
    if let DbConnection::Sqlite(c) = &mut *conn {
        diesel::sql_query("CREATE INDEX drift_idx ON patients (phone)")
            .execute(c)
            .unwrap();
    }
    let drifted = describe(&mut conn);
    assert!(
        drifted
            .iter()
            .any(|l| l.contains("drift_idx") && !pg_lines.contains(l))
    );
}

/// One normalised line per schema fact.
fn describe(conn: &mut DbConnection) -> Vec<String> {
    const PG: &str = "
        SELECT 'column|' || table_name || '|' || column_name || '|' || data_type || '|'
               || is_nullable || '|' || coalesce(column_default, '') AS line
          FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT LIKE '__diesel%'
        UNION ALL
        SELECT 'index|' || t.relname || '|' || i.relname || '|' || ix.indisunique::text || '|'
               || ix.indisprimary::text || '|'
               || (EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid))::text
               || '|' || array_to_string(ARRAY(
                    SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n ORDER BY o), ',')
               || '|' || coalesce(pg_get_expr(ix.indpred, ix.indrelid), '')
          FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid
          JOIN pg_class i ON i.oid = ix.indexrelid
          JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = 'public' AND t.relname NOT LIKE '__diesel%'
        UNION ALL
        SELECT 'fk|' || tc.relname || '|' || a.attname || '|' || rc.relname || '|' || ra.attname
          FROM pg_constraint c
          JOIN pg_class tc ON tc.oid = c.conrelid JOIN pg_class rc ON rc.oid = c.confrelid
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
        UNION ALL
        SELECT 'checks|' || conrelid::regclass::text || '|' || count(*)::text
          FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace
         GROUP BY conrelid";
    const SQLITE: &str = "
        SELECT 'column|' || m.name || '|' || p.name || '|' || p.type || '|'
               || CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 'NO' ELSE 'YES' END || '|'
               || coalesce(p.dflt_value, '') AS line
          FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE '\\_\\_diesel%' ESCAPE '\\'
           AND m.name NOT LIKE 'sqlite_%'
        UNION ALL
        SELECT 'index|' || m.name || '|' || il.name || '|' || il.\"unique\" || '|' || il.origin
               || '|' || coalesce((SELECT group_concat(name, ',') FROM
                    (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno)), '')
               || '|' || coalesce((SELECT sql FROM sqlite_master WHERE type = 'index'
                                   AND name = il.name), '')
          FROM sqlite_master m JOIN pragma_index_list(m.name) il
         WHERE m.type = 'table' AND m.name NOT LIKE '\\_\\_diesel%' ESCAPE '\\'
        UNION ALL
        SELECT 'fk|' || m.name || '|' || f.\"from\" || '|' || f.\"table\" || '|' || f.\"to\"
          FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'
        UNION ALL
        SELECT 'table|' || name || '|' || sql FROM sqlite_master
         WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
           AND name NOT LIKE '\\_\\_diesel%' ESCAPE '\\'";
    let raw = lines(conn, PG, SQLITE);
    let pg = matches!(conn, DbConnection::Postgresql(_));
    let mut out: Vec<String> = raw
        .iter()
        .filter_map(|l| {
            if pg {
                normalise_pg(l)
            } else {
                normalise_sqlite(l)
            }
        })
        .collect();
    out.sort();
    out
}

fn squash(s: &str) -> String {
    s.to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .collect()
}

fn pg_type(t: &str) -> &str {
    match t {
        "timestamp without time zone" => "timestamp",
        "bytea" => "blob",
        other => other,
    }
}

fn pg_default(d: &str) -> String {
    let d = d.split("::").next().unwrap_or(d);
    match d {
        "true" => "1".to_owned(),
        "false" => "0".to_owned(),
        other => other.to_owned(),
    }
}

fn normalise_pg(line: &str) -> Option<String> {
    let f: Vec<&str> = line.split('|').collect();
    Some(match f.as_slice() {
        ["column", t, c, ty, null, default] => {
            format!(
                "column {t}.{c} {} {null} {}",
                pg_type(ty),
                pg_default(default)
            )
        }
        ["index", t, name, unique, primary, by_constraint, cols, pred] => {
            let kind = if *primary == "true" {
                "pk".to_owned()
            } else if *by_constraint == "true" {
                format!("unique-constraint {unique}")
            } else {
                format!("{name} {unique}")
            };
            // PostgreSQL spells a text literal with its cast: `(status = 'pending'::text)`.
            format!(
                "index {t} {kind} ({cols}) where {}",
                squash(&pred.replace("::text", ""))
            )
        }
        ["fk", t, c, rt, rc] => format!("fk {t}.{c} -> {rt}.{rc}"),
        ["checks", t, n] => format!("checks {t} {n}"),
        _ => return None,
    })
}

fn normalise_sqlite(line: &str) -> Option<String> {
    let f: Vec<&str> = line.split('|').collect();
    Some(match f.as_slice() {
        ["column", t, c, ty, null, default] => {
            let ty = match ty.to_ascii_lowercase().as_str() {
                "boolean" => "boolean".to_owned(),
                other => other.to_owned(),
            };
            let default = match *default {
                "TRUE" => "1",
                "FALSE" => "0",
                d => d,
            };
            format!("column {t}.{c} {ty} {null} {default}")
        }
        ["index", t, name, unique, origin, cols, sql] => {
            let unique = if *unique == "1" { "true" } else { "false" };
            let kind = match *origin {
                "pk" => "pk".to_owned(),
                "u" => format!("unique-constraint {unique}"),
                _ => format!("{name} {unique}"),
            };
            let upper = sql.to_ascii_uppercase();
            let pred = upper.find(" WHERE ").map_or("", |i| &sql[i + 7..]);
            format!("index {t} {kind} ({cols}) where {}", squash(pred))
        }
        ["fk", t, c, rt, rc] => format!("fk {t}.{c} -> {rt}.{rc}"),
        ["table", t, sql] => {
            let n = sql.to_ascii_uppercase().matches("CHECK").count();
            if n == 0 {
                return None;
            }
            format!("checks {t} {n}")
        }
        _ => return None,
    })
}
