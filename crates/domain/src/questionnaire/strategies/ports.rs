//! What the strategy use cases (and the sessions, which name a strategy) need from storage.

use super::model::{Specialty, Strategy};
use crate::common::{AccountId, ChatStrategyId, RepoError, Timestamp};
use crate::identity::policy::ListScope;
use async_trait::async_trait;

/// What `list` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrategyFilter {
    /// Which accounts.
    pub scope: ListScope,
    /// Only active ones.
    pub active_only: bool,
    /// Only this specialty.
    pub specialty: Option<Specialty>,
    /// Rows to skip.
    pub skip: u32,
    /// At most this many.
    pub limit: u32,
}

/// Stored strategies with their links to knowledge sources (`knowledge_sources`, written with
/// the strategy in one transaction; a link whose source is gone by then is
/// `Conflict("knowledge_source")`). Soft-deleted ones are invisible to every method but `get` with
/// `include_deleted` (sessions and invites that use one keep working).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait StrategyRepository: Send + Sync {
    /// Store a new strategy. `Duplicate("strategy_name")` when the account has a live one with
    /// the same name (case-insensitively); `NotFound` when the account does not exist.
    async fn insert(&self, strategy: &Strategy) -> Result<(), RepoError>;

    /// One strategy of a live account (`NotFound` otherwise; a deleted one only with
    /// `include_deleted`).
    async fn get(&self, id: ChatStrategyId, include_deleted: bool) -> Result<Strategy, RepoError>;

    /// A page, by `updated_at` desc then id.
    async fn list(&self, filter: &StrategyFilter) -> Result<Vec<Strategy>, RepoError>;

    /// Write `after` if the stored version is still `version` (`Stale` otherwise; `NotFound`
    /// when it is gone; `Duplicate("strategy_name")` as `insert`).
    async fn update(&self, after: &Strategy, version: i32) -> Result<(), RepoError>;

    /// Soft-delete, if the stored version is still `version`.
    async fn delete(
        &self,
        id: ChatStrategyId,
        version: i32,
        at: Timestamp,
    ) -> Result<(), RepoError>;

    /// The account's default: its oldest live active strategy, if any.
    async fn default_for(&self, account: AccountId) -> Result<Option<Strategy>, RepoError>;
}
