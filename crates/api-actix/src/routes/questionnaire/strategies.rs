//! Chat configuration: strategies (contract §3.6) under `/api/v1/chat-configuration`. Callers:
//! the care team in its own account and super_admin (lists span all accounts; creates name the
//! account); everyone else 403 before anything is read.

use super::dto::StrategyDto;
use super::one_of;
use crate::auth::{Allowed, act};
use crate::body::{Body, Query, check, id_or_404, optional_patch, required_patch};
use crate::error::{ApiError, ApiResult, Place};
use crate::routes::dto::MessageDto;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use genascope_domain::common::{
    AccountId, ChatStrategyId, Entity, FieldError, Loc, Patch, validate,
};
use genascope_domain::questionnaire::strategies::model::{
    ActionInput, ActionType, NewStrategy, OutcomeCondition, RuleInput, RuleOperator, Specialty,
    StrategyPatch, StrategyQuery,
};
use serde_json::{Map, Value, json};

/// The strategies, newest change first (style A: `skip` (alias `offset`), `limit` 1..100).
/// Filters: `active_only`, `specialty`, `account_id` (super_admin; another account matches
/// nothing).
#[utoipa::path(get, path = "/api/v1/chat-configuration/strategies", tag = "chat-configuration",
    params(
        ("skip" = Option<u32>, Query, description = "Rows to skip (alias offset), default 0."),
        ("limit" = Option<u32>, Query, description = "1..100, default 100."),
        ("active_only" = Option<bool>, Query, description = "Only active strategies."),
        ("specialty" = Option<String>, Query, description = "Oncology, Cardiology, Gastroenterology, Hepatology, Pharmacy, Genetics, Other."),
        ("account_id" = Option<String>, Query, description = "super_admin: one account's strategies."),
    ),
    responses((status = 200, body = [StrategyDto]), (status = 401), (status = 403), (status = 422)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Allowed<act::StrategyManage>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let skip = q.int(&mut errors, &["skip", "offset"], 0, u32::MAX, 0);
    let limit = q.int(&mut errors, &["limit"], 1, 100, 100);
    let active_only = q.boolean(&mut errors, "active_only").unwrap_or(false);
    let specialty = q
        .get(&["specialty"])
        .and_then(|s| specialty(&mut errors, &s));
    check(Place::Query, errors)?;
    let account_id = q
        .get(&["account_id"])
        .map(|s| AccountId::parse(&s).unwrap_or(AccountId(uuid::Uuid::nil())));
    let query = StrategyQuery {
        account_id,
        active_only,
        specialty,
        skip,
        limit,
    };
    let rows = state.strategies.list(auth.principal(), query).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(StrategyDto::from).collect::<Vec<_>>()))
}

fn specialty(errors: &mut Vec<FieldError>, raw: &str) -> Option<Specialty> {
    one_of(
        errors,
        "specialty",
        raw,
        Specialty::parse,
        &Specialty::permitted(),
    )
}

/// A non-negative integer (a number or a numeric string).
fn sequence(v: Option<&Value>) -> Result<u32, &'static str> {
    match v {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or("must be an integer of at least 0"),
        Some(Value::String(s)) => s
            .trim()
            .parse::<u32>()
            .map_err(|_| "must be an integer of at least 0"),
        Some(_) => Err("must be an integer of at least 0"),
    }
}

/// An item's own id, when it sends one back (anything else is ignored: the item gets a new id).
fn item_id(item: &Map<String, Value>) -> Option<uuid::Uuid> {
    item.get("id")
        .and_then(Value::as_str)
        .and_then(|s| uuid::Uuid::try_parse(s.trim()).ok())
}

/// Read one enum-valued field of a list item.
fn item_choice<T>(
    errors: &mut Vec<FieldError>,
    item: &Map<String, Value>,
    key: &str,
    parse: fn(&str) -> Option<T>,
    permitted: &str,
) -> Option<T> {
    match item.get(key) {
        None | Some(Value::Null) => {
            errors.push(FieldError::missing(key));
            None
        }
        Some(Value::String(s)) => one_of(errors, key, s, parse, permitted),
        Some(_) => {
            errors.push(FieldError::new(key, "must be a string", "type_error.str"));
            None
        }
    }
}

fn item_sequence(errors: &mut Vec<FieldError>, item: &Map<String, Value>) -> u32 {
    sequence(item.get("sequence")).unwrap_or_else(|m| {
        errors.push(FieldError::new("sequence", m, "value_error.number"));
        0
    })
}

/// The items of a list field, each read by `read`; every failure is located under
/// `[field, index]`.
fn items<T>(
    errors: &mut Vec<FieldError>,
    body: &Body,
    field: &str,
    read: impl Fn(&mut Vec<FieldError>, &Map<String, Value>) -> Option<T>,
) -> Option<Vec<T>> {
    let list = match body.0.get(field)? {
        Value::Null => return Some(Vec::new()),
        Value::Array(list) => list,
        _ => {
            errors.push(FieldError::new(field, "must be a list", "type_error.list"));
            return None;
        }
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        let mut item_errors = Vec::new();
        let read = match v {
            Value::Object(item) => read(&mut item_errors, item),
            _ => {
                item_errors.push(FieldError {
                    loc: Vec::new(),
                    msg: "must be an object".into(),
                    kind: "type_error.dict".into(),
                });
                None
            }
        };
        let prefix = [Loc::from(field), Loc::from(i)];
        errors.extend(item_errors.into_iter().map(|e| e.under(&prefix)));
        if let Some(r) = read {
            out.push(r);
        }
    }
    Some(out)
}

fn rule(errors: &mut Vec<FieldError>, item: &Map<String, Value>) -> Option<RuleInput> {
    let before = errors.len();
    let field = match item.get("field") {
        Some(Value::String(s)) => validate::text(errors, "field", Some(s), true),
        None | Some(Value::Null) => {
            errors.push(FieldError::missing("field"));
            None
        }
        Some(_) => {
            errors.push(FieldError::new(
                "field",
                "must be a string",
                "type_error.str",
            ));
            None
        }
    };
    let operator = item_choice(
        errors,
        item,
        "operator",
        RuleOperator::parse,
        &RuleOperator::permitted(),
    );
    let sequence = item_sequence(errors, item);
    let (Some(field), Some(operator)) = (field, operator) else {
        return None;
    };
    (errors.len() == before).then(|| RuleInput {
        id: item_id(item),
        field,
        operator,
        value: item.get("value").cloned().unwrap_or(Value::Null),
        sequence,
    })
}

fn action(errors: &mut Vec<FieldError>, item: &Map<String, Value>) -> Option<ActionInput> {
    let before = errors.len();
    let condition = item_choice(
        errors,
        item,
        "condition",
        OutcomeCondition::parse,
        &OutcomeCondition::permitted(),
    );
    let action_type = item_choice(
        errors,
        item,
        "action_type",
        ActionType::parse,
        &ActionType::permitted(),
    );
    let details = match item.get("details") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            errors.push(FieldError::new(
                "details",
                "must be a JSON object",
                "type_error.dict",
            ));
            Map::new()
        }
    };
    let sequence = item_sequence(errors, item);
    let (Some(condition), Some(action_type)) = (condition, action_type) else {
        return None;
    };
    (errors.len() == before).then(|| ActionInput {
        id: item_id(item),
        condition,
        action_type,
        details,
        sequence,
    })
}

/// `knowledge_source_ids`: a list of ids; one that does not parse names no source (404 at the
/// use case's turn), so it is kept as the nil id.
fn source_ids(errors: &mut Vec<FieldError>, body: &Body) -> Option<Vec<uuid::Uuid>> {
    match body.0.get("knowledge_source_ids")? {
        Value::Null => Some(Vec::new()),
        Value::Array(ids) => Some(
            ids.iter()
                .map(|v| {
                    v.as_str()
                        .and_then(|s| uuid::Uuid::try_parse(s.trim()).ok())
                        .unwrap_or_else(uuid::Uuid::nil)
                })
                .collect(),
        ),
        _ => {
            errors.push(FieldError::new(
                "knowledge_source_ids",
                "must be a list of ids",
                "type_error.list",
            ));
            None
        }
    }
}

/// The create command, or every bad field.
fn new_strategy(body: &Body) -> Result<NewStrategy, ApiError> {
    let mut e = Vec::new();
    let account_id = body.id(&mut e, "account_id", AccountId::parse)?;
    let name = body.string(&mut e, &["name"]);
    let name = validate::text(&mut e, "name", name.as_deref(), true);
    let text = |e: &mut Vec<FieldError>, key: &str| body.string(e, &[key]);
    let description = text(&mut e, "description");
    let description = validate::text(&mut e, "description", description.as_deref(), false);
    let goal = text(&mut e, "goal");
    let goal = validate::text(&mut e, "goal", goal.as_deref(), false);
    let intro = text(&mut e, "patient_introduction");
    let patient_introduction =
        validate::text(&mut e, "patient_introduction", intro.as_deref(), false);
    let specialty = text(&mut e, "specialty").and_then(|s| specialty(&mut e, &s));
    let is_active = body.boolean(&mut e, "is_active").unwrap_or(true);
    let knowledge_source_ids = source_ids(&mut e, body).unwrap_or_default();
    let targeting_rules = items(&mut e, body, "targeting_rules", rule).unwrap_or_default();
    let outcome_actions = items(&mut e, body, "outcome_actions", action).unwrap_or_default();
    check(Place::Body, e)?;
    let name =
        name.ok_or_else(|| ApiError::invalid(Place::Body, vec![FieldError::missing("name")]))?;
    Ok(NewStrategy {
        account_id,
        name,
        description,
        goal,
        patient_introduction,
        specialty,
        is_active,
        knowledge_source_ids,
        targeting_rules,
        outcome_actions,
    })
}

/// The update command: absent fields are kept, `null`/`""` clears an optional one, a present
/// array replaces the stored one.
fn strategy_patch(body: &Body) -> Result<StrategyPatch, ApiError> {
    let mut e = Vec::new();
    let raw = [
        "name",
        "description",
        "goal",
        "patient_introduction",
        "specialty",
    ]
    .map(|k| body.patch_string(&mut e, &[k]));
    let is_active = match body.patch_boolean(&mut e, "is_active") {
        Patch::Set(b) => Some(b),
        Patch::Clear => {
            e.push(FieldError::missing("is_active"));
            None
        }
        Patch::Keep => None,
    };
    let knowledge_source_ids = source_ids(&mut e, body);
    let targeting_rules = items(&mut e, body, "targeting_rules", rule);
    let outcome_actions = items(&mut e, body, "outcome_actions", action);
    let [name, description, goal, intro, spec] = raw;
    let patch = StrategyPatch {
        name: required_patch(&mut e, "name", name, |e, v| {
            validate::text(e, "name", Some(&v), true)
        }),
        description: optional_patch(&mut e, description, |e, v| {
            validate::text(e, "description", Some(&v), false)
        }),
        goal: optional_patch(&mut e, goal, |e, v| {
            validate::text(e, "goal", Some(&v), false)
        }),
        patient_introduction: optional_patch(&mut e, intro, |e, v| {
            validate::text(e, "patient_introduction", Some(&v), false)
        }),
        specialty: optional_patch(&mut e, spec, |e, v| specialty(e, &v)),
        is_active,
        knowledge_source_ids,
        targeting_rules,
        outcome_actions,
    };
    check(Place::Body, e)?;
    Ok(patch)
}

/// Create a strategy (201). `name` is unique among the account's live strategies (409);
/// `knowledge_source_ids` must name visible sources (404: none exist yet).
#[utoipa::path(post, path = "/api/v1/chat-configuration/strategies", tag = "chat-configuration",
    request_body(content = Object, description = "name (required, 1..255), description (≤ 2000), goal (≤ 2000), patient_introduction (≤ 4000), specialty, is_active (default true), knowledge_source_ids, targeting_rules [{field ≤ 100, operator, value, sequence ≥ 0}], outcome_actions [{condition, action_type, details {}, sequence}], account_id (super_admin: required)"),
    responses((status = 201, body = StrategyDto), (status = 401), (status = 403),
        (status = 404, description = "Account not found, Knowledge source not found"),
        (status = 409, description = "A strategy with this name already exists"), (status = 422)))]
pub async fn create(
    state: web::Data<AppState>,
    auth: Allowed<act::StrategyManage>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let cmd = new_strategy(&Body::parse(&bytes)?)?;
    let strategy = state.strategies.create(auth.principal(), cmd).await?;
    Ok(HttpResponse::Created().json(StrategyDto::from(&strategy)))
}

fn strategy_id(raw: &str) -> Result<ChatStrategyId, ApiError> {
    id_or_404(raw, ChatStrategyId::parse, Entity::ChatStrategy)
}

/// One strategy with its relations.
#[utoipa::path(get, path = "/api/v1/chat-configuration/strategies/{id}", tag = "chat-configuration",
    responses((status = 200, body = StrategyDto), (status = 401), (status = 403), (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    auth: Allowed<act::StrategyManage>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let strategy = state
        .strategies
        .get(auth.principal(), strategy_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(StrategyDto::from(&strategy)))
}

/// Partial update: absent fields are kept, a present array replaces the stored one; `version`
/// +1 on every change.
#[utoipa::path(put, path = "/api/v1/chat-configuration/strategies/{id}", tag = "chat-configuration",
    request_body(content = Object, description = "Any create field but account_id."),
    responses((status = 200, body = StrategyDto), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "Name taken, or changed by someone else meanwhile"), (status = 422)))]
pub async fn update(
    state: web::Data<AppState>,
    auth: Allowed<act::StrategyManage>,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = strategy_id(&id)?;
    let patch = strategy_patch(&Body::parse(&bytes)?)?;
    let strategy = state.strategies.update(auth.principal(), id, patch).await?;
    Ok(HttpResponse::Ok().json(StrategyDto::from(&strategy)))
}

/// Soft delete: hidden from lists and reads; sessions and invites that use it keep working
/// and keep its name.
#[utoipa::path(delete, path = "/api/v1/chat-configuration/strategies/{id}", tag = "chat-configuration",
    responses((status = 200, body = MessageDto), (status = 401), (status = 403), (status = 404)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Allowed<act::StrategyManage>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = strategy_id(&id)?;
    state.strategies.delete(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok(
        "Strategy deleted successfully",
        Some(json!({ "strategy_id": id.to_string() })),
    )))
}
