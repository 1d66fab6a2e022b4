//! A chat strategy (contract §3.6): an account's configuration of the questionnaire's chat. The
//! engine is the same for every strategy (§3.5.1): a strategy contributes its name and the
//! `patient_introduction` that opens `/ai-chat` sessions. Targeting rules and outcome actions are
//! stored and returned, never evaluated.

use crate::common::{AccountId, ChatStrategyId, FieldError, Note, Patch, Text, Timestamp, UserId};
use crate::questionnaire::knowledge::model::SourceRef;
use crate::questionnaire::vocabulary::vocabulary;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `name`: 1..255 characters, unique (case-insensitively) among the account's live strategies.
pub type StrategyName = Text<255>;
/// `description` and `goal`: at most 2000 characters.
pub type StrategyText = Note<2000>;
/// `patient_introduction`: at most 4000 characters.
pub type Introduction = Note<4000>;
/// A targeting rule's `field`: 1..100 characters.
pub type RuleField = Text<100>;

/// Most targeting rules, and most outcome actions, one strategy keeps.
pub const MAX_RULES: usize = 100;

/// The introduction an `/ai-chat` session opens with when its strategy has none (or it has no
/// strategy).
pub const DEFAULT_INTRODUCTION: &str = "Hello! I will ask you some questions about your personal and \
family history of cancer. Your answers help your care team decide whether genetic counselling or \
testing could be useful for you. You can answer in your own words; if an answer is unclear I will \
ask again.";

/// The key the uniqueness of names is decided on: trimmed, lower-cased.
#[must_use]
pub fn name_key(name: &StrategyName) -> String {
    name.as_str().trim().to_lowercase()
}

vocabulary!(
    /// The clinical specialty a strategy serves (output as listed).
    Specialty {
        /// Oncology.
        Oncology = "Oncology",
        /// Cardiology.
        Cardiology = "Cardiology",
        /// Gastroenterology.
        Gastroenterology = "Gastroenterology",
        /// Hepatology.
        Hepatology = "Hepatology",
        /// Pharmacy.
        Pharmacy = "Pharmacy",
        /// Genetics.
        Genetics = "Genetics",
        /// Anything else.
        Other = "Other",
    }
);

vocabulary!(
    /// How a targeting rule compares its field with its value.
    RuleOperator {
        /// Equal.
        Is = "is",
        /// Not equal.
        IsNot = "is_not",
        /// Within a range.
        IsBetween = "is_between",
        /// Contains.
        Contains = "contains",
        /// Does not contain.
        DoesNotContain = "does_not_contain",
        /// Greater than.
        GreaterThan = "greater_than",
        /// Less than.
        LessThan = "less_than",
        /// One of a list.
        InList = "in_list",
        /// None of a list.
        NotInList = "not_in_list",
    }
);

vocabulary!(
    /// When an outcome action applies.
    OutcomeCondition {
        /// The assessment meets the criteria.
        MeetsCriteria = "meets_criteria",
        /// It does not.
        DoesNotMeetCriteria = "does_not_meet_criteria",
        /// The data are incomplete.
        IncompleteData = "incomplete_data",
    }
);

vocabulary!(
    /// What an outcome action does.
    ActionType {
        /// Create a task.
        CreateTask = "create_task",
        /// Flag the chart.
        FlagChart = "flag_chart",
        /// Send a message.
        SendMessage = "send_message",
        /// Schedule a follow-up.
        ScheduleFollowup = "schedule_followup",
    }
);

/// A stored targeting rule (the contract object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetingRule {
    /// Its id (kept across updates that send it back).
    pub id: uuid::Uuid,
    /// The field it looks at (1..100 characters).
    pub field: String,
    /// The comparison.
    pub operator: RuleOperator,
    /// Any JSON value.
    pub value: Value,
    /// Its place (≥ 0).
    pub sequence: u32,
}

/// A stored outcome action (the contract object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeAction {
    /// Its id (kept across updates that send it back).
    pub id: uuid::Uuid,
    /// When it applies.
    pub condition: OutcomeCondition,
    /// What it does.
    pub action_type: ActionType,
    /// Free details (a JSON object).
    pub details: Map<String, Value>,
    /// Its place (≥ 0).
    pub sequence: u32,
}

/// A targeting rule as a command carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInput {
    /// An id sent back by the client: kept when the strategy has a rule with it, else a new id.
    pub id: Option<uuid::Uuid>,
    /// The field.
    pub field: RuleField,
    /// The comparison.
    pub operator: RuleOperator,
    /// Any JSON value.
    pub value: Value,
    /// Its place.
    pub sequence: u32,
}

/// An outcome action as a command carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionInput {
    /// An id sent back by the client: kept when the strategy has an action with it.
    pub id: Option<uuid::Uuid>,
    /// When it applies.
    pub condition: OutcomeCondition,
    /// What it does.
    pub action_type: ActionType,
    /// Free details.
    pub details: Map<String, Value>,
    /// Its place.
    pub sequence: u32,
}

/// A strategy of one account.
#[derive(Debug, Clone, PartialEq)]
pub struct Strategy {
    /// Id.
    pub id: ChatStrategyId,
    /// Tenant.
    pub account_id: AccountId,
    /// Unique among the account's live strategies.
    pub name: StrategyName,
    /// Free text.
    pub description: Option<StrategyText>,
    /// Free text.
    pub goal: Option<StrategyText>,
    /// Opens `/ai-chat` sessions.
    pub patient_introduction: Option<Introduction>,
    /// The specialty.
    pub specialty: Option<Specialty>,
    /// Offered for new sessions and invites.
    pub is_active: bool,
    /// +1 on every change (optimistic updates compare it).
    pub version: i32,
    /// Who created it (None: seeded by an operator).
    pub created_by: Option<UserId>,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
    /// Soft-deleted: hidden from lists and reads; sessions and invites that use it keep its name.
    pub deleted_at: Option<Timestamp>,
    /// Linked knowledge sources, by id (all of them as stored; a caller is shown those it sees,
    /// see [`crate::questionnaire::knowledge::policy::sees`]).
    pub knowledge_sources: Vec<SourceRef>,
    /// Stored and returned, never evaluated; in `sequence` order.
    pub targeting_rules: Vec<TargetingRule>,
    /// Stored and returned, never evaluated; in `sequence` order.
    pub outcome_actions: Vec<OutcomeAction>,
}

impl Strategy {
    /// The introduction its sessions open with.
    #[must_use]
    pub fn introduction(&self) -> &str {
        self.patient_introduction
            .as_ref()
            .map_or(DEFAULT_INTRODUCTION, Introduction::as_str)
    }

    /// Usable for a new session or invite: live and active.
    #[must_use]
    pub fn is_usable(&self) -> bool {
        self.is_active && self.deleted_at.is_none()
    }
}

/// `POST /strategies`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewStrategy {
    /// A super_admin names the account; others create in their own (or name it).
    pub account_id: Option<AccountId>,
    /// Required.
    pub name: StrategyName,
    /// Optional.
    pub description: Option<StrategyText>,
    /// Optional.
    pub goal: Option<StrategyText>,
    /// Optional.
    pub patient_introduction: Option<Introduction>,
    /// Optional.
    pub specialty: Option<Specialty>,
    /// Default true.
    pub is_active: bool,
    /// Knowledge sources to link (each must be visible).
    pub knowledge_source_ids: Vec<uuid::Uuid>,
    /// At most [`MAX_RULES`].
    pub targeting_rules: Vec<RuleInput>,
    /// At most [`MAX_RULES`].
    pub outcome_actions: Vec<ActionInput>,
}

/// `PUT /strategies/{id}`: a partial update; an array that is present replaces the stored one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StrategyPatch {
    /// A new name (required: cannot be cleared).
    pub name: Option<StrategyName>,
    /// Keep, clear or set.
    pub description: Patch<StrategyText>,
    /// Keep, clear or set.
    pub goal: Patch<StrategyText>,
    /// Keep, clear or set.
    pub patient_introduction: Patch<Introduction>,
    /// Keep, clear or set.
    pub specialty: Patch<Specialty>,
    /// Keep or set.
    pub is_active: Option<bool>,
    /// Replace the linked knowledge sources.
    pub knowledge_source_ids: Option<Vec<uuid::Uuid>>,
    /// Replace the targeting rules.
    pub targeting_rules: Option<Vec<RuleInput>>,
    /// Replace the outcome actions.
    pub outcome_actions: Option<Vec<ActionInput>>,
}

/// The filters of `GET /strategies` (style A).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrategyQuery {
    /// A super_admin's account filter (others: their own account; another matches nothing).
    pub account_id: Option<AccountId>,
    /// Only active strategies.
    pub active_only: bool,
    /// Only this specialty.
    pub specialty: Option<Specialty>,
    /// Rows to skip.
    pub skip: u32,
    /// 1..=100.
    pub limit: u32,
}

/// The ids of replaced items: one sent back is kept when the stored list has it (once), any
/// other item gets a fresh id.
struct Ids<'a> {
    known: &'a [uuid::Uuid],
    used: Vec<uuid::Uuid>,
}

impl Ids<'_> {
    fn keep_or(
        &mut self,
        sent: Option<uuid::Uuid>,
        fresh: impl FnOnce() -> uuid::Uuid,
    ) -> uuid::Uuid {
        let id = sent
            .filter(|id| self.known.contains(id) && !self.used.contains(id))
            .unwrap_or_else(fresh);
        self.used.push(id);
        id
    }
}

/// The stored items (rules or actions) that replace `known`'s: at most [`MAX_RULES`], each with
/// its id (`sent_id` kept when `known` has it, else a fresh one), sorted by `sequence`
/// (stable).
fn replace_items<I, O>(
    field: &str,
    inputs: Vec<I>,
    known: &[uuid::Uuid],
    mut fresh: impl FnMut() -> uuid::Uuid,
    sent_id: fn(&I) -> Option<uuid::Uuid>,
    build: fn(I, uuid::Uuid) -> O,
    sequence: fn(&O) -> u32,
) -> Result<Vec<O>, FieldError> {
    if inputs.len() > MAX_RULES {
        return Err(FieldError::new(
            field,
            format!("at most {MAX_RULES} items"),
            "value_error.list.max_items",
        ));
    }
    let mut ids = Ids {
        known,
        used: Vec::new(),
    };
    let mut items: Vec<O> = inputs
        .into_iter()
        .map(|input| {
            let id = ids.keep_or(sent_id(&input), &mut fresh);
            build(input, id)
        })
        .collect();
    items.sort_by_key(sequence);
    Ok(items)
}

/// The stored targeting rules for `inputs`, replacing `existing` (see [`replace_items`]).
///
/// # Errors
/// More than [`MAX_RULES`] items, at `targeting_rules`.
pub fn targeting_rules(
    inputs: Vec<RuleInput>,
    existing: &[TargetingRule],
    fresh: impl FnMut() -> uuid::Uuid,
) -> Result<Vec<TargetingRule>, FieldError> {
    let known: Vec<uuid::Uuid> = existing.iter().map(|e| e.id).collect();
    replace_items(
        "targeting_rules",
        inputs,
        &known,
        fresh,
        |r| r.id,
        |r, id| TargetingRule {
            id,
            field: r.field.into_string(),
            operator: r.operator,
            value: r.value,
            sequence: r.sequence,
        },
        |r| r.sequence,
    )
}

/// The stored outcome actions for `inputs`, replacing `existing` (see [`replace_items`]).
///
/// # Errors
/// More than [`MAX_RULES`] items, at `outcome_actions`.
pub fn outcome_actions(
    inputs: Vec<ActionInput>,
    existing: &[OutcomeAction],
    fresh: impl FnMut() -> uuid::Uuid,
) -> Result<Vec<OutcomeAction>, FieldError> {
    let known: Vec<uuid::Uuid> = existing.iter().map(|e| e.id).collect();
    replace_items(
        "outcome_actions",
        inputs,
        &known,
        fresh,
        |a| a.id,
        |a, id| OutcomeAction {
            id,
            condition: a.condition,
            action_type: a.action_type,
            details: a.details,
            sequence: a.sequence,
        },
        |a| a.sequence,
    )
}
