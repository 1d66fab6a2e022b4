use diesel::prelude::*;
use diesel::sql_types::Text;
use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::audit::{AuditAction, AuditEntry, AuditLog};
use genascope_domain::common::{AccountId, UserId};

#[derive(QueryableByName, Debug, PartialEq)]
struct Row {
    #[diesel(sql_type = Text)]
    action: String,
    #[diesel(sql_type = Text)]
    record_type: String,
    #[diesel(sql_type = Text)]
    record_id: String,
    #[diesel(sql_type = Text)]
    actor_id: String,
}

pub async fn entries_are_appended(t: &TestDb) {
    let at = time::macros::datetime!(2026-11-25 12:00:00 UTC);
    let actor = UserId(uuid::Uuid::new_v4());
    let account = AccountId(uuid::Uuid::new_v4());
    let entry = |action, record_id: &str| AuditEntry {
        id: uuid::Uuid::new_v4(),
        at,
        actor_id: Some(actor),
        action,
        record_type: "patient",
        record_id: record_id.to_owned(),
        account_id: Some(account),
    };
    t.db()
        .record(vec![
            entry(AuditAction::Read, "p1"),
            entry(AuditAction::Delete, "p2"),
        ])
        .await
        .unwrap();
    t.db().record(Vec::new()).await.unwrap();
    let mut conn = t.db().connection().unwrap();
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT action, record_type, record_id, actor_id FROM audit_log ORDER BY record_id",
    )
    .load(&mut *conn)
    .unwrap();
    let actor = actor.to_string();
    assert_eq!(
        rows,
        vec![
            Row {
                action: "read".into(),
                record_type: "patient".into(),
                record_id: "p1".into(),
                actor_id: actor.clone()
            },
            Row {
                action: "delete".into(),
                record_type: "patient".into(),
                record_id: "p2".into(),
                actor_id: actor
            },
        ]
    );
}
