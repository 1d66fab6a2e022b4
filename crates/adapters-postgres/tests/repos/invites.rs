//! `InviteRepository` (issue #8): creation with rule 5 in one transaction, reads in scope, the
//! list's filters, sorts and paging with the computed `expired` status, optimistic updates,
//! acceptance with the patient's activation, the one-open-invite constraint under concurrency,
//! and the summaries the patient views derive from.

use crate::support::{at, email, mail, new_user, patient, user};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Nullable, Text};
use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::audit::{AuditAction, AuditEntry, AuditRecords};
use genascope_domain::common::{
    AccountId, ChatStrategyId, InviteId, Patch, PatientId, RepoError, Timestamp,
};
use genascope_domain::identity::model::{Role, User};
use genascope_domain::identity::policy::ListScope;
use genascope_domain::identity::ports::{AccountRepository, UserRepository};
use genascope_domain::invites::model::{
    ExpiryDays, Invite, InviteState, InviteStatus, InviteSummary, InviteToken, TOKEN_BYTES,
};
use genascope_domain::invites::ports::{
    Acceptance, InviteFilter, InviteRepository, InviteSort, IssueError, NewInvite, SortOrder,
    StrategyChoice, StrategyRef,
};
use genascope_domain::invites::rules::InviteDraft;
use genascope_domain::patients::model::{Patient, PatientStatus};
use genascope_domain::patients::ports::{PatientFilter, PatientRepository};
use time::macros::date;
use uuid::Uuid;

/// An account with its admin, a clinician and a physician.
struct Clinic {
    id: AccountId,
    doc: User,
    other_doc: User,
}

async fn clinic(t: &TestDb, name: &str) -> Clinic {
    let (id, doc) = crate::support::clinic(t, name).await;
    let other_doc = user(
        Some(id),
        &format!("other@{}.org", name.to_lowercase()),
        "Meredith Grey",
        Role::Physician,
    );
    UserRepository::insert(t.db(), &new_user(other_doc.clone()), None)
        .await
        .unwrap();
    Clinic { id, doc, other_doc }
}

async fn add_patient(t: &TestDb, p: &Patient) {
    PatientRepository::insert(t.db(), p, &entry("patient", p.id.0))
        .await
        .unwrap();
}

/// A fresh random token.
fn token() -> InviteToken {
    let mut raw = [0u8; TOKEN_BYTES];
    raw[..16].copy_from_slice(Uuid::new_v4().as_bytes());
    raw[16..].copy_from_slice(Uuid::new_v4().as_bytes());
    InviteToken::from_bytes(raw)
}

fn entry(record_type: &'static str, record: Uuid) -> AuditEntry {
    AuditEntry {
        id: Uuid::new_v4(),
        at: at(0),
        actor_id: None,
        action: AuditAction::Create,
        record_type,
        records: AuditRecords::One(record),
        account_id: None,
    }
}

/// An invite of `p` from `provider`, issued at `created` for `days`.
fn issue(p: &Patient, provider: &User, created: Timestamp, days: i64) -> (Invite, InviteToken) {
    let token = token();
    let invite = Invite::issue(
        InviteDraft {
            id: InviteId(Uuid::new_v4()),
            account_id: p.account_id,
            patient_id: p.id,
            provider_id: Some(provider.id),
            provider_name: Some(provider.name.clone()),
            chat_strategy_id: None,
            chat_strategy_name: None,
            custom_message: None,
            created_by: provider.id,
        },
        &token,
        ExpiryDays::new(days).unwrap(),
        created,
    );
    (invite, token)
}

fn new_invite(invite: &Invite) -> NewInvite {
    NewInvite {
        invite: invite.clone(),
        strategy: StrategyChoice::AccountDefault,
        new_patient: None,
        audit: vec![entry("invite", invite.id.0)],
        superseded_audit: AuditEntry {
            action: AuditAction::Update,
            records: AuditRecords::Many {
                ids: Vec::new(),
                query: None,
            },
            ..entry("invite", Uuid::nil())
        },
        mail: None,
    }
}

async fn create(t: &TestDb, invite: &Invite) -> Vec<InviteId> {
    InviteRepository::create(t.db(), &new_invite(invite))
        .await
        .unwrap()
        .revoked
}

/// Accept `invite` at `when` (no birth date, login or audit): the accepted invite.
async fn accept(t: &TestDb, invite: &Invite, when: Timestamp) -> Invite {
    let after = invite.accept(when).unwrap();
    InviteRepository::accept(
        t.db(),
        &Acceptance {
            before: invite.clone(),
            after: after.clone(),
            date_of_birth: None,
            login: None,
            audit: vec![],
        },
    )
    .await
    .unwrap();
    after
}

/// Revoke `invite` at `when`.
async fn revoke(t: &TestDb, invite: &Invite, when: Timestamp) {
    let after = invite.revoke(when).unwrap();
    InviteRepository::update(t.db(), invite, &after, &entry("invite", invite.id.0), None)
        .await
        .unwrap();
}

fn filter(scope: ListScope) -> InviteFilter {
    InviteFilter {
        scope,
        status: None,
        provider_id: None,
        patient_id: None,
        search: None,
        created_after: None,
        created_before: None,
        sort_by: InviteSort::CreatedAt,
        sort_order: SortOrder::Desc,
        page: 1,
        limit: 100,
    }
}

#[derive(QueryableByName, Debug)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(t: &TestDb, sql: &str) -> i64 {
    let mut conn = t.db().connection().unwrap();
    let c: Count = diesel::sql_query(sql).get_result(&mut *conn).unwrap();
    c.n
}

/// A chat strategy of `account` (the chat capability's table), created `minutes` after `at(0)`.
fn add_strategy(
    t: &TestDb,
    account: AccountId,
    name: &str,
    active: bool,
    minutes: i64,
) -> ChatStrategyId {
    let id = ChatStrategyId(Uuid::new_v4());
    let when = at(minutes);
    let stamp = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:00",
        when.year(),
        u8::from(when.month()),
        when.day(),
        when.hour(),
        when.minute()
    );
    let mut conn = t.db().connection().unwrap();
    diesel::sql_query(format!(
        "INSERT INTO chat_strategies (id, account_id, name, name_key, is_active, created_at, updated_at) \
         VALUES ('{}', '{}', '{name}', '{}', {}, '{stamp}', '{stamp}')",
        id.0,
        account.0,
        name.to_lowercase(),
        if active { "TRUE" } else { "FALSE" },
    ))
    .execute(&mut *conn)
    .unwrap();
    id
}

fn invite_audit_rows(t: &TestDb) -> i64 {
    count(
        t,
        "SELECT count(*) AS n FROM audit_log WHERE record_type = 'invite'",
    )
}

fn stored_pending(t: &TestDb, p: PatientId) -> i64 {
    count(
        t,
        &format!(
            "SELECT count(*) AS n FROM invites WHERE patient_id = '{}' AND status = 'pending'",
            p.0
        ),
    )
}

#[derive(QueryableByName, Debug)]
struct Ids {
    #[diesel(sql_type = Nullable<Binary>)]
    record_ids: Option<Vec<u8>>,
    #[diesel(sql_type = Nullable<Text>)]
    record_id: Option<String>,
}

/// The ids the superseded-invites audit rows name.
fn superseded_ids(t: &TestDb) -> Vec<Uuid> {
    let mut conn = t.db().connection().unwrap();
    let rows: Vec<Ids> = diesel::sql_query(
        "SELECT record_ids, record_id FROM audit_log \
         WHERE record_type = 'invite' AND action = 'update' ORDER BY at",
    )
    .load(&mut *conn)
    .unwrap();
    rows.into_iter()
        .flat_map(|r| {
            assert_eq!(r.record_id, None);
            r.record_ids.unwrap_or_default()
        })
        .collect::<Vec<u8>>()
        .chunks(16)
        .map(|c| Uuid::from_slice(c).unwrap())
        .collect()
}

fn ids(rows: &[genascope_domain::invites::model::InviteView]) -> Vec<InviteId> {
    rows.iter().map(|v| v.invite.id).collect()
}

pub async fn create_and_read_back(t: &TestDb) {
    let invites: &dyn InviteRepository = t.db();
    let c = clinic(t, "Read").await;
    let other = clinic(t, "Elsewhere").await;
    let mut p = patient(c.id, "zoe@read.org", "Zoë", "Berg");
    p.phone = Some("+1 555 0100".into());
    add_patient(t, &p).await;
    let (mut invite, token) = issue(&p, &c.doc, at(0), 14);
    let strategy = add_strategy(t, c.id, "Hereditary cancer", true, 0);
    invite.chat_strategy_id = Some(strategy);
    invite.chat_strategy_name = Some("Hereditary cancer".into());
    invite.custom_message =
        genascope_domain::invites::model::CustomMessage::parse("Bring your\nfamily history")
            .unwrap();
    let mut new = new_invite(&invite);
    new.strategy = StrategyChoice::Named(strategy);
    new.mail = Some(mail("zoe@read.org", "You are invited"));
    let issued = invites.create(&new).await.unwrap();
    assert!(issued.revoked.is_empty());
    assert_eq!(
        issued.chat_strategy,
        Some(StrategyRef {
            id: strategy,
            name: "Hereditary cancer".into()
        })
    );
    assert_eq!(t.db().outbox_counts().await.unwrap().pending, 1);
    assert_eq!(invite_audit_rows(t), 1);

    let v = invites
        .get(invite.id, ListScope::Account(c.id))
        .await
        .unwrap();
    assert_eq!(v.invite, invite);
    assert_eq!(v.patient.email, p.email);
    assert_eq!(
        (v.patient.first_name.as_str(), v.patient.last_name.as_str()),
        ("Zoë", "Berg")
    );
    assert_eq!(v.patient.phone, p.phone);
    assert_eq!(invites.get(invite.id, ListScope::All).await.unwrap(), v);
    for scope in [ListScope::Account(other.id), ListScope::Nothing] {
        assert!(matches!(
            invites.get(invite.id, scope).await,
            Err(RepoError::NotFound)
        ));
    }
    assert!(matches!(
        invites.get(InviteId(Uuid::new_v4()), ListScope::All).await,
        Err(RepoError::NotFound)
    ));

    // By token: the current token's hash only.
    let found = invites.find_by_token_hash(&token.hash()).await.unwrap();
    assert_eq!(found, Some(v));
    assert_eq!(
        invites
            .find_by_token_hash(&self::token().hash())
            .await
            .unwrap(),
        None
    );
    // A token hash names one invite.
    let q = patient(c.id, "q@read.org", "Q", "R");
    add_patient(t, &q).await;
    let (mut twin, _) = issue(&q, &c.doc, at(1), 14);
    twin.token_hash = invite.token_hash;
    assert!(matches!(
        invites.create(&new_invite(&twin)).await,
        Err(IssueError::Repo(RepoError::Duplicate("token")))
    ));
}

/// Rule 5 in one transaction: the patient's open invites (expired ones too) are revoked and the
/// new one inserted, with the audit rows; used and revoked invites are left alone; a failing
/// create leaves everything as it was.
pub async fn create_revokes_the_patients_other_open_invites_atomically(t: &TestDb) {
    let invites: &dyn InviteRepository = t.db();
    let c = clinic(t, "Supersede").await;
    let p = patient(c.id, "p@sup.org", "Pat", "Sup");
    let bystander = patient(c.id, "b@sup.org", "By", "Stander");
    add_patient(t, &p).await;
    add_patient(t, &bystander).await;
    let (used, _) = issue(&p, &c.doc, at(0), 14);
    create(t, &used).await;
    let accepted = accept(t, &used, at(1)).await;
    let (expired, _) = issue(&p, &c.doc, at(2), 1);
    assert!(create(t, &expired).await.is_empty());
    let (other, _) = issue(&bystander, &c.doc, at(3), 14);
    create(t, &other).await;

    // Well past the first expiry: the expired invite is still the open one, and goes.
    let (first, _) = issue(&p, &c.doc, at(60 * 24 * 3), 14);
    assert_eq!(create(t, &first).await, vec![expired.id]);
    let (second, _) = issue(&p, &c.other_doc, at(60 * 24 * 4), 14);
    let second_new = new_invite(&second);
    assert_eq!(
        invites.create(&second_new).await.unwrap().revoked,
        vec![first.id]
    );

    let get = |id| invites.get(id, ListScope::Account(c.id));
    let revoked = get(first.id).await.unwrap().invite;
    assert_eq!(revoked.state, InviteState::Revoked);
    assert_eq!(revoked.revoked_at, Some(second.created_at));
    assert_eq!(revoked.updated_at, second.created_at);
    assert_eq!(revoked.version, 2);
    assert_eq!(
        get(expired.id).await.unwrap().invite.state,
        InviteState::Revoked
    );
    assert_eq!(
        get(used.id).await.unwrap().invite,
        accepted,
        "history stays"
    );
    assert_eq!(
        get(other.id).await.unwrap().invite,
        other,
        "other patients untouched"
    );
    assert_eq!(get(second.id).await.unwrap().invite, second);
    assert_eq!(stored_pending(t, p.id), 1);
    assert_eq!(superseded_ids(t), vec![expired.id.0, first.id.0]);
    let audited = invite_audit_rows(t);

    // A create that fails (its audit row's id is taken) rolls back the revocation too.
    let (third, _) = issue(&p, &c.doc, at(60 * 24 * 5), 14);
    let mut failing = new_invite(&third);
    failing.audit = second_new.audit.clone();
    failing.mail = Some(mail("p@sup.org", "Invited again"));
    let err = invites.create(&failing).await.unwrap_err();
    assert!(
        matches!(err, IssueError::Repo(RepoError::Duplicate(_))),
        "{err:?}"
    );
    assert_eq!(get(second.id).await.unwrap().invite, second, "still open");
    assert!(matches!(get(third.id).await, Err(RepoError::NotFound)));
    assert_eq!(invite_audit_rows(t), audited);
    assert_eq!(t.db().outbox_counts().await.unwrap().pending, 0);
}

/// `generate_invite` with identity fields: the patient is created `pending` with the invite, or
/// neither is.
pub async fn create_with_a_new_pending_patient(t: &TestDb) {
    let invites: &dyn InviteRepository = t.db();
    let patients: &dyn PatientRepository = t.db();
    let c = clinic(t, "Fresh").await;
    let mut p = patient(c.id, "new@fresh.org", "New", "Comer");
    p.status = PatientStatus::Pending;
    p.clinician_id = Some(c.doc.id);
    let (invite, _) = issue(&p, &c.doc, at(0), 14);
    let mut new = new_invite(&invite);
    new.new_patient = Some(p.clone());
    new.audit.push(entry("patient", p.id.0));
    invites.create(&new).await.unwrap();
    let view = patients.get(p.id).await.unwrap();
    assert_eq!(view.patient, p);
    assert_eq!(invite_audit_rows(t), 1);

    // The same email again (another request got there first): nothing is written.
    let mut twin = patient(c.id, "new@fresh.org", "New", "Comer");
    twin.status = PatientStatus::Pending;
    let (invite2, _) = issue(&twin, &c.doc, at(1), 14);
    let mut new = new_invite(&invite2);
    new.new_patient = Some(twin.clone());
    assert!(matches!(
        invites.create(&new).await,
        Err(IssueError::Repo(RepoError::Duplicate("email")))
    ));
    assert!(matches!(
        patients.get(twin.id).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        invites.get(invite2.id, ListScope::All).await,
        Err(RepoError::NotFound)
    ));
    assert_eq!(invite_audit_rows(t), 1);
}

/// The patient named must be a live patient of the invite's account.
pub async fn create_for_a_missing_foreign_or_deleted_patient_is_not_found(t: &TestDb) {
    let invites: &dyn InviteRepository = t.db();
    let c = clinic(t, "Missing").await;
    let other = clinic(t, "Foreign").await;
    let theirs = patient(other.id, "t@foreign.org", "T", "F");
    add_patient(t, &theirs).await;
    // Their patient, our account.
    let (mut cross, _) = issue(&theirs, &c.doc, at(0), 14);
    cross.account_id = c.id;
    assert!(matches!(
        invites.create(&new_invite(&cross)).await,
        Err(IssueError::Repo(RepoError::NotFound))
    ));
    let ghost = patient(c.id, "g@missing.org", "G", "Host");
    let (invite, _) = issue(&ghost, &c.doc, at(0), 14);
    assert!(matches!(
        invites.create(&new_invite(&invite)).await,
        Err(IssueError::Repo(RepoError::NotFound))
    ));
    let gone = patient(c.id, "gone@missing.org", "Gone", "Away");
    add_patient(t, &gone).await;
    PatientRepository::soft_delete(t.db(), gone.id, at(1), &entry("patient", gone.id.0))
        .await
        .unwrap();
    let (invite, _) = issue(&gone, &c.doc, at(2), 14);
    assert!(matches!(
        invites.create(&new_invite(&invite)).await,
        Err(IssueError::Repo(RepoError::NotFound))
    ));
    assert_eq!(invite_audit_rows(t), 0);
}

/// `GET /api/invites`: every filter, every sort in both directions, paging with totals, and the
/// status computed at the request's time.
pub async fn list_filters_sorts_pages_and_computes_expired(t: &TestDb) {
    let invites: &dyn InviteRepository = t.db();
    let c = clinic(t, "Listing").await;
    let other = clinic(t, "Otherlist").await;
    let ann = patient(c.id, "ann@x.org", "Ann", "Smith");
    let bo = patient(c.id, "bo@x.org", "Bo", "Jones");
    let cy = patient(c.id, "cy@x.org", "Cy", "Smithers");
    let dee = patient(c.id, "dee_v@x.org", "Dee", "de Vries");
    let eve = patient(other.id, "eve@y.org", "Eve", "Smith");
    for p in [&ann, &bo, &cy, &dee, &eve] {
        add_patient(t, p).await;
    }
    let (i1, _) = issue(&ann, &c.doc, at(1), 14);
    let (i2, _) = issue(&bo, &c.other_doc, at(2), 1);
    let (i3, _) = issue(&cy, &c.doc, at(3), 14);
    let (i4, _) = issue(&dee, &c.other_doc, at(4), 14);
    let (i5, _) = issue(&eve, &other.doc, at(5), 14);
    for i in [&i1, &i2, &i3, &i4, &i5] {
        create(t, i).await;
    }
    accept(t, &i3, at(10)).await;
    revoke(t, &i4, at(11)).await;
    // Two days on: i2 (one day) has expired, i1 has not.
    let now = at(60 * 24 * 2);
    let list = |f: InviteFilter| async move { invites.list(&f, now).await.unwrap() };
    let in_c = || filter(ListScope::Account(c.id));

    let all = list(filter(ListScope::All)).await;
    assert_eq!(all.total, 5);
    assert_eq!(ids(&all.invites), [i5.id, i4.id, i3.id, i2.id, i1.id]);
    let page = list(in_c()).await;
    assert_eq!(page.total, 4);
    assert_eq!(ids(&page.invites), [i4.id, i3.id, i2.id, i1.id]);
    assert_eq!(list(filter(ListScope::Nothing)).await.total, 0);
    assert_eq!(
        list(filter(ListScope::Account(AccountId(Uuid::new_v4()))))
            .await
            .total,
        0
    );

    // Status, with expired computed at `now`; an hour after issue nothing had expired yet.
    for (status, want) in [
        (InviteStatus::Pending, vec![i1.id]),
        (InviteStatus::Expired, vec![i2.id]),
        (InviteStatus::Accepted, vec![i3.id]),
        (InviteStatus::Revoked, vec![i4.id]),
    ] {
        let got = list(InviteFilter {
            status: Some(status),
            ..in_c()
        })
        .await;
        assert_eq!(ids(&got.invites), want, "{status:?}");
        assert_eq!(got.total, 1);
        assert!(
            got.invites
                .iter()
                .all(|v| v.invite.status_at(now) == status)
        );
    }
    let early = invites
        .list(
            &InviteFilter {
                status: Some(InviteStatus::Pending),
                ..in_c()
            },
            at(60),
        )
        .await
        .unwrap();
    assert_eq!(ids(&early.invites), [i2.id, i1.id]);
    // At the very second of expiry, an invite is expired.
    let at_expiry = invites
        .list(
            &InviteFilter {
                status: Some(InviteStatus::Expired),
                ..in_c()
            },
            i2.expires_at,
        )
        .await
        .unwrap();
    assert_eq!(ids(&at_expiry.invites), [i2.id]);

    let doc_filter = InviteFilter {
        provider_id: Some(c.doc.id),
        ..in_c()
    };
    assert_eq!(ids(&list(doc_filter).await.invites), [i3.id, i1.id]);
    let patient_filter = InviteFilter {
        patient_id: Some(bo.id),
        ..in_c()
    };
    assert_eq!(ids(&list(patient_filter).await.invites), [i2.id]);
    // Another account's provider or patient matches nothing here.
    let foreign = InviteFilter {
        patient_id: Some(eve.id),
        ..in_c()
    };
    assert_eq!(list(foreign).await.total, 0);

    // Search: first, last, "first last", email; case-insensitive; wildcards literal.
    for (q, want) in [
        ("smith", vec![i3.id, i1.id]),
        ("ANN SMI", vec![i1.id]),
        ("bo", vec![i2.id]),
        ("@X.ORG", vec![i4.id, i3.id, i2.id, i1.id]),
        ("e_v", vec![i4.id]),
        ("de vr", vec![i4.id]),
        ("bo_", vec![]),
        ("%", vec![]),
    ] {
        let got = list(InviteFilter {
            search: Some(q.into()),
            ..in_c()
        })
        .await;
        assert_eq!(ids(&got.invites), want, "{q}");
        assert_eq!(got.total, want.len() as u64);
    }
    let window = InviteFilter {
        created_after: Some(at(2)),
        created_before: Some(at(3)),
        ..in_c()
    };
    assert_eq!(ids(&list(window).await.invites), [i3.id, i2.id]);
    let combined = InviteFilter {
        search: Some("smith".into()),
        status: Some(InviteStatus::Pending),
        ..in_c()
    };
    assert_eq!(ids(&list(combined).await.invites), [i1.id]);

    // Sorts (the reported status by its name: accepted < expired < pending < revoked; names
    // case-insensitively: "de Vries" < "Jones").
    for (sort, asc) in [
        (InviteSort::CreatedAt, vec![i1.id, i2.id, i3.id, i4.id]),
        (InviteSort::ExpiresAt, vec![i2.id, i1.id, i3.id, i4.id]),
        (InviteSort::Status, vec![i3.id, i2.id, i1.id, i4.id]),
        (InviteSort::Email, vec![i1.id, i2.id, i3.id, i4.id]),
        (InviteSort::FirstName, vec![i1.id, i2.id, i3.id, i4.id]),
        (InviteSort::LastName, vec![i4.id, i2.id, i1.id, i3.id]),
    ] {
        let up = list(InviteFilter {
            sort_by: sort,
            sort_order: SortOrder::Asc,
            ..in_c()
        })
        .await;
        assert_eq!(ids(&up.invites), asc, "{sort:?} asc");
        let down = list(InviteFilter {
            sort_by: sort,
            sort_order: SortOrder::Desc,
            ..in_c()
        })
        .await;
        let mut desc = asc.clone();
        desc.reverse();
        assert_eq!(ids(&down.invites), desc, "{sort:?} desc");
    }

    // Paging: page 2 of 2-per-page; past the end, empty with the total.
    let paged = |page, limit| InviteFilter {
        page,
        limit,
        sort_order: SortOrder::Asc,
        ..in_c()
    };
    let p2 = list(paged(2, 2)).await;
    assert_eq!((ids(&p2.invites), p2.total), (vec![i3.id, i4.id], 4));
    let p3 = list(paged(3, 2)).await;
    assert_eq!((p3.invites.len(), p3.total), (0, 4));
    assert_eq!(ids(&list(paged(2, 3)).await.invites), [i4.id]);
}

/// A clinic's volume: 250 invites issued in the same second page through in a stable order (ties
/// broken by id), with the right total, under every sort.
pub async fn paging_through_hundreds_is_stable(t: &TestDb) {
    let invites: &dyn InviteRepository = t.db();
    let c = clinic(t, "Volume").await;
    let mut all = Vec::new();
    for i in 0..250 {
        let p = patient(c.id, &format!("p{i}@volume.org"), "Same", "Name");
        add_patient(t, &p).await;
        let (invite, _) = issue(&p, &c.doc, at(0), 14);
        create(t, &invite).await;
        all.push(invite.id);
    }
    all.sort();
    for sort in [
        InviteSort::CreatedAt,
        InviteSort::Status,
        InviteSort::LastName,
    ] {
        for order in [SortOrder::Asc, SortOrder::Desc] {
            let mut seen = Vec::new();
            for page in 1..=3 {
                let got = invites
                    .list(
                        &InviteFilter {
                            sort_by: sort,
                            sort_order: order,
                            page,
                            limit: 100,
                            ..filter(ListScope::Account(c.id))
                        },
                        at(1),
                    )
                    .await
                    .unwrap();
                assert_eq!(got.total, 250);
                assert_eq!(got.invites.len(), if page == 3 { 50 } else { 100 });
                seen.extend(ids(&got.invites));
            }
            assert_eq!(seen, all, "{sort:?} {order:?}: ties by id, no row twice");
        }
    }
}

/// Scope: another account's invites are invisible to every read.
pub async fn other_accounts_invites_are_invisible(t: &TestDb) {
    let invites: &dyn InviteRepository = t.db();
    let mine = clinic(t, "Mine").await;
    let theirs = clinic(t, "Theirs").await;
    let p = patient(theirs.id, "p@theirs.org", "P", "T");
    add_patient(t, &p).await;
    let (invite, _) = issue(&p, &theirs.doc, at(0), 14);
    create(t, &invite).await;
    let scope = ListScope::Account(mine.id);
    assert!(matches!(
        invites.get(invite.id, scope).await,
        Err(RepoError::NotFound)
    ));
    assert_eq!(invites.list(&filter(scope), at(1)).await.unwrap().total, 0);
    assert!(
        invites
            .pending_for_provider(scope, theirs.doc.id, at(1))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        invites
            .list_for_patient(scope, p.id, None, at(1))
            .await
            .unwrap()
            .is_empty()
    );
    // Their own scope sees it.
    let scope = ListScope::Account(theirs.id);
    assert_eq!(
        ids(&invites
            .pending_for_provider(scope, theirs.doc.id, at(1))
            .await
            .unwrap()),
        [invite.id]
    );
    // A deleted account's invites are shown to nobody.
    AccountRepository::soft_delete(t.db(), theirs.id, at(2))
        .await
        .unwrap();
    assert!(matches!(
        invites.get(invite.id, ListScope::All).await,
        Err(RepoError::NotFound)
    ));
    assert_eq!(
        invites
            .list(&filter(ListScope::All), at(3))
            .await
            .unwrap()
            .total,
        0
    );
}

pub async fn pending_by_provider_and_invites_of_a_patient(t: &TestDb) {
    let invites: &dyn InviteRepository = t.db();
    let c = clinic(t, "Lists").await;
    let scope = ListScope::Account(c.id);
    let p = patient(c.id, "p@lists.org", "P", "L");
    let q = patient(c.id, "q@lists.org", "Q", "L");
    let r = patient(c.id, "r@lists.org", "R", "L");
    for x in [&p, &q, &r] {
        add_patient(t, x).await;
    }
    let (old, _) = issue(&p, &c.doc, at(0), 14);
    let (new, _) = issue(&p, &c.doc, at(1), 14);
    let (short, _) = issue(&q, &c.doc, at(2), 1);
    let (theirs, _) = issue(&r, &c.other_doc, at(3), 14);
    for i in [&old, &new, &short, &theirs] {
        create(t, i).await;
    }
    let now = at(60 * 24 * 2);
    // Pending and unexpired only, newest first: `short` has expired, `old` was superseded.
    assert_eq!(
        ids(&invites
            .pending_for_provider(scope, c.doc.id, now)
            .await
            .unwrap()),
        [new.id]
    );
    assert_eq!(
        ids(&invites
            .pending_for_provider(scope, c.doc.id, at(5))
            .await
            .unwrap()),
        [short.id, new.id]
    );
    assert_eq!(
        ids(&invites
            .list_for_patient(scope, p.id, None, now)
            .await
            .unwrap()),
        [new.id, old.id]
    );
    assert_eq!(
        ids(&invites
            .list_for_patient(scope, p.id, Some(InviteStatus::Revoked), now)
            .await
            .unwrap()),
        [old.id]
    );
    assert_eq!(
        ids(&invites
            .list_for_patient(scope, q.id, Some(InviteStatus::Expired), now)
            .await
            .unwrap()),
        [short.id]
    );
}

/// Resend, revoke and failed checks are written only over the version they were computed from.
pub async fn updates_are_optimistic(t: &TestDb) {
    let invites: &dyn InviteRepository = t.db();
    let c = clinic(t, "Optimist").await;
    let p = patient(c.id, "p@opt.org", "P", "O");
    add_patient(t, &p).await;
    let (invite, old_token) = issue(&p, &c.doc, at(0), 1);
    create(t, &invite).await;
    let audit = || entry("invite", invite.id.0);

    // A failed identity check, then a resend (with its email) from the newer version.
    let failed = invite.record_failed_check(at(1)).unwrap();
    invites
        .update(&invite, &failed, &audit(), None)
        .await
        .unwrap();
    let new_token = InviteToken::from_bytes([9; TOKEN_BYTES]);
    let resent = failed
        .resend(
            &new_token,
            ExpiryDays::DEFAULT,
            Patch::Keep,
            at(60 * 24 * 2),
        )
        .unwrap();
    invites
        .update(&failed, &resent, &audit(), Some(mail("p@opt.org", "Again")))
        .await
        .unwrap();
    assert_eq!(t.db().outbox_counts().await.unwrap().pending, 1);
    let stored = invites.get(invite.id, ListScope::All).await.unwrap().invite;
    assert_eq!(stored, resent);
    assert_eq!(
        (stored.token_gen, stored.failed_attempts, stored.version),
        (2, 0, 3)
    );
    // The old link is dead, the new one works.
    assert_eq!(
        invites.find_by_token_hash(&old_token.hash()).await.unwrap(),
        None
    );
    assert!(
        invites
            .find_by_token_hash(&new_token.hash())
            .await
            .unwrap()
            .is_some()
    );

    // A revoke computed from a stale read: refused, nothing written, no email.
    let late = failed.revoke(at(60 * 24 * 3)).unwrap();
    assert!(matches!(
        invites
            .update(&failed, &late, &audit(), Some(mail("p@opt.org", "Late")))
            .await,
        Err(RepoError::Stale)
    ));
    assert_eq!(
        invites.get(invite.id, ListScope::All).await.unwrap().invite,
        resent
    );
    assert_eq!(t.db().outbox_counts().await.unwrap().pending, 1);
    let audited = invite_audit_rows(t);
    // From the current version it goes through.
    invites
        .update(
            &resent,
            &resent.revoke(at(60 * 24 * 3)).unwrap(),
            &audit(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(invite_audit_rows(t), audited + 1);
    // An unknown invite is not found.
    let (ghost, _) = issue(&p, &c.doc, at(0), 1);
    assert!(matches!(
        invites
            .update(&ghost, &ghost.revoke(at(1)).unwrap(), &audit(), None)
            .await,
        Err(RepoError::NotFound)
    ));
}

/// Accepting activates a pending patient and records a missing date of birth, in the same
/// transaction as the invite's change and the login's creation; any failure undoes all of it.
pub async fn accept_activates_the_patient_in_one_transaction(t: &TestDb) {
    let (invites, patients, users): (
        &dyn InviteRepository,
        &dyn PatientRepository,
        &dyn UserRepository,
    ) = (t.db(), t.db(), t.db());
    let c = clinic(t, "Accept").await;
    let mut p = patient(c.id, "p@accept.org", "Pat", "Accept");
    p.status = PatientStatus::Pending;
    add_patient(t, &p).await;
    let (invite, _) = issue(&p, &c.doc, at(0), 14);
    create(t, &invite).await;
    let accepted = invite.accept(at(5)).unwrap();
    let dob = date!(1970 - 01 - 31);

    // The login's email is taken: nothing of the acceptance stands.
    let taken = email("p@accept.org");
    let mut squatter = user(Some(c.id), "p@accept.org", "Some One", Role::User);
    squatter.email = taken.clone();
    users
        .insert(&new_user(squatter.clone()), None)
        .await
        .unwrap();
    let mut login = user(Some(c.id), "p@accept.org", "Pat Accept", Role::Patient);
    login.id = p.id.into();
    let acceptance = Acceptance {
        before: invite.clone(),
        after: accepted.clone(),
        date_of_birth: Some(dob),
        login: Some(new_user(login.clone())),
        audit: vec![entry("invite", invite.id.0), entry("patient", p.id.0)],
    };
    assert!(matches!(
        invites.accept(&acceptance).await,
        Err(RepoError::Duplicate("email"))
    ));
    assert_eq!(
        invites.get(invite.id, ListScope::All).await.unwrap().invite,
        invite
    );
    assert_eq!(patients.get(p.id).await.unwrap().patient, p);
    let audited = invite_audit_rows(t);

    // With the email free, all of it at once.
    users.soft_delete(squatter.id, at(4)).await.unwrap();
    invites.accept(&acceptance).await.unwrap();
    assert_eq!(
        invites.get(invite.id, ListScope::All).await.unwrap().invite,
        accepted
    );
    let view = patients.get(p.id).await.unwrap();
    assert_eq!(view.patient.status, PatientStatus::Active);
    assert_eq!(view.patient.date_of_birth, Some(dob));
    assert_eq!(view.patient.updated_at, at(5));
    assert_eq!(view.patient.version, p.version + 1);
    assert!(view.has_login);
    assert_eq!(users.get(login.id).await.unwrap().role, Role::Patient);
    assert_eq!(invite_audit_rows(t), audited + 1);

    // Single use at the storage level too: the same acceptance again is stale.
    assert!(matches!(
        invites.accept(&acceptance).await,
        Err(RepoError::Stale)
    ));

    // A patient with a date of birth and another status keeps both.
    let mut q = patient(c.id, "q@accept.org", "Q", "Accept");
    q.date_of_birth = Some(date!(1980 - 05 - 05));
    q.status = PatientStatus::Inactive;
    add_patient(t, &q).await;
    let (invite, _) = issue(&q, &c.doc, at(0), 14);
    create(t, &invite).await;
    invites
        .accept(&Acceptance {
            before: invite.clone(),
            after: invite.accept(at(6)).unwrap(),
            date_of_birth: Some(dob),
            login: None,
            audit: vec![],
        })
        .await
        .unwrap();
    assert_eq!(patients.get(q.id).await.unwrap().patient, q, "unchanged");

    // A deleted patient's invite cannot be accepted (it was revoked with it, and the patient is
    // gone either way).
    let r = patient(c.id, "r@accept.org", "R", "Accept");
    add_patient(t, &r).await;
    let (invite, _) = issue(&r, &c.doc, at(0), 14);
    create(t, &invite).await;
    patients
        .soft_delete(r.id, at(7), &entry("patient", r.id.0))
        .await
        .unwrap();
    assert!(
        invites
            .accept(&Acceptance {
                before: invite.clone(),
                after: invite.accept(at(8)).unwrap(),
                date_of_birth: None,
                login: None,
                audit: vec![],
            })
            .await
            .is_err()
    );
}

/// At most one open invite per patient: concurrent creates for one patient all succeed in turn
/// and leave exactly one pending; the database refuses a second pending row outright.
pub async fn one_open_invite_per_patient_under_concurrent_creates(t: &TestDb) {
    let c = clinic(t, "Race").await;
    let p = patient(c.id, "p@race.org", "P", "Race");
    add_patient(t, &p).await;
    let mut tasks = Vec::new();
    let mut issued = Vec::new();
    for i in 0..8 {
        let (invite, _) = issue(&p, &c.doc, at(i), 14);
        issued.push(invite.id);
        let db = t.db().clone();
        tasks.push(tokio::spawn(async move {
            InviteRepository::create(&db, &new_invite(&invite)).await
        }));
    }
    let mut revoked = Vec::new();
    for task in tasks {
        revoked.extend(task.await.unwrap().unwrap().revoked);
    }
    assert_eq!(stored_pending(t, p.id), 1);
    assert_eq!(
        revoked.len(),
        7,
        "each create revoked the one open before it"
    );
    let open: Vec<_> = issued.iter().filter(|i| !revoked.contains(i)).collect();
    assert_eq!(open.len(), 1);
    let listed = InviteRepository::list_for_patient(
        t.db(),
        ListScope::All,
        p.id,
        Some(InviteStatus::Pending),
        at(10),
    )
    .await
    .unwrap();
    assert_eq!(ids(&listed), [*open[0]]);

    // The constraint itself: a revoked row turned back to pending is refused.
    let mut conn = t.db().connection().unwrap();
    let err = diesel::sql_query(format!(
        "UPDATE invites SET status = 'pending', revoked_at = NULL WHERE id = '{}'",
        revoked[0].0
    ))
    .execute(&mut *conn)
    .unwrap_err();
    assert!(
        matches!(
            err,
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            )
        ),
        "{err:?}"
    );
    // So is a state that disagrees with its times.
    assert!(
        diesel::sql_query(format!(
            "UPDATE invites SET status = 'accepted' WHERE id = '{}'",
            revoked[0].0
        ))
        .execute(&mut *conn)
        .is_err()
    );
}

/// What the patient views derive: one query for a page of patients.
pub async fn summaries_for_a_page_of_patients(t: &TestDb) {
    let invites: &dyn InviteRepository = t.db();
    let c = clinic(t, "Summary").await;
    let mk = |n: &str| patient(c.id, &format!("{n}@summary.org"), n, "S");
    let (never, sent, lapsed, used, dropped) = (
        mk("never"),
        mk("sent"),
        mk("lapsed"),
        mk("used"),
        mk("dropped"),
    );
    for p in [&never, &sent, &lapsed, &used, &dropped] {
        add_patient(t, p).await;
    }
    let (i_sent, _) = issue(&sent, &c.doc, at(1), 14);
    let (i_lapsed, _) = issue(&lapsed, &c.doc, at(2), 1);
    let (i_used, _) = issue(&used, &c.doc, at(3), 14);
    let (i_dropped, _) = issue(&dropped, &c.doc, at(4), 14);
    for i in [&i_sent, &i_lapsed, &i_used, &i_dropped] {
        create(t, i).await;
    }
    accept(t, &i_used, at(30)).await;
    revoke(t, &i_dropped, at(40)).await;
    let page = [dropped.id, never.id, used.id, lapsed.id, sent.id];
    let got = invites.summaries(&page).await.unwrap();
    let summary = |id: PatientId| got.iter().find(|s| s.patient_id == id).copied();
    assert_eq!(
        got.iter().map(|s| s.patient_id).collect::<Vec<_>>(),
        [dropped.id, used.id, lapsed.id, sent.id],
        "in the page's order, patients without invites absent"
    );
    let now = at(60 * 24 * 2);
    let status = |id| {
        InviteSummary::screening_status(
            summary(id).as_ref(),
            genascope_domain::invites::model::ChatStage::NotStarted,
            now,
        )
        .as_str()
    };
    assert_eq!(status(never.id), "Not Invited");
    assert_eq!(status(sent.id), "Invite Sent");
    assert_eq!(status(lapsed.id), "Invite Expired");
    assert_eq!(status(used.id), "Chat In Progress");
    assert_eq!(status(dropped.id), "Not Invited");
    assert!(summary(sent.id).unwrap().has_pending_invite(now));
    assert!(!summary(lapsed.id).unwrap().has_pending_invite(now));
    assert_eq!(summary(used.id).unwrap().last_event_at, at(30));
    assert_eq!(summary(dropped.id).unwrap().last_event_at, at(40));
    assert_eq!(
        summary(sent.id).unwrap().pending_expires_at,
        Some(i_sent.expires_at)
    );
    assert!(invites.summaries(&[]).await.unwrap().is_empty());
    // The patient list reads the same summaries with its page (one call, one connection),
    // whatever the page's size.
    let listed = PatientRepository::list(
        t.db(),
        &PatientFilter {
            scope: ListScope::Account(c.id),
            query: None,
            status: None,
            clinician_id: None,
            offset: 0,
            limit: 50,
        },
    )
    .await
    .unwrap();
    assert_eq!(listed.views.len(), 5);
    let mut from_list = listed.invites.clone();
    from_list.sort_by_key(|s| s.patient_id);
    let mut alone = got.clone();
    alone.sort_by_key(|s| s.patient_id);
    assert_eq!(from_list, alone);
    assert!(listed.chats.is_empty(), "no chat sessions here");
}

/// Deleting a patient revokes its invites (used ones too) in the same transaction, and hides
/// them.
pub async fn deleting_a_patient_revokes_its_invites(t: &TestDb) {
    let invites: &dyn InviteRepository = t.db();
    let c = clinic(t, "Deleted").await;
    let p = patient(c.id, "p@deleted.org", "P", "D");
    add_patient(t, &p).await;
    let (used, token) = issue(&p, &c.doc, at(0), 14);
    create(t, &used).await;
    accept(t, &used, at(1)).await;
    let (open, _) = issue(&p, &c.doc, at(2), 14);
    create(t, &open).await;
    PatientRepository::soft_delete(t.db(), p.id, at(3), &entry("patient", p.id.0))
        .await
        .unwrap();
    assert_eq!(
        count(
            t,
            &format!(
                "SELECT count(*) AS n FROM invites WHERE patient_id = '{}' \
                 AND status = 'revoked' AND revoked_at IS NOT NULL",
                p.id.0
            )
        ),
        2
    );
    assert!(matches!(
        invites.get(open.id, ListScope::All).await,
        Err(RepoError::NotFound)
    ));
    assert_eq!(
        invites.find_by_token_hash(&token.hash()).await.unwrap(),
        None
    );
    assert_eq!(
        invites
            .list(&filter(ListScope::All), at(4))
            .await
            .unwrap()
            .total,
        0
    );
}

/// The strategy of a new invite (contract §3.4): a named one must be a live, active strategy of
/// the patient's account; by default the account's oldest active live strategy, or none. A
/// refusal writes nothing (not even the new patient).
pub async fn create_resolves_the_strategy_in_its_transaction(t: &TestDb) {
    let invites: &dyn InviteRepository = t.db();
    let patients: &dyn PatientRepository = t.db();
    let c = clinic(t, "Strategic").await;
    let other = clinic(t, "Tactical").await;
    let p = patient(c.id, "p@strategic.org", "Pat", "Strat");
    add_patient(t, &p).await;
    // No strategy at all: none.
    let (invite, _) = issue(&p, &c.doc, at(0), 14);
    let issued = invites.create(&new_invite(&invite)).await.unwrap();
    assert_eq!(issued.chat_strategy, None);
    let stored = invites.get(invite.id, ListScope::All).await.unwrap().invite;
    assert_eq!(
        (stored.chat_strategy_id, stored.chat_strategy_name),
        (None, None)
    );

    let off = add_strategy(t, c.id, "Switched off", false, 0);
    let newer = add_strategy(t, c.id, "Newer", true, 20);
    let oldest = add_strategy(t, c.id, "Oldest", true, 10);
    let theirs = add_strategy(t, other.id, "Theirs", true, 0);
    let gone = add_strategy(t, c.id, "Gone", true, 1);
    {
        let mut conn = t.db().connection().unwrap();
        diesel::sql_query(format!(
            "UPDATE chat_strategies SET deleted_at = created_at WHERE id = '{}'",
            gone.0
        ))
        .execute(&mut *conn)
        .unwrap();
    }
    let (invite, _) = issue(&p, &c.doc, at(1), 14);
    let issued = invites.create(&new_invite(&invite)).await.unwrap();
    assert_eq!(
        issued.chat_strategy,
        Some(StrategyRef {
            id: oldest,
            name: "Oldest".into()
        }),
        "the oldest active live one"
    );
    let stored = invites.get(invite.id, ListScope::All).await.unwrap().invite;
    assert_eq!(stored.chat_strategy_id, Some(oldest));
    assert_eq!(stored.chat_strategy_name.as_deref(), Some("Oldest"));
    let (invite, _) = issue(&p, &c.doc, at(2), 14);
    let mut named = new_invite(&invite);
    named.strategy = StrategyChoice::Named(newer);
    let issued = invites.create(&named).await.unwrap();
    assert_eq!(issued.chat_strategy.map(|s| s.id), Some(newer));

    // Refusals write nothing: no invite, no new patient, no audit row, no mail.
    let audited = invite_audit_rows(t);
    let mut fresh = patient(c.id, "fresh@strategic.org", "Fresh", "Face");
    fresh.status = PatientStatus::Pending;
    for (strategy, inactive) in [
        (off, true),
        (theirs, false),
        (gone, false),
        (ChatStrategyId(Uuid::new_v4()), false),
    ] {
        let (invite, _) = issue(&fresh, &c.doc, at(3), 14);
        let mut new = new_invite(&invite);
        new.new_patient = Some(fresh.clone());
        new.strategy = StrategyChoice::Named(strategy);
        new.mail = Some(mail("fresh@strategic.org", "Invited"));
        let r = invites.create(&new).await;
        if inactive {
            assert!(matches!(r, Err(IssueError::StrategyInactive)), "{r:?}");
        } else {
            assert!(matches!(r, Err(IssueError::StrategyNotFound)), "{r:?}");
        }
        assert!(matches!(
            invites.get(invite.id, ListScope::All).await,
            Err(RepoError::NotFound)
        ));
    }
    assert!(matches!(
        patients.get(fresh.id).await,
        Err(RepoError::NotFound)
    ));
    assert_eq!(invite_audit_rows(t), audited);
    assert_eq!(t.db().outbox_counts().await.unwrap().pending, 0);
    // The patient's open invite is still the last one issued.
    assert_eq!(stored_pending(t, p.id), 1);
}

/// What authenticating a simplified token reads: the invite's state and generation with its live
/// patient and account; nothing once the patient or the account is deleted.
pub async fn grants_for_simplified_tokens(t: &TestDb) {
    use genascope_domain::identity::model::AccountStatus;
    use genascope_domain::identity::ports::GrantRepository;
    let grants: &dyn GrantRepository = t.db();
    let c = clinic(t, "Granted").await;
    let p = patient(c.id, "p@granted.org", "Pat", "Grant");
    add_patient(t, &p).await;
    let (invite, _) = issue(&p, &c.doc, at(0), 14);
    create(t, &invite).await;
    let g = grants.grant(invite.id).await.unwrap().unwrap();
    assert_eq!((g.patient_id, g.account_id), (p.id, p.account_id));
    assert_eq!(
        (g.email.clone(), g.first_name.as_str()),
        (p.email.clone(), "Pat")
    );
    assert!(g.patient_active && g.account_active && !g.invite_accepted);
    assert_eq!((g.token_gen, g.account_name.as_str()), (1, "Granted"));
    assert_eq!(g.chat_strategy_id, None);
    let accepted = accept(t, &invite, at(1)).await;
    let g = grants.grant(invite.id).await.unwrap().unwrap();
    assert!(g.invite_accepted);
    // A revoke: no longer accepted.
    InviteRepository::update(
        t.db(),
        &accepted,
        &accepted.revoke(at(2)).unwrap(),
        &entry("invite", invite.id.0),
        None,
    )
    .await
    .unwrap();
    assert!(
        !grants
            .grant(invite.id)
            .await
            .unwrap()
            .unwrap()
            .invite_accepted
    );
    // An inactive account is reported; unknown invites are None.
    let mut account = AccountRepository::get(t.db(), c.id).await.unwrap();
    account.status = AccountStatus::Inactive;
    AccountRepository::update(t.db(), &account).await.unwrap();
    assert!(
        !grants
            .grant(invite.id)
            .await
            .unwrap()
            .unwrap()
            .account_active
    );
    assert!(
        grants
            .grant(InviteId(Uuid::new_v4()))
            .await
            .unwrap()
            .is_none()
    );
    // A deleted patient: None.
    PatientRepository::soft_delete(t.db(), p.id, at(3), &entry("patient", p.id.0))
        .await
        .unwrap();
    assert!(grants.grant(invite.id).await.unwrap().is_none());
}

/// The principal cache's grants (issue #11): every change by hand to a column the grant reads
/// (the invite, its patient, its account) is seen on the next read through the cache.
pub async fn changes_by_hand_evict_the_cached_grant(t: &TestDb) {
    use crate::principal_cache::{listening, raw, settle};
    use genascope_domain::identity::ports::{GrantRecord, GrantRepository};
    let cache = listening(t).await;
    let c = clinic(t, "GrantCache").await;
    let p = patient(c.id, "p@grantcache.org", "Pat", "Cache");
    add_patient(t, &p).await;
    let (invite, _) = issue(&p, &c.doc, at(0), 14);
    create(t, &invite).await;
    accept(t, &invite, at(1)).await;
    // The fixture's own notifications, delivered first.
    settle(&cache).await;
    let g = cache.grant(invite.id).await.unwrap().unwrap();
    assert!(g.invite_accepted && g.patient_active && g.account_active);
    assert_eq!(cache.counts().unwrap().grants, 1, "cached");
    let (i, pid, a) = (invite.id.0, p.id.0, c.id.0);
    type Check = fn(&GrantRecord) -> bool;
    let changes: Vec<(String, Check)> = vec![
        (
            format!("UPDATE invites SET token_gen = token_gen + 1 WHERE id = '{i}'"),
            |g| g.token_gen == 2,
        ),
        (
            format!(
                "UPDATE invites SET status = 'revoked', revoked_at = '2030-01-01 00:00:00' \
                 WHERE id = '{i}'"
            ),
            |g| !g.invite_accepted,
        ),
        (
            format!("UPDATE invites SET status = 'accepted', revoked_at = NULL WHERE id = '{i}'"),
            |g| g.invite_accepted,
        ),
        (
            format!("UPDATE patients SET status = 'inactive' WHERE id = '{pid}'"),
            |g| !g.patient_active,
        ),
        (
            format!(
                "UPDATE patients SET status = 'active', first_name = 'Renamed' WHERE id = '{pid}'"
            ),
            |g| g.patient_active && g.first_name == "Renamed",
        ),
        (
            format!("UPDATE accounts SET status = 'inactive' WHERE id = '{a}'"),
            |g| !g.account_active,
        ),
        (
            format!("UPDATE accounts SET status = 'active', name = 'Moved' WHERE id = '{a}'"),
            |g| g.account_active && g.account_name == "Moved",
        ),
    ];
    for (sql, check) in &changes {
        raw(t, sql).await;
        settle(&cache).await;
        let g = cache.grant(invite.id).await.unwrap().unwrap();
        assert!(check(&g), "not seen after: {sql}\n{g:?}");
    }
    raw(
        t,
        &format!("UPDATE patients SET deleted_at = '2030-01-01 00:00:00' WHERE id = '{pid}'"),
    )
    .await;
    settle(&cache).await;
    assert!(cache.grant(invite.id).await.unwrap().is_none(), "deleted");
}
