use crate::support::{account, at, new_user, patient, user};
use diesel::prelude::*;
use diesel::sql_types::{Binary, Integer, Nullable, Text};
use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::audit::{AuditAction, AuditEntry, AuditLog, AuditRecords};
use genascope_domain::common::{AccountId, RepoError, UserId};
use genascope_domain::identity::model::Role;
use genascope_domain::identity::ports::AccountRepository;
use genascope_domain::patients::ports::PatientRepository;

#[derive(QueryableByName, Debug, PartialEq)]
pub(crate) struct Row {
    #[diesel(sql_type = Text)]
    pub(crate) action: String,
    #[diesel(sql_type = Text)]
    pub(crate) record_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) record_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) actor_id: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub(crate) record_count: Option<i32>,
    #[diesel(sql_type = Nullable<Binary>)]
    pub(crate) record_ids: Option<Vec<u8>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) query: Option<String>,
}

pub(crate) fn rows(t: &TestDb) -> Vec<Row> {
    let mut conn = t.db().connection().unwrap();
    diesel::sql_query(
        "SELECT action, record_type, record_id, actor_id, record_count, record_ids, query \
         FROM audit_log ORDER BY at, record_count, record_id",
    )
    .load(&mut *conn)
    .unwrap()
}

/// An audit row, every column: [`Row`]'s and the entry's id, time and account.
#[derive(QueryableByName, Debug, PartialEq)]
pub(crate) struct Stored {
    #[diesel(sql_type = Text)]
    pub(crate) id: String,
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    pub(crate) at: time::PrimitiveDateTime,
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) account_id: Option<String>,
    #[diesel(embed)]
    pub(crate) row: Row,
}

/// Every audit row, every column.
pub(crate) fn every_column(t: &TestDb) -> Vec<Stored> {
    let mut conn = t.db().connection().unwrap();
    diesel::sql_query(
        "SELECT id, at, actor_id, action, record_type, record_id, account_id, record_count, \
         record_ids, query FROM audit_log ORDER BY at, id",
    )
    .load(&mut *conn)
    .unwrap()
}

/// `at` as the log stores it: UTC, whole seconds.
pub(crate) fn stored_at(at: genascope_domain::common::Timestamp) -> time::PrimitiveDateTime {
    let t = at.to_offset(time::UtcOffset::UTC);
    let p = time::PrimitiveDateTime::new(t.date(), t.time());
    p.replace_nanosecond(0).unwrap()
}

fn decode(ids: &[u8]) -> Vec<uuid::Uuid> {
    ids.chunks(16)
        .map(|c| uuid::Uuid::from_slice(c).unwrap())
        .collect()
}

pub async fn entries_are_appended(t: &TestDb) {
    let at = time::macros::datetime!(2026-11-25 12:00:00 UTC);
    let actor = UserId(uuid::Uuid::new_v4());
    let account = AccountId(uuid::Uuid::new_v4());
    let (p1, p2) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
    let entry = |action, records| AuditEntry {
        id: uuid::Uuid::new_v4(),
        at,
        actor_id: Some(actor),
        action,
        record_type: "patient",
        records,
        account_id: Some(account),
    };
    t.db()
        .record(vec![
            entry(AuditAction::Read, AuditRecords::One(p1)),
            entry(AuditAction::Delete, AuditRecords::One(p2)),
        ])
        .await
        .unwrap();
    t.db().record(Vec::new()).await.unwrap();
    let actor = actor.to_string();
    let one = |action: &str, id: uuid::Uuid| Row {
        action: action.into(),
        record_type: "patient".into(),
        record_id: Some(id.to_string()),
        actor_id: Some(actor.clone()),
        record_count: Some(1),
        record_ids: None,
        query: None,
    };
    assert_eq!(rows(t), vec![one("read", p1), one("delete", p2)]);
}

/// A list read of thousands of records is one row: on PostgreSQL a list of 73 ids in an indexed
/// column already broke the B-tree entry limit (issue #6 item 1).
pub async fn a_list_of_thousands_is_one_row(t: &TestDb) {
    let ids: Vec<uuid::Uuid> = (0..5000).map(|_| uuid::Uuid::new_v4()).collect();
    let entry = AuditEntry {
        id: uuid::Uuid::new_v4(),
        at: at(1),
        actor_id: Some(UserId(uuid::Uuid::new_v4())),
        action: AuditAction::Read,
        record_type: "patient",
        records: AuditRecords::Many {
            ids: ids.clone(),
            query: Some(r#"{"limit":5000,"offset":0,"search":true}"#.into()),
        },
        account_id: None,
    };
    t.db().record(vec![entry]).await.unwrap();
    let rows = rows(t);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].record_id, None);
    assert_eq!(rows[0].record_count, Some(5000));
    assert_eq!(
        rows[0].record_ids.as_deref().map(<[u8]>::len),
        Some(16 * 5000)
    );
    assert_eq!(decode(rows[0].record_ids.as_deref().unwrap()), ids);
    assert!(
        rows[0]
            .query
            .as_deref()
            .unwrap()
            .contains("\"search\":true")
    );
}

/// An import is one transaction with its audit row: duplicates are skipped and reported in their
/// slot, the audit row names exactly the rows inserted, and a failure of the audit write keeps
/// nothing (issue #6 item 1: rows were committed unaudited).
pub async fn imports_are_atomic_with_their_audit(t: &TestDb) {
    let a = account("Import Clinic", None);
    let admin = user(Some(a.id), "admin@imp.org", "Ad Min", Role::Admin);
    AccountRepository::create_with_admin(t.db(), &a, &new_user(admin.clone()))
        .await
        .unwrap();
    let patients: &dyn PatientRepository = t.db();
    let existing = patient(a.id, "dup@imp.org", "Dup", "Licate");
    patients
        .insert(&existing, &crate::support::audit(AuditAction::Create))
        .await
        .unwrap();
    let batch: Vec<_> = (0..1000)
        .map(|i| {
            if i == 500 {
                patient(a.id, "dup@imp.org", "Dup", "Again")
            } else {
                patient(a.id, &format!("p{i}@imp.org"), "Pat", &format!("N{i}"))
            }
        })
        .collect();
    let audit = AuditEntry {
        id: uuid::Uuid::new_v4(),
        at: at(2),
        actor_id: Some(admin.id),
        action: AuditAction::Create,
        record_type: "patient",
        records: AuditRecords::Many {
            ids: batch.iter().map(|p| p.id.0).collect(),
            query: None,
        },
        account_id: Some(a.id),
    };
    let outcomes = patients.import(&batch, &audit).await.unwrap();
    assert_eq!(outcomes.len(), 1000);
    for (i, o) in outcomes.iter().enumerate() {
        if i == 500 {
            assert!(matches!(o, Err(RepoError::Duplicate("email"))), "{o:?}");
        } else {
            assert!(o.is_ok(), "{i}: {o:?}");
        }
    }
    let logged = rows(t)
        .into_iter()
        .find(|r| r.record_count == Some(999))
        .expect("one audit row for the import");
    let mut expected: Vec<_> = batch.iter().map(|p| p.id.0).collect();
    expected.remove(500);
    assert_eq!(decode(logged.record_ids.as_deref().unwrap()), expected);

    // The audit row's id is taken: the whole second import rolls back, nothing is kept.
    let more: Vec<_> = (0..10)
        .map(|i| patient(a.id, &format!("more{i}@imp.org"), "More", "Rows"))
        .collect();
    let again = AuditEntry {
        records: AuditRecords::Many {
            ids: more.iter().map(|p| p.id.0).collect(),
            query: None,
        },
        ..audit.clone()
    };
    assert!(patients.import(&more, &again).await.is_err());
    for p in &more {
        assert!(matches!(patients.get(p.id).await, Err(RepoError::NotFound)));
    }
}

/// A patient login with a new patient record is one transaction with the record's audit row: a
/// login refused (email taken) leaves neither record nor row; a login joining an existing record
/// writes no patient row and no audit row.
pub async fn a_patient_login_is_audited_with_its_new_record(t: &TestDb) {
    use crate::support::login_with_record;
    use genascope_domain::identity::ports::UserRepository;
    let a = account("Login Clinic", None);
    let admin = user(Some(a.id), "admin@login.org", "Ad Min", Role::Admin);
    AccountRepository::create_with_admin(t.db(), &a, &new_user(admin.clone()))
        .await
        .unwrap();
    let patients: &dyn PatientRepository = t.db();
    let p = patient(a.id, "pat@login.org", "Pat", "Login");
    let mut login = user(Some(a.id), "pat@login.org", "Pat Login", Role::Patient);
    login.id = UserId(p.id.0);
    patients
        .insert_login(&login_with_record(login.clone(), &p))
        .await
        .unwrap();
    let logged = rows(t);
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0].action, "create");
    assert_eq!(logged[0].record_id, Some(p.id.0.to_string()));

    // The admin's email is taken: nothing of the second login is kept, its audit row included.
    let q = patient(a.id, "other@login.org", "Other", "Login");
    let mut taken = user(Some(a.id), "admin@login.org", "Other Login", Role::Patient);
    taken.id = UserId(q.id.0);
    let err = patients
        .insert_login(&login_with_record(taken.clone(), &q))
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::Duplicate("email")), "{err:?}");
    assert!(matches!(patients.get(q.id).await, Err(RepoError::NotFound)));
    assert!(matches!(
        UserRepository::get(t.db(), taken.id).await,
        Err(RepoError::NotFound)
    ));
    assert_eq!(rows(t).len(), 1);

    // A login for an existing record: no patient write, no audit row.
    let r = patient(a.id, "r@login.org", "Re", "Cord");
    patients
        .insert(&r, &crate::support::audit(AuditAction::Create))
        .await
        .unwrap();
    let before = rows(t).len();
    let mut joining = user(Some(a.id), "r@login.org", "Re Cord", Role::Patient);
    joining.id = UserId(r.id.0);
    patients
        .insert_login(&genascope_domain::patients::ports::PatientLogin {
            login: new_user(joining.clone()),
            record: None,
            setup: None,
        })
        .await
        .unwrap();
    assert_eq!(rows(t).len(), before);
    assert!(patients.get(r.id).await.unwrap().has_login);
}

fn read_entry(n: u128) -> AuditEntry {
    AuditEntry {
        id: uuid::Uuid::new_v4(),
        at: at(1),
        actor_id: Some(UserId(uuid::Uuid::new_v4())),
        action: AuditAction::Read,
        record_type: "patient",
        records: AuditRecords::One(uuid::Uuid::from_u128(n)),
        account_id: None,
    }
}

/// How many audit rows name record `n`.
fn count_of(db: &genascope_adapters_postgres::Database, n: u128) -> i64 {
    use diesel::dsl::sql;
    let mut conn = db.connection().unwrap();
    diesel::select(sql::<diesel::sql_types::BigInt>(&format!(
        "(SELECT COUNT(*) FROM audit_log WHERE record_id = '{}')",
        uuid::Uuid::from_u128(n)
    )))
    .get_result(&mut *conn)
    .unwrap()
}

/// The group-commit writer (issue #11): 300 requests recording at once all land, each exactly
/// once, and each `record` returns only once its entry is committed (the count is read right
/// after each request's answer, on another connection).
pub async fn group_commit_keeps_every_entry(t: &TestDb) {
    use genascope_adapters_postgres::AuditWriter;
    let (writer, handle) = AuditWriter::start(t.db().clone()).unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 1..=300u128 {
        let writer = writer.clone();
        let db = t.db().clone();
        tasks.spawn(async move {
            writer.record(vec![read_entry(n)]).await.unwrap();
            // Durable before the answer: visible to another connection now.
            tokio::task::spawn_blocking(move || {
                assert_eq!(
                    count_of(&db, n),
                    1,
                    "entry {n} not committed when record() returned"
                );
            })
            .await
            .unwrap();
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    writer.record(Vec::new()).await.unwrap();
    drop(writer);
    tokio::task::spawn_blocking(move || handle.join())
        .await
        .unwrap();
    assert_eq!(rows(t).len(), 300);
}

/// A writer whose queue is closed refuses instead of hanging, and a failing database answers
/// every waiting request with an error, never a silent success.
pub async fn group_commit_reports_failures(t: &TestDb) {
    use genascope_adapters_postgres::AuditWriter;
    let (writer, handle) = AuditWriter::start(t.db().clone()).unwrap();
    {
        // The table gone: every batch fails, so every request must hear about it.
        let mut conn = t.db().connection().unwrap();
        diesel::sql_query("DROP TABLE audit_log")
            .execute(&mut *conn)
            .unwrap();
    }
    let mut tasks = tokio::task::JoinSet::new();
    for n in 1..=20u128 {
        let writer = writer.clone();
        tasks.spawn(async move { writer.record(vec![read_entry(n)]).await });
    }
    let mut failed = 0;
    while let Some(done) = tasks.join_next().await {
        assert!(matches!(done.unwrap(), Err(RepoError::Unexpected(_))));
        failed += 1;
    }
    assert_eq!(failed, 20);
    drop(writer);
    tokio::task::spawn_blocking(move || handle.join())
        .await
        .unwrap();
}

/// Many entries recorded at once (on PostgreSQL one multi-row INSERT per 500: 1,201 entries
/// cross two chunk boundaries) are stored each exactly once with every column as given: one
/// entry per record, lists with their ids and query, and entries with no actor or account.
pub async fn entries_written_together_keep_every_column(t: &TestDb) {
    let actor = UserId(uuid::Uuid::new_v4());
    let account = AccountId(uuid::Uuid::new_v4());
    let entries: Vec<AuditEntry> = (0..1201u128)
        .map(|n| AuditEntry {
            id: uuid::Uuid::from_u128(1_000_000 + n),
            at: at(i64::try_from(n % 7).unwrap()),
            actor_id: (n % 3 != 0).then_some(actor),
            action: if n % 2 == 0 {
                AuditAction::Read
            } else {
                AuditAction::Update
            },
            record_type: if n % 5 == 0 {
                "chat_session"
            } else {
                "patient"
            },
            records: if n % 4 == 0 {
                AuditRecords::Many {
                    ids: (0..=(n % 9))
                        .map(|k| uuid::Uuid::from_u128(n * 100 + k))
                        .collect(),
                    query: (n % 8 == 0).then(|| format!("search=a{n}")),
                }
            } else {
                AuditRecords::One(uuid::Uuid::from_u128(n))
            },
            account_id: (n % 6 != 1).then_some(account),
        })
        .collect();
    t.db().record(entries.clone()).await.unwrap();
    let mut want: Vec<Stored> = entries
        .iter()
        .map(|e| {
            let (record_id, record_count, record_ids, query) = match &e.records {
                AuditRecords::One(r) => (Some(r.to_string()), Some(1), None, None),
                AuditRecords::Many { ids, query } => (
                    None,
                    Some(i32::try_from(ids.len()).unwrap()),
                    Some(ids.iter().flat_map(|u| *u.as_bytes()).collect()),
                    query.clone(),
                ),
            };
            Stored {
                id: e.id.to_string(),
                at: stored_at(e.at),
                account_id: e.account_id.map(|a| a.0.to_string()),
                row: Row {
                    action: e.action.as_str().to_owned(),
                    record_type: e.record_type.to_owned(),
                    record_id,
                    actor_id: e.actor_id.map(|a| a.0.to_string()),
                    record_count,
                    record_ids,
                    query,
                },
            }
        })
        .collect();
    want.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    let got = every_column(t);
    assert_eq!(got.len(), 1201);
    assert_eq!(got, want);
}

/// In a group commit, a request whose entries cannot be written (here an id already stored)
/// fails alone: every other request of the same batch is committed, each exactly once.
pub async fn group_commit_fails_only_the_bad_request(t: &TestDb) {
    use genascope_adapters_postgres::AuditWriter;
    let taken = read_entry(999);
    t.db().record(vec![taken.clone()]).await.unwrap();
    let (writer, handle) = AuditWriter::start(t.db().clone()).unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 1..=60u128 {
        let writer = writer.clone();
        let entries = if n == 30 {
            // Two entries, the second a duplicate: neither may be stored.
            vec![read_entry(n), taken.clone()]
        } else {
            vec![read_entry(n), read_entry(n)]
        };
        tasks.spawn(async move { (n, writer.record(entries).await) });
    }
    while let Some(done) = tasks.join_next().await {
        let (n, result) = done.unwrap();
        assert_eq!(result.is_err(), n == 30, "request {n}: {result:?}");
    }
    drop(writer);
    tokio::task::spawn_blocking(move || handle.join())
        .await
        .unwrap();
    for n in 1..=60u128 {
        let want = if n == 30 { 0 } else { 2 };
        assert_eq!(count_of(t.db(), n), want, "entries of request {n}");
    }
    assert_eq!(count_of(t.db(), 999), 1);
}
