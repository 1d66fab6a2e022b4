//! Knowledge-source use cases (contract §3.6): who sees which source, the JSON create rules,
//! the two-step upload that never leaves an object without its row, the delete order, and the
//! strategies' links to visible sources only.

use crate::strategies::{holding, new_strategy, service_with, stored};
use crate::support::*;
use bytes::Bytes;
use genascope_domain::common::{AccountId, Entity, KnowledgeSourceId, RepoError, UserId};
use genascope_domain::files::error::FileError;
use genascope_domain::files::names::{FileKey, sanitize};
use genascope_domain::files::ports::{ByteStream, MockFileStore, StoreError};
use genascope_domain::files::service::Upload;
use genascope_domain::identity::model::Role;
use genascope_domain::identity::policy::Principal;
use genascope_domain::questionnaire::knowledge::error::KnowledgeError;
use genascope_domain::questionnaire::knowledge::model::{
    AccessLevel, Document, KnowledgeSource, NewSource, ProcessingStatus, SourcePatch, SourceType,
    SourceUrl, UploadFields,
};
use genascope_domain::questionnaire::knowledge::ports::MockKnowledgeSourceRepository;
use genascope_domain::questionnaire::knowledge::service::KnowledgeService;
use genascope_domain::questionnaire::strategies::error::StrategyError;
use genascope_domain::questionnaire::strategies::model::{NewStrategy, StrategyPatch};
use genascope_domain::questionnaire::strategies::ports::MockStrategyRepository;
use std::sync::Arc;
use uuid::Uuid;

fn service(repo: MockKnowledgeSourceRepository, store: MockFileStore) -> KnowledgeService {
    KnowledgeService::new(
        Arc::new(repo),
        Arc::new(store),
        Arc::new(clock_at(NOW)),
        Arc::new(random()),
        1024,
    )
}

fn body(bytes: &'static [u8]) -> ByteStream {
    Box::pin(futures_util::stream::iter(vec![Ok(Bytes::from_static(
        bytes,
    ))]))
}

fn upload(name: &str, bytes: &'static [u8]) -> Upload {
    Upload {
        filename: name.into(),
        declared_len: None,
        body: body(bytes),
    }
}

fn source(account: AccountId, access: AccessLevel, by: UserId, doc: bool) -> KnowledgeSource {
    let id = KnowledgeSourceId(Uuid::new_v4());
    KnowledgeSource {
        id,
        account_id: account,
        name: text("NCCN guideline"),
        description: None,
        source_type: if doc {
            SourceType::File
        } else {
            SourceType::Guideline
        },
        url: None,
        document: doc.then(|| Document {
            key: FileKey::knowledge(account.0, id.0, &sanitize("g.pdf")),
            filename: sanitize("g.pdf"),
            content_type: "application/pdf".into(),
            size: 10,
        }),
        processing_status: ProcessingStatus::Completed,
        access_level: access,
        is_active: true,
        uploaded_by: by,
        created_at: NOW,
        updated_at: NOW,
    }
}

fn holding_source(s: &KnowledgeSource) -> MockKnowledgeSourceRepository {
    let mut repo = MockKnowledgeSourceRepository::new();
    let s = s.clone();
    let id = s.id;
    repo.expect_get()
        .withf(move |i| *i == id)
        .returning(move |_| Ok(s.clone()));
    repo
}

fn link(url: Option<&str>, kind: SourceType) -> NewSource {
    NewSource {
        account_id: None,
        name: text("Guideline"),
        description: None,
        source_type: kind,
        url: url.map(|u| SourceUrl::parse("url", u).unwrap()),
        access_level: None,
    }
}

#[tokio::test]
async fn json_create_rules() {
    let a = account_id();
    let mut repo = MockKnowledgeSourceRepository::new();
    let seen = Slot::new();
    let s2 = seen.clone();
    repo.expect_insert().times(1).returning(move |s| {
        s2.push(s.clone());
        Ok(())
    });
    let svc = service(repo, MockFileStore::new());
    let clinician = principal_as(Role::Clinician, Some(a));
    let made = svc
        .create(
            &clinician,
            link(Some("https://nccn.org/x"), SourceType::CustomLink),
        )
        .await
        .unwrap();
    assert_eq!(seen.one(), made);
    assert_eq!(made.account_id, a);
    assert_eq!(made.access_level, AccessLevel::Account, "the default");
    assert_eq!(made.uploaded_by, clinician.user_id);
    assert_eq!(made.processing_status, ProcessingStatus::Completed);
    assert!(made.document.is_none());
    // A custom_link without its url; a file source without its file: nothing stored.
    let r = svc
        .create(&clinician, link(None, SourceType::CustomLink))
        .await;
    assert_eq!(fields(&r), ["url"]);
    let r = svc.create(&clinician, link(None, SourceType::File)).await;
    assert_eq!(fields(&r), ["source_type"]);
    // A super_admin names the account; others cannot name another one.
    let r = svc
        .create(
            &principal_as(Role::SuperAdmin, None),
            link(None, SourceType::Guideline),
        )
        .await;
    assert_eq!(fields(&r), ["account_id"]);
    let foreign = NewSource {
        account_id: Some(account_id()),
        ..link(None, SourceType::Guideline)
    };
    assert_err!(
        svc.create(&clinician, foreign).await,
        KnowledgeError::NotFound(Entity::Account)
    );
    for role in [Role::LabTech, Role::Patient, Role::User] {
        assert_err!(
            svc.create(
                &principal_as(role, Some(a)),
                link(None, SourceType::Protocol)
            )
            .await,
            KnowledgeError::Denied(_)
        );
    }
}

#[tokio::test]
async fn an_upload_is_stored_under_the_account_and_source_then_recorded() {
    let a = account_id();
    let mut store = MockFileStore::new();
    let keys = Slot::new();
    let k2 = keys.clone();
    store
        .expect_put()
        .times(1)
        .returning(move |key, ctype, _, limit| {
            assert_eq!(ctype, "application/pdf");
            assert_eq!(limit, 1024);
            k2.push(key.clone());
            Ok(12)
        });
    let mut repo = MockKnowledgeSourceRepository::new();
    repo.expect_insert().times(1).returning(|_| Ok(()));
    let svc = service(repo, store);
    let p = principal_as(Role::Admin, Some(a));
    let staged = svc
        .stage(
            &p,
            None,
            upload("../My Guideline.PDF", b"%PDF-1.7\n%\xe2\xe3"),
        )
        .await
        .unwrap();
    let s = svc
        .finish(
            &p,
            staged,
            Ok(UploadFields {
                access_level: Some(AccessLevel::User),
                ..UploadFields::default()
            }),
        )
        .await
        .unwrap();
    let key = keys.one();
    assert_eq!(
        key.as_str(),
        format!("knowledge/{a}/{}/My_Guideline.pdf", s.id)
    );
    let doc = s.document.unwrap();
    assert_eq!((doc.key, doc.size), (key, 12));
    assert_eq!(
        s.name.as_str(),
        "My_Guideline.pdf",
        "the sanitised filename"
    );
    assert_eq!(s.source_type, SourceType::File);
    assert_eq!(s.access_level, AccessLevel::User);
}

#[tokio::test]
async fn bad_fields_or_a_failed_row_remove_the_object_again() {
    let a = account_id();
    let p = principal_as(Role::Clinician, Some(a));
    // Bad fields after the file: the object goes, 422 names the field.
    let mut store = MockFileStore::new();
    store.expect_put().times(2).returning(|_, _, _, _| Ok(5));
    store.expect_delete().times(2).returning(|_| Ok(()));
    let mut repo = MockKnowledgeSourceRepository::new();
    repo.expect_insert()
        .times(1)
        .returning(|_| Err(RepoError::Unavailable("down".into())));
    let svc = service(repo, store);
    let staged = svc
        .stage(&p, None, upload("a.txt", b"hello"))
        .await
        .unwrap();
    let bad = Err(vec![genascope_domain::common::FieldError::missing(
        "access_level",
    )]);
    let r = svc.finish(&p, staged, bad).await;
    assert_eq!(fields(&r), ["access_level"]);
    // The row cannot be written: the object goes, the outage stays an outage.
    let staged = svc
        .stage(&p, None, upload("a.txt", b"hello"))
        .await
        .unwrap();
    assert_err!(
        svc.finish(&p, staged, Ok(UploadFields::default())).await,
        KnowledgeError::Unavailable(_)
    );
}

#[tokio::test]
async fn refused_documents_touch_nothing() {
    let a = account_id();
    let p = principal_as(Role::Clinician, Some(a));
    // No store or repository expectation: any call panics.
    let svc = service(MockKnowledgeSourceRepository::new(), MockFileStore::new());
    for (name, bytes) in [
        ("tool.exe", b"MZ\x90\x00" as &'static [u8]),
        (
            "invoice.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
        ),
        ("sheet.xlsx", b"PK\x03\x04"),
        ("photo.png", b"\x89PNG\r\n\x1a\n"),
    ] {
        assert_err!(
            svc.stage(&p, None, upload(name, bytes)).await,
            KnowledgeError::File(FileError::Unsupported(_))
        );
    }
    assert_err!(
        svc.stage(&p, None, upload("empty.md", b"")).await,
        KnowledgeError::File(FileError::Invalid(_))
    );
    let big = Upload {
        declared_len: Some(4096),
        ..upload("big.txt", b"x")
    };
    assert_err!(
        svc.stage(&p, None, big).await,
        KnowledgeError::File(FileError::TooLarge { .. })
    );
    // A super_admin must name the account before anything is stored.
    let r = svc
        .stage(
            &principal_as(Role::SuperAdmin, None),
            None,
            upload("a.txt", b"x"),
        )
        .await;
    assert_eq!(fields(&r), ["account_id"]);
    // Too large while streaming: the store's refusal is a 413.
    let mut store = MockFileStore::new();
    store
        .expect_put()
        .returning(|_, _, _, _| Err(StoreError::TooLarge));
    let svc = service(MockKnowledgeSourceRepository::new(), store);
    assert_err!(
        svc.stage(&p, None, upload("a.txt", b"hello")).await,
        KnowledgeError::File(FileError::TooLarge { .. })
    );
}

#[tokio::test]
async fn private_sources_are_their_uploaders_and_the_admins() {
    let a = account_id();
    let owner = principal_as(Role::Clinician, Some(a));
    let s = source(a, AccessLevel::User, owner.user_id, false);
    let svc = service(holding_source(&s), MockFileStore::new());
    assert_eq!(svc.get(&owner, s.id).await.unwrap(), s);
    svc.get(&principal_as(Role::Admin, Some(a)), s.id)
        .await
        .unwrap();
    svc.get(&principal_as(Role::SuperAdmin, None), s.id)
        .await
        .unwrap();
    for p in [
        principal_as(Role::Clinician, Some(a)),
        principal_as(Role::Physician, Some(a)),
        principal_as(Role::Admin, Some(account_id())),
    ] {
        assert_err!(
            svc.get(&p, s.id).await,
            KnowledgeError::NotFound(Entity::KnowledgeSource)
        );
        assert_err!(
            svc.update(&p, s.id, SourcePatch::default()).await,
            KnowledgeError::NotFound(Entity::KnowledgeSource)
        );
        assert_err!(
            svc.delete(&p, s.id).await,
            KnowledgeError::NotFound(Entity::KnowledgeSource)
        );
    }
}

#[tokio::test]
async fn updates_write_only_changes() {
    let a = account_id();
    let p = principal_as(Role::Clinician, Some(a));
    let s = source(a, AccessLevel::Account, user_id(), false);
    let mut repo = holding_source(&s);
    let written = Slot::new();
    let w2 = written.clone();
    repo.expect_update().times(1).returning(move |s| {
        w2.push(s.clone());
        Ok(())
    });
    let svc = service(repo, MockFileStore::new());
    // Nothing changes: nothing written.
    let same = SourcePatch {
        name: Some(s.name.clone()),
        ..SourcePatch::default()
    };
    assert_eq!(svc.update(&p, s.id, same).await.unwrap(), s);
    let change = SourcePatch {
        name: Some(text("Renamed")),
        access_level: Some(AccessLevel::User),
        is_active: Some(false),
        ..SourcePatch::default()
    };
    let after = svc.update(&p, s.id, change).await.unwrap();
    assert_eq!(written.one(), after);
    assert_eq!(after.name.as_str(), "Renamed");
    assert_eq!(after.access_level, AccessLevel::User);
    assert!(!after.is_active);
    assert_eq!(after.created_at, s.created_at);
}

#[tokio::test]
async fn delete_removes_the_row_then_the_object() {
    let a = account_id();
    let p = principal_as(Role::Admin, Some(a));
    let s = source(a, AccessLevel::Account, user_id(), true);
    let key = s.document.clone().unwrap().key;
    let order = Slot::new();
    let mut repo = holding_source(&s);
    let (o1, o2) = (order.clone(), order.clone());
    let removed = s.clone();
    repo.expect_delete().times(1).returning(move |_| {
        o1.push("row");
        Ok(removed.clone())
    });
    let mut store = MockFileStore::new();
    store
        .expect_delete()
        .withf(move |k| *k == key)
        .times(1)
        .returning(move |_| {
            o2.push("object");
            // A failure after the row is gone leaves an unreachable object: logged, not fatal.
            Err(StoreError::Unavailable("down".into()))
        });
    let svc = service(repo, store);
    svc.delete(&p, s.id).await.unwrap();
    assert_eq!(order.all(), ["row", "object"]);
}

fn refs_of(sources: Vec<KnowledgeSource>) -> MockKnowledgeSourceRepository {
    let mut repo = MockKnowledgeSourceRepository::new();
    repo.expect_refs().returning(move |ids| {
        Ok(sources
            .iter()
            .filter(|s| ids.contains(&s.id))
            .map(KnowledgeSource::to_ref)
            .collect())
    });
    repo
}

#[tokio::test]
async fn strategies_link_only_sources_the_caller_sees_in_the_account() {
    let (a, b) = (account_id(), account_id());
    let me = principal_as(Role::Clinician, Some(a));
    let mine = source(a, AccessLevel::User, me.user_id, false);
    let shared = source(a, AccessLevel::Account, user_id(), false);
    let others_private = source(a, AccessLevel::User, user_id(), false);
    let foreign = source(b, AccessLevel::Account, user_id(), false);
    let all = vec![
        mine.clone(),
        shared.clone(),
        others_private.clone(),
        foreign.clone(),
    ];
    let mut strategies = MockStrategyRepository::new();
    strategies.expect_insert().returning(|_| Ok(()));
    let svc = service_with(strategies, refs_of(all.clone()));
    let made = svc
        .create(
            &me,
            NewStrategy {
                knowledge_source_ids: vec![shared.id.0, mine.id.0, shared.id.0],
                ..new_strategy("Linked")
            },
        )
        .await
        .unwrap();
    let mut want = vec![mine.id, shared.id];
    want.sort();
    let got: Vec<_> = made.knowledge_sources.iter().map(|k| k.id).collect();
    assert_eq!(got, want, "once each, by id");
    for hidden in [&others_private, &foreign] {
        let r = svc
            .create(
                &me,
                NewStrategy {
                    knowledge_source_ids: vec![shared.id.0, hidden.id.0],
                    ..new_strategy("x")
                },
            )
            .await;
        assert_err!(r, StrategyError::NotFound(Entity::KnowledgeSource));
    }
    // A super_admin links sources of the strategy's account only.
    let sa = principal_as(Role::SuperAdmin, None);
    let r = svc
        .create(
            &sa,
            NewStrategy {
                account_id: Some(a),
                knowledge_source_ids: vec![foreign.id.0],
                ..new_strategy("x")
            },
        )
        .await;
    assert_err!(r, StrategyError::NotFound(Entity::KnowledgeSource));
}

#[tokio::test]
async fn an_update_keeps_links_the_caller_does_not_see_and_hides_them() {
    let a = account_id();
    let me: Principal = principal_as(Role::Clinician, Some(a));
    let shared = source(a, AccessLevel::Account, user_id(), false);
    let others_private = source(a, AccessLevel::User, user_id(), false);
    let mut before = stored(a);
    before.knowledge_sources = vec![shared.to_ref(), others_private.to_ref()];
    before.knowledge_sources.sort_by_key(|s| s.id);
    let mut strategies = holding(&before);
    let written = Slot::new();
    let w2 = written.clone();
    strategies.expect_update().times(1).returning(move |s, v| {
        assert_eq!(v, 4);
        w2.push(s.clone());
        Ok(())
    });
    let svc = service_with(
        strategies,
        refs_of(vec![shared.clone(), others_private.clone()]),
    );
    // Read: the private link of another user is not shown.
    let shown = svc.get(&me, before.id).await.unwrap();
    assert_eq!(
        shown
            .knowledge_sources
            .iter()
            .map(|k| k.id)
            .collect::<Vec<_>>(),
        [shared.id]
    );
    // Clearing the list removes what the caller sees and keeps the rest.
    let after = svc
        .update(
            &me,
            before.id,
            StrategyPatch {
                knowledge_source_ids: Some(Vec::new()),
                ..StrategyPatch::default()
            },
        )
        .await
        .unwrap();
    let stored_links: Vec<_> = written
        .one()
        .knowledge_sources
        .iter()
        .map(|k| k.id)
        .collect();
    assert_eq!(stored_links, [others_private.id]);
    assert!(after.knowledge_sources.is_empty(), "hidden from the caller");
    assert_eq!(after.version, 5);
}
