//! Strategy use cases (contract §3.6): who may configure, in which account, and the rules of
//! create, update (partial, version + 1 on change) and delete.

use crate::support::*;
use genascope_domain::common::{ChatStrategyId, Entity, Patch, RepoError, StoreConflict};
use genascope_domain::identity::model::Role;
use genascope_domain::identity::policy::ListScope;
use genascope_domain::questionnaire::knowledge::ports::MockKnowledgeSourceRepository;
use genascope_domain::questionnaire::strategies::error::{StrategyConflict, StrategyError};
use genascope_domain::questionnaire::strategies::model::{
    NewStrategy, RuleInput, RuleOperator, Specialty, Strategy, StrategyPatch, StrategyQuery,
};
use genascope_domain::questionnaire::strategies::ports::MockStrategyRepository;
use genascope_domain::questionnaire::strategies::service::StrategyService;
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

fn service(repo: MockStrategyRepository) -> StrategyService {
    let mut sources = MockKnowledgeSourceRepository::new();
    sources.expect_refs().returning(|_| Ok(Vec::new()));
    service_with(repo, sources)
}

pub fn service_with(
    repo: MockStrategyRepository,
    sources: MockKnowledgeSourceRepository,
) -> StrategyService {
    StrategyService::new(
        Arc::new(repo),
        Arc::new(sources),
        Arc::new(clock_at(NOW)),
        Arc::new(random()),
    )
}

fn rule(field: &str, sequence: u32, id: Option<Uuid>) -> RuleInput {
    RuleInput {
        id,
        field: text(field),
        operator: RuleOperator::Is,
        value: json!(1),
        sequence,
    }
}

pub fn new_strategy(name: &str) -> NewStrategy {
    NewStrategy {
        account_id: None,
        name: text(name),
        description: None,
        goal: None,
        patient_introduction: None,
        specialty: Some(Specialty::Oncology),
        is_active: true,
        knowledge_source_ids: Vec::new(),
        targeting_rules: vec![rule("b", 2, None), rule("a", 1, None)],
        outcome_actions: Vec::new(),
    }
}

pub fn stored(account: genascope_domain::common::AccountId) -> Strategy {
    Strategy {
        id: ChatStrategyId(Uuid::new_v4()),
        account_id: account,
        name: text("Stored"),
        description: Some(text("d")),
        goal: None,
        patient_introduction: None,
        specialty: None,
        is_active: true,
        version: 4,
        created_by: None,
        created_at: NOW - time::Duration::days(1),
        updated_at: NOW - time::Duration::days(1),
        deleted_at: None,
        knowledge_sources: Vec::new(),
        targeting_rules: Vec::new(),
        outcome_actions: Vec::new(),
    }
}

pub fn holding(s: &Strategy) -> MockStrategyRepository {
    let mut repo = MockStrategyRepository::new();
    let s = s.clone();
    let id = s.id;
    repo.expect_get()
        .withf(move |i, deleted| *i == id && !deleted)
        .returning(move |_, _| Ok(s.clone()));
    repo
}

#[tokio::test]
async fn only_the_care_team_and_super_admin_configure() {
    let a = account_id();
    for role in [Role::Patient, Role::User, Role::LabTech] {
        let svc = service(MockStrategyRepository::new());
        let p = principal_as(role, Some(a));
        assert_err!(
            svc.create(&p, new_strategy("x")).await,
            StrategyError::Denied(_)
        );
        assert_err!(
            svc.get(&p, ChatStrategyId(Uuid::new_v4())).await,
            StrategyError::Denied(_)
        );
        let q = StrategyQuery {
            account_id: None,
            active_only: false,
            specialty: None,
            skip: 0,
            limit: 10,
        };
        assert_err!(svc.list(&p, q).await, StrategyError::Denied(_));
    }
}

#[tokio::test]
async fn lists_are_scoped_to_the_account() {
    let (a, b) = (account_id(), account_id());
    let mut repo = MockStrategyRepository::new();
    repo.expect_list()
        .withf(move |f| f.scope == ListScope::Account(a) && f.active_only && f.limit == 5)
        .times(1)
        .returning(|_| Ok(Vec::new()));
    repo.expect_list()
        .withf(|f| f.scope == ListScope::Nothing)
        .times(1)
        .returning(|_| Ok(Vec::new()));
    repo.expect_list()
        .withf(move |f| f.scope == ListScope::Account(b))
        .times(1)
        .returning(|_| Ok(Vec::new()));
    let svc = service(repo);
    let q = |account_id| StrategyQuery {
        account_id,
        active_only: true,
        specialty: None,
        skip: 0,
        limit: 5,
    };
    let clinician = principal_as(Role::Clinician, Some(a));
    svc.list(&clinician, q(None)).await.unwrap();
    svc.list(&clinician, q(Some(b))).await.unwrap();
    svc.list(&principal_as(Role::SuperAdmin, None), q(Some(b)))
        .await
        .unwrap();
}

#[tokio::test]
async fn create_names_the_account_sorts_rules_and_refuses_sources() {
    let a = account_id();
    let mut repo = MockStrategyRepository::new();
    let seen = Slot::new();
    let s2 = seen.clone();
    repo.expect_insert().returning(move |s| {
        s2.push(s.clone());
        Ok(())
    });
    let svc = service(repo);
    let clinician = principal_as(Role::Clinician, Some(a));
    let s = svc
        .create(&clinician, new_strategy("Screening"))
        .await
        .unwrap();
    assert_eq!(seen.one(), s);
    assert_eq!(s.account_id, a);
    assert_eq!(s.version, 1);
    assert_eq!(s.created_by, Some(clinician.user_id));
    assert_eq!((s.created_at, s.updated_at), (NOW, NOW));
    let fields: Vec<&str> = s.targeting_rules.iter().map(|r| r.field.as_str()).collect();
    assert_eq!(fields, ["a", "b"], "by sequence");
    assert_ne!(s.targeting_rules[0].id, s.targeting_rules[1].id);
    // Another account named by a non-super_admin: not found; a super_admin must name one.
    let foreign = NewStrategy {
        account_id: Some(account_id()),
        ..new_strategy("x")
    };
    assert_err!(
        svc.create(&clinician, foreign).await,
        StrategyError::NotFound(Entity::Account)
    );
    let sa = principal_as(Role::SuperAdmin, None);
    let r = svc.create(&sa, new_strategy("x")).await;
    assert_eq!(fields_of(&r), ["account_id"]);
    // A source that does not exist: not found.
    let linked = NewStrategy {
        knowledge_source_ids: vec![Uuid::new_v4()],
        ..new_strategy("x")
    };
    assert_err!(
        svc.create(&clinician, linked).await,
        StrategyError::NotFound(Entity::KnowledgeSource)
    );
    // More than 100 rules.
    let many = NewStrategy {
        targeting_rules: (0..101).map(|i| rule("f", i, None)).collect(),
        ..new_strategy("x")
    };
    assert_eq!(
        fields_of(&svc.create(&clinician, many).await),
        ["targeting_rules"]
    );
}

fn fields_of(r: &Result<Strategy, StrategyError>) -> Vec<String> {
    match r {
        Err(StrategyError::Invalid(errors)) => errors
            .iter()
            .map(|e| match e.loc.first() {
                Some(genascope_domain::common::Loc::Key(k)) => k.clone(),
                other => panic!("{other:?}"),
            })
            .collect(),
        other => panic!("expected invalid fields, got {other:?}"),
    }
}

#[tokio::test]
async fn storage_refusals_in_the_strategies_words() {
    let a = account_id();
    let clinician = principal_as(Role::Clinician, Some(a));
    let mut repo = MockStrategyRepository::new();
    repo.expect_insert()
        .times(1)
        .returning(|_| Err(RepoError::Duplicate("strategy_name")));
    repo.expect_insert().returning(|_| Err(RepoError::NotFound));
    let svc = service(repo);
    assert_err!(
        svc.create(&clinician, new_strategy("Taken")).await,
        StrategyError::Conflict(StrategyConflict::NameTaken)
    );
    let sa = principal_as(Role::SuperAdmin, None);
    let gone = NewStrategy {
        account_id: Some(account_id()),
        ..new_strategy("x")
    };
    assert_err!(
        svc.create(&sa, gone).await,
        StrategyError::NotFound(Entity::Account)
    );
}

#[tokio::test]
async fn updates_bump_the_version_only_when_something_changes() {
    let a = account_id();
    let mut before = stored(a);
    let kept_rule = Uuid::new_v4();
    before.targeting_rules = vec![
        genascope_domain::questionnaire::strategies::model::TargetingRule {
            id: kept_rule,
            field: "old".into(),
            operator: RuleOperator::Contains,
            value: json!("x"),
            sequence: 0,
        },
    ];
    let mut repo = holding(&before);
    let written = Slot::new();
    let w2 = written.clone();
    repo.expect_update().returning(move |s, v| {
        w2.push((s.clone(), v));
        Ok(())
    });
    let svc = service(repo);
    let clinician = principal_as(Role::Clinician, Some(a));
    // The frontend's `PUT {is_active: true}` after a create: nothing changes, nothing written.
    let same = svc
        .update(
            &clinician,
            before.id,
            StrategyPatch {
                is_active: Some(true),
                description: Patch::Keep,
                ..StrategyPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(same, before);
    assert!(written.all().is_empty());
    // A change: version + 1, updated now; an array replaces the stored one, an id sent back is
    // kept, an unknown one is replaced.
    let after = svc
        .update(
            &clinician,
            before.id,
            StrategyPatch {
                name: Some(text("Renamed")),
                description: Patch::Clear,
                specialty: Patch::Set(Specialty::Genetics),
                targeting_rules: Some(vec![
                    rule("new", 5, Some(Uuid::new_v4())),
                    rule("kept", 1, Some(kept_rule)),
                ]),
                ..StrategyPatch::default()
            },
        )
        .await
        .unwrap();
    let (stored_after, version) = written.one();
    assert_eq!(stored_after, after);
    assert_eq!(version, 4, "checked against the version read");
    assert_eq!(after.version, 5);
    assert_eq!(after.updated_at, NOW);
    assert_eq!(after.name.as_str(), "Renamed");
    assert_eq!(after.description, None);
    assert_eq!(after.specialty, Some(Specialty::Genetics));
    assert_eq!(after.targeting_rules[0].id, kept_rule);
    assert_eq!(after.targeting_rules[0].field, "kept");
    assert_ne!(after.targeting_rules[1].id, kept_rule);
    assert_eq!(after.created_at, before.created_at);
}

#[tokio::test]
async fn another_accounts_strategy_is_not_found_and_a_lost_race_is_a_conflict() {
    let s = stored(account_id());
    let mut repo = holding(&s);
    repo.expect_update().returning(|_, _| Err(RepoError::Stale));
    repo.expect_delete()
        .withf(|_, version, at| *version == 4 && *at == NOW)
        .returning(|_, _, _| Ok(()));
    let svc = service(repo);
    let stranger = principal_as(Role::Admin, Some(account_id()));
    assert_err!(
        svc.get(&stranger, s.id).await,
        StrategyError::NotFound(Entity::ChatStrategy)
    );
    assert_err!(
        svc.delete(&stranger, s.id).await,
        StrategyError::NotFound(Entity::ChatStrategy)
    );
    let owner = principal_as(Role::Physician, Some(s.account_id));
    let change = StrategyPatch {
        is_active: Some(false),
        ..StrategyPatch::default()
    };
    assert_err!(
        svc.update(&owner, s.id, change).await,
        StrategyError::Conflict(StrategyConflict::Store(StoreConflict::Stale))
    );
    svc.delete(&owner, s.id).await.unwrap();
}
