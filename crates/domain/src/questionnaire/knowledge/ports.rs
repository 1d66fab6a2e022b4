//! What knowledge sources need from storage (the bytes go through the files capability's
//! `FileStore`).

use super::model::{KnowledgeSource, ProcessingStatus, SourceRef, SourceType};
use super::policy::SourceScope;
use crate::common::{KnowledgeSourceId, RepoError};
use async_trait::async_trait;

/// What `list` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceFilter {
    /// Which accounts, and which private sources.
    pub scope: SourceScope,
    /// Only this type.
    pub source_type: Option<SourceType>,
    /// Only this status.
    pub processing_status: Option<ProcessingStatus>,
    /// Rows to skip.
    pub skip: u32,
    /// At most this many.
    pub limit: u32,
}

/// Stored knowledge sources (of live accounts only: a deleted account's sources are invisible
/// to every method).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait KnowledgeSourceRepository: Send + Sync {
    /// Store a new source (`NotFound` when its account does not exist or is deleted).
    async fn insert(&self, source: &KnowledgeSource) -> Result<(), RepoError>;

    /// One source (`NotFound` when absent).
    async fn get(&self, id: KnowledgeSourceId) -> Result<KnowledgeSource, RepoError>;

    /// A page, newest first (`created_at` desc, then id).
    async fn list(&self, filter: &SourceFilter) -> Result<Vec<KnowledgeSource>, RepoError>;

    /// Write the changeable fields (`name`, `description`, `access_level`, `is_active`,
    /// `updated_at`) of `after` (`NotFound` when it is gone).
    async fn update(&self, after: &KnowledgeSource) -> Result<(), RepoError>;

    /// Remove a source and its strategy links in one transaction (`NotFound` when absent). The
    /// removed record (its document's key, for the object's removal).
    async fn delete(&self, id: KnowledgeSourceId) -> Result<KnowledgeSource, RepoError>;

    /// The sources among `ids` that exist (the others are simply missing from the answer).
    async fn refs(&self, ids: &[KnowledgeSourceId]) -> Result<Vec<SourceRef>, RepoError>;
}
