//! Item 1 (a list read or an import is one compact audit row) and the 1,000-patient
//! PostgreSQL test.

use super::*;

// ---------------------------------------------------------------------------------------------
// Item 1: a list read (and an import) is one compact audit row

/// A list of 100 patients (PostgreSQL answered 500 from 73 on: every id went into one indexed
/// column) is one audit row holding the ids as 16 bytes each, their number and the filters
/// (never the search term); bulk and CSV imports are one row each, naming only the rows created.
pub async fn list_reads_and_imports_are_one_audit_row_each(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Audit Clinic", "admin@audit.test").await;
    let mut cursor = AuditCursor::start(app).await;

    let patients: Vec<Value> = (0..100)
        .map(|i| json!({"first_name": format!("Bulk{i:03}"), "last_name": "Audit", "email": format!("b{i:03}@audit.test")}))
        .collect();
    let r = app
        .post(
            "/api/patients/bulk",
            Some(&c.admin),
            &json!({"patients": patients}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(
        (b["successful_count"].as_u64(), b["failed_count"].as_u64()),
        (Some(100), Some(0)),
        "{}",
        r.text
    );
    let bulk = cursor.one(app, "bulk import").await;
    assert_eq!(bulk.action, "create");
    assert_eq!(bulk.record_count, Some(100));
    assert_eq!(bulk.actor_id.as_deref(), Some(c.admin_id.as_str()));
    assert_eq!(bulk.account_id.as_deref(), Some(c.account_id.as_str()));

    // The whole list.
    let r = app.get("/api/patients?limit=1000", Some(&c.admin)).await;
    r.expect(200);
    let listed = ids(r.array());
    assert_eq!(listed.len(), 100, "every patient listed");
    let read = cursor.one(app, "list read").await;
    assert_many(&read, "read", &listed);
    assert_eq!(read.actor_id.as_deref(), Some(c.admin_id.as_str()));
    assert_eq!(read.account_id.as_deref(), Some(c.account_id.as_str()));
    assert_eq!(sorted(bulk.ids()), sorted(listed.clone()));
    let q = read.query_json();
    assert_eq!(q["search"], false, "{q}");
    assert_eq!(q["limit"], 1000, "{q}");
    assert_eq!(q["offset"], 0, "{q}");

    // A filtered, searched page: the filters are kept, the term is not.
    let r = app
        .get(
            "/api/patients?search=Bulk04&status=active&limit=5&offset=2",
            Some(&c.admin),
        )
        .await;
    r.expect(200);
    let page = ids(r.array());
    assert_eq!(page.len(), 5, "Bulk040..Bulk049 match; 5 from the third");
    let read = cursor.one(app, "searched list read").await;
    assert_many(&read, "read", &page);
    let q = read.query_json();
    assert_eq!(q["search"], true, "{q}");
    assert_eq!(q["status"], "active", "{q}");
    assert_eq!(
        (q["limit"].as_u64(), q["offset"].as_u64()),
        (Some(5), Some(2))
    );
    assert!(
        !read
            .query
            .as_deref()
            .unwrap()
            .to_lowercase()
            .contains("bulk04"),
        "the search term (possibly a name) is never stored: {:?}",
        read.query
    );

    // One record read keeps the indexed single-record form.
    app.get(&format!("/api/patients/{}", listed[0]), Some(&c.admin))
        .await
        .expect(200);
    let one = cursor.one(app, "record read").await;
    assert_eq!(one.action, "read");
    assert_eq!(one.record_id.as_deref(), Some(listed[0].as_str()));
    assert_eq!(one.record_count, Some(1));
    assert_eq!(one.record_ids, None);

    // A CSV import of 80 rows: one row; a re-import with 5 new rows names only those 5.
    let line = |i: usize| format!("c{i:03}@audit.test,Csv{i:03},Audit\n");
    let csv: String = std::iter::once("email,first_name,last_name\n".to_owned())
        .chain((0..80).map(line))
        .collect();
    let r = app
        .import_csv(&c.admin, "audit.csv", csv.as_bytes(), &[])
        .await;
    assert_eq!(r.expect(200)["successful_count"], 80, "{}", r.text);
    let import = cursor.one(app, "CSV import").await;
    assert_eq!(import.action, "create");
    assert_eq!(import.record_id, None);
    assert_eq!(import.record_count, Some(80));
    assert_eq!(import.ids().len(), 80);
    let again = format!("{csv}{}", (80..85).map(line).collect::<String>());
    let r = app
        .import_csv(&c.admin, "audit.csv", again.as_bytes(), &[])
        .await;
    let b = r.expect(200);
    assert_eq!(
        (b["successful_count"].as_u64(), b["failed_count"].as_u64()),
        (Some(5), Some(80)),
        "{}",
        r.text
    );
    let reimport = cursor.one(app, "CSV re-import").await;
    assert_eq!(reimport.record_count, Some(5), "only the rows created");
    let created: HashSet<String> = reimport.ids().into_iter().collect();
    let r = app
        .get("/api/patients?search=Csv08&limit=1000", Some(&c.admin))
        .await;
    let new_ids: HashSet<String> = ids(r.array()).into_iter().collect();
    assert_eq!(created, new_ids, "Csv080..Csv084 are the 5 created");
    let all = app.get("/api/patients?limit=1000", Some(&c.admin)).await;
    assert_eq!(all.array().len(), 185);
}

// ---------------------------------------------------------------------------------------------
// The 1,000-patient PostgreSQL test

#[derive(diesel::QueryableByName)]
struct Size {
    #[diesel(sql_type = BigInt)]
    bytes: i64,
}

async fn audit_table_bytes(app: &TestApp) -> i64 {
    app.query::<Size>("SELECT pg_total_relation_size('audit_log') AS bytes")
        .await[0]
        .bytes
}

/// A clinic of realistic size on PostgreSQL: bulk-create 1,000 patients (one request) and
/// CSV-import 1,000 more, then list (1,000 a page), page through, search; every answer 200 with
/// the right counts, and every import and list read is exactly one audit row of its size.
/// Prints the audit table's growth per 1,000-row list read (docs/operations.md).
pub async fn thousand_patients(app: &TestApp) {
    assert_eq!(app.backend(), Backend::Postgres);
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Big Clinic", "admin@big.test").await;
    let mut cursor = AuditCursor::start(app).await;

    let bulk: Vec<Value> = (0..1000)
        .map(|i| json!({"first_name": format!("Bulk{i:04}"), "last_name": "Big", "email": format!("bulk{i:04}@big.test"), "external_id": format!("B-{i:04}")}))
        .collect();
    let t = Instant::now();
    let r = app
        .post(
            "/api/patients/bulk",
            Some(&c.admin),
            &json!({"patients": bulk}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(
        (b["successful_count"].as_u64(), b["failed_count"].as_u64()),
        (Some(1000), Some(0)),
        "{}",
        r.text
    );
    eprintln!("bulk import of 1,000: {:?}", t.elapsed());
    let row = cursor.one(app, "bulk import").await;
    assert_eq!(
        (row.action.as_str(), row.record_count),
        ("create", Some(1000))
    );
    assert_eq!(row.ids().len(), 1000);

    let csv: String = std::iter::once("email,first_name,last_name,date_of_birth\n".to_owned())
        .chain((0..1000).map(|i| {
            format!(
                "csv{i:04}@big.test,Csv{i:04},Big,1970-01-{:02}\n",
                i % 28 + 1
            )
        }))
        .collect();
    let t = Instant::now();
    let r = app
        .import_csv(&c.admin, "big.csv", csv.as_bytes(), &[])
        .await;
    let b = r.expect(200);
    assert_eq!(
        (b["successful_count"].as_u64(), b["failed_count"].as_u64()),
        (Some(1000), Some(0)),
        "{}",
        r.text
    );
    eprintln!("CSV import of 1,000: {:?}", t.elapsed());
    let row = cursor.one(app, "CSV import").await;
    assert_eq!(
        (row.action.as_str(), row.record_count),
        ("create", Some(1000))
    );

    // Pages of 1,000, then of 300: together every patient once.
    let mut seen = HashSet::new();
    for offset in [0, 1000] {
        let t = Instant::now();
        let r = app
            .get(
                &format!("/api/patients?limit=1000&offset={offset}"),
                Some(&c.admin),
            )
            .await;
        r.expect(200);
        eprintln!("list of 1,000 (offset {offset}): {:?}", t.elapsed());
        let page = ids(r.array());
        assert_eq!(page.len(), 1000);
        assert_many(&cursor.one(app, "list read").await, "read", &page);
        seen.extend(page);
    }
    assert_eq!(
        seen.len(),
        2000,
        "two pages of 1,000 cover every patient once"
    );
    let r = app
        .get("/api/patients?limit=1000&offset=2000", Some(&c.admin))
        .await;
    assert!(r.expect(200).as_array().unwrap().is_empty());
    let mut paged = Vec::new();
    for offset in (0..2000).step_by(300) {
        let r = app
            .get(
                &format!("/api/patients?limit=300&skip={offset}"),
                Some(&c.admin),
            )
            .await;
        r.expect(200);
        let page = ids(r.array());
        assert_eq!(page.len(), (2000 - offset).min(300));
        assert_many(&cursor.one(app, "page read").await, "read", &page);
        paged.extend(page);
    }
    assert_eq!(paged.len(), 2000);
    assert_eq!(
        paged.iter().collect::<HashSet<_>>().len(),
        2000,
        "paging repeats and skips nothing"
    );

    // Search.
    for (term, n) in [
        ("Csv05", 100),
        ("bulk0999", 1),
        ("Big", 1000),
        ("Nobody", 0),
    ] {
        let r = app
            .get(
                &format!("/api/patients?search={term}&limit=1000"),
                Some(&c.admin),
            )
            .await;
        assert_eq!(r.expect(200).as_array().unwrap().len(), n, "search {term}");
        let rows = cursor.new_rows(app).await;
        if n == 0 {
            assert!(rows.len() <= 1, "{rows:?}");
        } else {
            assert_eq!(rows.len(), 1, "search {term}");
            assert_eq!(rows[0].record_count, Some(i32::try_from(n).unwrap()));
            assert_eq!(rows[0].query_json()["search"], true);
        }
    }

    // Growth of the audit table per list read of 1,000 patients.
    let reads = 50;
    let before = audit_table_bytes(app).await;
    for _ in 0..reads {
        app.get("/api/patients?limit=1000", Some(&c.admin))
            .await
            .expect(200);
    }
    let after = audit_table_bytes(app).await;
    let rows = cursor.new_rows(app).await;
    assert_eq!(rows.len(), reads, "one row per read");
    assert!(rows.iter().all(|r| r.record_count == Some(1000)));
    #[derive(diesel::QueryableByName)]
    struct Column {
        #[diesel(sql_type = BigInt)]
        stored: i64,
        #[diesel(sql_type = BigInt)]
        raw: i64,
    }
    let col = app
        .query::<Column>(
            "SELECT pg_column_size(record_ids)::BIGINT AS stored, \
             octet_length(record_ids)::BIGINT AS raw \
             FROM audit_log WHERE record_count = 1000 AND action = 'read' LIMIT 1",
        )
        .await;
    let per_read = (after - before) / i64::try_from(reads).unwrap();
    eprintln!(
        "AUDIT GROWTH: {reads} list reads of 1,000 patients grew audit_log (table + TOAST + \
         indexes) by {} bytes: {per_read} bytes per read; record_ids {} bytes raw, {} stored",
        after - before,
        col[0].raw,
        col[0].stored
    );
    assert_eq!(col[0].raw, 16_000);
    assert!(
        (16_000..=24_000).contains(&per_read),
        "16 KB of ids per read plus the row, TOAST and index overhead: {per_read}"
    );
}
