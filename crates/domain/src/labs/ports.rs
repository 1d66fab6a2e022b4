//! What labs need from outside: order storage (with the outbound request and the webhook's
//! event keys), the lab gateway, integration storage, and the sealing of integration secrets.

use super::model::{LabIntegration, LabOrder, LabOrderQuery, LabOrderView};
use crate::audit::AuditEntry;
use crate::common::{AccountId, BoxError, LabIntegrationId, RepoError, Timestamp};
use crate::identity::policy::ListScope;
use async_trait::async_trait;

/// A message for a lab, recorded with its cause and delivered later (the outbox).
#[derive(Debug, Clone, PartialEq)]
pub struct LabRequest {
    /// The kind of message (the outbox row's `kind`).
    pub kind: &'static str,
    /// What is sent: ids and codes, never names, addresses or results.
    pub payload: serde_json::Value,
}

/// A webhook event seen from a lab: its key is unique per integration (storage refuses a second
/// one with `Duplicate("event_id")`, so a replay changes nothing whatever the timing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventKey {
    /// The lab.
    pub integration: LabIntegrationId,
    /// The lab's event id.
    pub event_id: String,
    /// When it was received.
    pub received_at: Timestamp,
}

/// Lab orders storage. Every write records its audit entry in the same transaction.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LabOrderRepository: Send + Sync {
    /// Insert an order, its audit entry and the request telling the lab (the outbox), in one
    /// transaction: all or nothing.
    async fn create(
        &self,
        order: &LabOrder,
        request: &LabRequest,
        audit: &AuditEntry,
    ) -> Result<(), RepoError>;
    /// One order with its names.
    async fn get(&self, id: crate::common::LabOrderId) -> Result<LabOrderView, RepoError>;
    /// The order of one of `accounts` the lab knows by `reference`.
    async fn by_reference(
        &self,
        accounts: &[AccountId],
        reference: &str,
    ) -> Result<LabOrderView, RepoError>;
    /// Matching orders, newest first (`created_at` desc, then id).
    async fn list(
        &self,
        scope: ListScope,
        query: &LabOrderQuery,
    ) -> Result<Vec<LabOrderView>, RepoError>;
    /// Store `order` if the stored version is `order.version - 1` (else `Stale`, nothing
    /// written), with its audit entry and, for a lab's event, the event's key
    /// (`Duplicate("event_id")` when the lab sent it before: nothing written). Its result's
    /// report file is attached to it in the same transaction (`Conflict("file_attached")` when
    /// the file is another record's: nothing written), and a report it no longer names is
    /// detached.
    async fn save(
        &self,
        order: &LabOrder,
        audit: &AuditEntry,
        event: Option<EventKey>,
    ) -> Result<(), RepoError>;
    /// Whether this event was recorded (only to choose the answer to a refused event: the
    /// guard against replays is the unique key of [`Self::save`]).
    async fn event_seen(&self, key: &EventKey) -> Result<bool, RepoError>;
}

/// How a new order reaches its lab. The request is recorded with the order, in its transaction,
/// and delivered asynchronously: ordering never waits for a lab.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait LabGateway: Send + Sync {
    /// The request announcing `order` to the lab.
    fn order_request(&self, order: &LabOrder) -> LabRequest;
}

/// Lab integrations storage.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LabIntegrationRepository: Send + Sync {
    /// Insert with its accounts. `NotFound` when an account does not exist.
    async fn insert(&self, integration: &LabIntegration) -> Result<(), RepoError>;
    /// One integration.
    async fn get(&self, id: LabIntegrationId) -> Result<LabIntegration, RepoError>;
    /// Every integration, oldest first (the operator's list; sealed secrets stay sealed).
    async fn list(&self) -> Result<Vec<LabIntegration>, RepoError>;
    /// Store its name, secret and `active` (its accounts stay).
    async fn update(&self, integration: &LabIntegration) -> Result<(), RepoError>;
}

/// Seals secrets at rest (authenticated encryption with a key from the environment).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait SecretBox: Send + Sync {
    /// Seal `plain`; the result is text safe to store.
    fn seal(&self, plain: &[u8]) -> Result<String, BoxError>;
    /// Open what [`Self::seal`] made (with the same key); tampered or foreign text fails.
    fn open(&self, sealed: &str) -> Result<Vec<u8>, BoxError>;
}
