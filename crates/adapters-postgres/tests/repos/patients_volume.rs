//! The patient list at a clinic's volume (issue #11): 5,000 patients in two accounts, with
//! invites and chat sessions of every kind, inserted in bulk (multi-row VALUES); then every page
//! of 50 of one account, and filtered lists, checked against what was inserted.

use crate::support::{at, clinic};
use diesel::connection::SimpleConnection;
use genascope_adapters_postgres::DbConnection;
use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::common::{AccountId, PatientId, Timestamp, UserId};
use genascope_domain::identity::policy::ListScope;
use genascope_domain::invites::model::ChatStage;
use genascope_domain::patients::model::PatientStatus;
use genascope_domain::patients::ports::{PatientFilter, PatientRepository};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

const PATIENTS: usize = 5_000;
const PAGE: u32 = 50;

/// What one inserted patient should look like in the list.
struct Expected {
    id: PatientId,
    account: AccountId,
    created: Timestamp,
    status: PatientStatus,
    clinician: Option<UserId>,
    deleted: bool,
    email: String,
    /// (pending expiry, accepted, latest invite change), if it has invites.
    invites: Option<(Option<Timestamp>, bool, Timestamp)>,
    /// (stage, latest activity), if it has chat sessions.
    chats: Option<(ChatStage, Timestamp)>,
}

fn sql_ts(t: Timestamp) -> String {
    format!(
        "'{:04}-{:02}-{:02} {:02}:{:02}:{:02}'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn status_of(i: usize) -> PatientStatus {
    match i % 4 {
        0 => PatientStatus::Active,
        1 => PatientStatus::Inactive,
        2 => PatientStatus::Archived,
        _ => PatientStatus::Pending,
    }
}

/// Insert `rows` (already formatted `(...)` tuples) 500 at a time.
fn insert_rows(conn: &mut DbConnection, head: &str, rows: &[String]) {
    for chunk in rows.chunks(500) {
        let sql = format!("{head} VALUES {}", chunk.join(","));
        match conn {
            DbConnection::Postgresql(c) => c.batch_execute(&sql).unwrap(),
            DbConnection::Sqlite(c) => c.batch_execute(&sql).unwrap(),
        }
    }
}

/// 5,000 patients, 4 of every 5 in `a`; created in groups of 7 per minute (ties broken by id);
/// every 97th deleted; invites pending (some expired), accepted and revoked; chat sessions
/// active, completed and cancelled.
async fn fixtures(t: &TestDb) -> (AccountId, AccountId, UserId, Vec<Expected>) {
    let (a, doc) = clinic(t, "VolA").await;
    let (b, _) = clinic(t, "VolB").await;
    let mut conn = t.db().connection().unwrap();
    let blob = |hex: &str| match &*conn {
        DbConnection::Postgresql(_) => format!("'\\x{hex}'::bytea"),
        DbConnection::Sqlite(_) => format!("X'{hex}'"),
    };
    let (mut patients, mut invites, mut chats, mut expected) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let q = |s: &str| format!("'{s}'");
    let null = || "NULL".to_owned();
    for i in 0..PATIENTS {
        let id = Uuid::new_v4();
        let account = if i % 5 == 0 { b } else { a };
        let created = at(i64::try_from(i / 7).unwrap());
        let clinician = (account == a && i % 6 == 0).then_some(doc.id);
        let deleted = i % 97 == 0;
        let email = format!("p{i}@vol.org");
        patients.push(format!(
            "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
            q(&id.to_string()),
            q(&account.0.to_string()),
            q(&format!("First{i}")),
            q(&format!("Last{i}")),
            q(&email),
            if i % 10 == 0 {
                q(&format!("MRN-{i}"))
            } else {
                null()
            },
            clinician.map_or_else(null, |c| q(&c.0.to_string())),
            q(status_of(i).as_str()),
            sql_ts(created),
            sql_ts(created),
            if deleted { sql_ts(at(100_000)) } else { null() },
        ));
        let mut inv: Option<(Option<Timestamp>, bool, Timestamp)> = None;
        let mut invite = |status: &str, expires: Timestamp, updated: Timestamp, k: u8| {
            let (accepted_at, revoked_at) = match status {
                "accepted" => (sql_ts(updated), null()),
                "revoked" => (null(), sql_ts(updated)),
                _ => (null(), null()),
            };
            invites.push(format!(
                "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                q(&Uuid::new_v4().to_string()),
                q(&account.0.to_string()),
                q(&id.to_string()),
                q(status),
                blob(&format!("{:032x}{k:02x}", id.as_u128())),
                sql_ts(expires),
                accepted_at,
                revoked_at,
                q(&doc.id.0.to_string()),
                sql_ts(updated),
                sql_ts(updated),
            ));
            let e = inv.get_or_insert((None, false, updated));
            e.2 = e.2.max(updated);
            match status {
                "pending" => e.0 = Some(expires),
                "accepted" => e.1 = true,
                _ => {}
            }
        };
        let minute = i64::try_from(i).unwrap();
        if i % 2 == 0 {
            // Every 8th is pending but long expired.
            let expires = if i % 8 == 0 { at(-10) } else { at(50_000) };
            invite("pending", expires, at(minute), 0);
        }
        if i % 3 == 0 {
            invite("accepted", at(40_000), at(minute + 1), 1);
        }
        if i % 7 == 0 {
            invite("revoked", at(40_000), at(minute + 2), 2);
        }
        let mut ch: Option<(ChatStage, Timestamp)> = None;
        let mut chat = |status: &str, last: Timestamp| {
            let (question, completed_at, ended_at, assessment_id, assessment) = match status {
                "active" => ("3".to_owned(), null(), null(), null(), null()),
                "completed" => (
                    null(),
                    sql_ts(last),
                    null(),
                    q(&Uuid::new_v4().to_string()),
                    q("{}"),
                ),
                _ => (null(), null(), sql_ts(last), null(), null()),
            };
            let sid = Uuid::new_v4().to_string();
            chats.push(format!(
                "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                q(&sid),
                q(&sid),
                q(&account.0.to_string()),
                q(&id.to_string()),
                q(&doc.id.0.to_string()),
                q(status),
                q("{}"),
                question,
                assessment_id,
                assessment,
                sql_ts(at(0)),
                sql_ts(last),
                completed_at,
                ended_at,
            ));
            let stage = match status {
                "completed" => ChatStage::Completed,
                "active" => ChatStage::InProgress,
                _ => ChatStage::NotStarted,
            };
            let e = ch.get_or_insert((stage, last));
            e.1 = e.1.max(last);
            e.0 = match (e.0, stage) {
                (ChatStage::Completed, _) | (_, ChatStage::Completed) => ChatStage::Completed,
                (ChatStage::InProgress, _) | (_, ChatStage::InProgress) => ChatStage::InProgress,
                _ => ChatStage::NotStarted,
            };
        };
        if i % 4 == 1 {
            chat("active", at(minute + 3));
        }
        if i % 12 == 3 {
            chat("completed", at(minute + 4));
        }
        if i % 11 == 0 {
            chat("cancelled", at(minute + 5));
        }
        expected.push(Expected {
            id: PatientId(id),
            account,
            created,
            status: status_of(i),
            clinician,
            deleted,
            email,
            invites: inv,
            chats: ch,
        });
    }
    insert_rows(
        &mut conn,
        "INSERT INTO patients (id, account_id, first_name, last_name, email, external_id, \
         clinician_id, status, created_at, updated_at, deleted_at)",
        &patients,
    );
    insert_rows(
        &mut conn,
        "INSERT INTO invites (id, account_id, patient_id, status, token_hash, expires_at, \
         accepted_at, revoked_at, created_by, created_at, updated_at)",
        &invites,
    );
    insert_rows(
        &mut conn,
        "INSERT INTO chat_sessions (id, ref_id, account_id, patient_id, created_by, status, \
         extracted_data, current_question, assessment_id, assessment, started_at, last_activity, \
         completed_at, ended_at)",
        &chats,
    );
    (a, b, doc.id, expected)
}

fn filter(scope: ListScope, offset: u32) -> PatientFilter {
    PatientFilter {
        scope,
        query: None,
        status: None,
        clinician_id: None,
        offset,
        limit: PAGE,
    }
}

/// Every page of `f` (from offset 0 in steps of 50) against `want`, the expected ids in order:
/// no duplicate, no gap, the right total, the summaries of exactly the patients listed.
async fn pages_match(
    t: &TestDb,
    f: &PatientFilter,
    want: &[&Expected],
    by_id: &HashMap<PatientId, &Expected>,
) {
    let patients: &dyn PatientRepository = t.db();
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = patients
            .list(&PatientFilter {
                offset,
                ..f.clone()
            })
            .await
            .unwrap();
        assert!(page.views.len() <= PAGE as usize);
        let ids: HashSet<PatientId> = page.views.iter().map(|v| v.patient.id).collect();
        for v in &page.views {
            let e = by_id[&v.patient.id];
            assert_eq!(v.patient.email.as_str(), e.email);
            assert_eq!(v.patient.account_id, e.account);
            assert_eq!(v.patient.status, e.status);
            assert_eq!(v.patient.clinician_id, e.clinician);
            assert_eq!(v.clinician_name.is_some(), e.clinician.is_some());
        }
        // Summaries: exactly those of the listed patients that have invites / sessions.
        let invites: HashMap<PatientId, _> =
            page.invites.iter().map(|s| (s.patient_id, s)).collect();
        assert_eq!(invites.len(), page.invites.len(), "one summary per patient");
        let chats: HashMap<PatientId, _> = page.chats.iter().map(|s| (s.patient_id, s)).collect();
        assert_eq!(chats.len(), page.chats.len(), "one summary per patient");
        assert!(invites.keys().chain(chats.keys()).all(|p| ids.contains(p)));
        for v in &page.views {
            let e = by_id[&v.patient.id];
            let got = invites
                .get(&v.patient.id)
                .map(|s| (s.pending_expires_at, s.accepted, s.last_event_at));
            assert_eq!(got, e.invites, "invite summary of {}", e.email);
            let got = chats.get(&v.patient.id).map(|s| (s.stage, s.last_activity));
            assert_eq!(got, e.chats, "chat summary of {}", e.email);
        }
        let n = page.views.len();
        seen.extend(page.views.into_iter().map(|v| v.patient.id));
        if n < PAGE as usize {
            break;
        }
        offset += PAGE;
    }
    let want: Vec<PatientId> = want.iter().map(|e| e.id).collect();
    assert_eq!(seen.len(), want.len(), "total");
    assert_eq!(seen, want, "every page in order, no duplicate, no gap");
}

pub async fn every_page_of_thousands_is_right(t: &TestDb) {
    let (a, b, doc, all) = fixtures(t).await;
    let by_id: HashMap<PatientId, &Expected> = all.iter().map(|e| (e.id, e)).collect();
    // The list's order: newest first, ties by id ascending (a uuid's text order is its byte
    // order, which is its u128 order).
    let mut live: Vec<&Expected> = all.iter().filter(|e| !e.deleted).collect();
    live.sort_by(|x, y| y.created.cmp(&x.created).then(x.id.0.cmp(&y.id.0)));
    let of = |acc: AccountId| -> Vec<&Expected> {
        live.iter().copied().filter(|e| e.account == acc).collect()
    };
    let in_a = of(a);
    assert!(in_a.len() > 3_900 && of(b).len() > 950);

    // Every page of account A, then of B.
    pages_match(t, &filter(ListScope::Account(a), 0), &in_a, &by_id).await;
    pages_match(t, &filter(ListScope::Account(b), 0), &of(b), &by_id).await;

    // Filters at volume: status, clinician, search (and their combination), on account A.
    let status = PatientFilter {
        status: Some(PatientStatus::Archived),
        ..filter(ListScope::Account(a), 0)
    };
    let want: Vec<&Expected> = in_a
        .iter()
        .copied()
        .filter(|e| e.status == PatientStatus::Archived)
        .collect();
    pages_match(t, &status, &want, &by_id).await;
    let clinician = PatientFilter {
        clinician_id: Some(doc),
        ..filter(ListScope::Account(a), 0)
    };
    let want: Vec<&Expected> = in_a
        .iter()
        .copied()
        .filter(|e| e.clinician == Some(doc))
        .collect();
    pages_match(t, &clinician, &want, &by_id).await;
    // "p12" matches p12@, p120@..p129@, p1200@.. in the email (names are First<i>/Last<i>).
    let search = PatientFilter {
        query: Some("P12".into()),
        status: Some(PatientStatus::Active),
        ..filter(ListScope::Account(a), 0)
    };
    let want: Vec<&Expected> = in_a
        .iter()
        .copied()
        .filter(|e| e.email.starts_with("p12") && e.status == PatientStatus::Active)
        .collect();
    assert!(!want.is_empty());
    pages_match(t, &search, &want, &by_id).await;

    // A super admin's view (every account), a few pages deep, and past the end.
    let patients: &dyn PatientRepository = t.db();
    let deep = patients.list(&filter(ListScope::All, 3_000)).await.unwrap();
    let want: Vec<PatientId> = live[3_000..3_050].iter().map(|e| e.id).collect();
    assert_eq!(
        deep.views.iter().map(|v| v.patient.id).collect::<Vec<_>>(),
        want
    );
    let past = u32::try_from(live.len()).unwrap();
    assert!(
        patients
            .list(&filter(ListScope::All, past))
            .await
            .unwrap()
            .views
            .is_empty()
    );
}
