//! Lab use cases (contract §3.8): ordering, reads and lists, status changes, result ingestion
//! and review (this file); the webhook and the integrations (`webhook.rs`).

mod webhook;

pub use webhook::{EventOutcome, IssuedSecret};

use super::error::{LabError, not_found_as};
use super::model::{
    LabOrder, LabOrderQuery, LabOrderView, LabResult, LabStatus, NewLabOrder, ResultIngest, Review,
    StatusChange, TestInfo, TestType,
};
use super::policy;
use super::ports::{EventKey, LabGateway, LabIntegrationRepository, LabOrderRepository, SecretBox};
use super::rules;
use crate::audit::{AuditAction, AuditEntry, AuditLog, AuditRecords};
use crate::common::{
    Clock, Entity, FieldError, LabOrderId, PatientId, Random, Timestamp, UserId, to_seconds,
};
use crate::identity::model::NotClinician;
use crate::identity::policy::{self as access, Action, Principal, Target};
use crate::identity::ports::UserRepository;
use crate::patients::ports::PatientRepository;
use std::sync::Arc;

/// What the lab use cases need.
#[derive(Clone)]
pub struct LabPorts {
    /// Orders.
    pub orders: Arc<dyn LabOrderRepository>,
    /// Integrations.
    pub integrations: Arc<dyn LabIntegrationRepository>,
    /// The lab side of a new order.
    pub gateway: Arc<dyn LabGateway>,
    /// Seals integration secrets.
    pub secrets: Arc<dyn SecretBox>,
    /// Patients (the order's patient and account).
    pub patients: Arc<dyn PatientRepository>,
    /// Users (the ordering provider).
    pub users: Arc<dyn UserRepository>,
    /// Uploaded files (report attachments).
    pub files: Arc<dyn crate::files::ports::FileRepository>,
    /// Audited reads.
    pub audit: Arc<dyn AuditLog>,
    /// Now.
    pub clock: Arc<dyn Clock>,
    /// Ids and secrets.
    pub random: Arc<dyn Random>,
}

/// Lab use cases.
#[derive(Clone)]
pub struct LabService {
    ports: LabPorts,
}

/// The record type of audit entries.
const RECORD: &str = "lab_order";

impl LabService {
    /// Wire the service.
    #[must_use]
    pub fn new(ports: LabPorts) -> Self {
        Self { ports }
    }

    fn now(&self) -> Timestamp {
        to_seconds(self.ports.clock.now())
    }

    fn entry(&self, actor: Option<UserId>, action: AuditAction, o: &LabOrder) -> AuditEntry {
        AuditEntry {
            id: self.ports.random.uuid(),
            at: self.now(),
            actor_id: actor,
            action,
            record_type: RECORD,
            records: AuditRecords::One(o.id.0),
            account_id: Some(o.account_id),
        }
    }

    /// One audited read of these orders (nothing recorded for none).
    async fn audit_read(&self, p: &Principal, views: &[LabOrderView]) -> Result<(), LabError> {
        let Some(first) = views.first() else {
            return Ok(());
        };
        let account = first.order.account_id;
        let same = views.iter().all(|v| v.order.account_id == account);
        let records = match views {
            [one] => AuditRecords::One(one.order.id.0),
            many => AuditRecords::Many {
                ids: many.iter().map(|v| v.order.id.0).collect(),
                query: None,
            },
        };
        let mut e = self.entry(Some(p.user_id), AuditAction::Read, &first.order);
        e.records = records;
        e.account_id = same.then_some(account);
        Ok(self.ports.audit.record(vec![e]).await?)
    }

    /// `GET /api/labs/available_tests`: one entry per test type.
    pub fn catalogue(&self, p: &Principal) -> Result<Vec<TestInfo>, LabError> {
        access::require(p, Action::LabCatalog)?;
        Ok(TestType::ALL.iter().map(|t| t.info()).collect())
    }

    /// `POST /api/labs/order_test`: a new `ordered` order of a patient in scope, by a clinician
    /// or physician of its account (default: the caller when it is one), the lab told through
    /// the outbox in the same transaction.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn order(&self, p: &Principal, cmd: NewLabOrder) -> Result<LabOrderView, LabError> {
        access::require(p, Action::LabOrderManage)?;
        let patient = self
            .ports
            .patients
            .get(cmd.patient_id)
            .await
            .map_err(not_found_as(Entity::Patient))?
            .patient;
        let account = patient.account_id;
        access::authorize(
            p,
            Action::LabOrderManage,
            Target::in_account(Some(account)),
            Entity::Patient,
        )?;
        let provider_id = match cmd.provider_id {
            Some(id) => id,
            None if p.role.is_provider() => p.user_id,
            None => return Err(LabError::Invalid(vec![FieldError::missing("provider_id")])),
        };
        let provider = self
            .ports
            .users
            .get(provider_id)
            .await
            .map_err(not_found_as(Entity::Clinician))?;
        provider.clinician_of(account).map_err(|e| match e {
            NotClinician::Elsewhere => LabError::NotFound(Entity::Clinician),
            NotClinician::Ineligible(_) => LabError::field(
                "provider_id",
                "must be an active clinician or physician",
                "value_error.role",
            ),
        })?;
        let now = self.now();
        let order = LabOrder {
            id: LabOrderId(self.ports.random.uuid()),
            account_id: account,
            patient_id: patient.id,
            provider_id,
            test_type: cmd.test_type,
            status: LabStatus::Ordered,
            shipping_address: cmd.shipping_address,
            notes: cmd.notes,
            lab_reference: None,
            reason: None,
            result: None,
            review: None,
            created_at: now,
            updated_at: now,
            completed_at: None,
            version: 1,
        };
        let request = self.ports.gateway.order_request(&order);
        let audit = self.entry(Some(p.user_id), AuditAction::Create, &order);
        self.ports.orders.create(&order, &request, &audit).await?;
        tracing::info!(order_id = %order.id, "lab order placed");
        Ok(LabOrderView {
            order,
            patient_name: format!("{} {}", patient.first_name, patient.last_name),
            clinician_name: provider.name,
        })
    }

    /// An order the caller may use for `action`, else "Lab order not found".
    async fn load(
        &self,
        p: &Principal,
        action: Action,
        id: LabOrderId,
    ) -> Result<LabOrderView, LabError> {
        access::require(p, action)?;
        let view = self
            .ports
            .orders
            .get(id)
            .await
            .map_err(not_found_as(Entity::LabOrder))?;
        access::authorize(p, action, policy::in_account(&view.order), Entity::LabOrder)?;
        Ok(view)
    }

    /// `GET /api/labs/orders/{id}`.
    pub async fn get(&self, p: &Principal, id: LabOrderId) -> Result<LabOrderView, LabError> {
        let view = self.load(p, Action::LabWork, id).await?;
        self.audit_read(p, std::slice::from_ref(&view)).await?;
        Ok(view)
    }

    /// `GET /api/labs/results/{id}`: staff of the account; the patient its own once reviewed.
    pub async fn results(&self, p: &Principal, id: LabOrderId) -> Result<LabOrderView, LabError> {
        access::require(p, Action::LabResultRead)?;
        let view = self
            .ports
            .orders
            .get(id)
            .await
            .map_err(not_found_as(Entity::LabOrder))?;
        policy::may_read_results(p, &view.order)?;
        self.audit_read(p, std::slice::from_ref(&view)).await?;
        Ok(view)
    }

    /// `GET /api/labs/orders`: the work list of the caller's account (super_admin: all).
    pub async fn work_list(
        &self,
        p: &Principal,
        query: LabOrderQuery,
    ) -> Result<Vec<LabOrderView>, LabError> {
        let scope = access::list_scope(p, Action::LabWork, None)?;
        let rows = self.ports.orders.list(scope, &query).await?;
        self.audit_read(p, &rows).await?;
        Ok(rows)
    }

    /// `GET /api/labs/patient/{id}/orders`: a patient in scope (else 404).
    pub async fn patient_orders(
        &self,
        p: &Principal,
        patient: PatientId,
        mut query: LabOrderQuery,
    ) -> Result<Vec<LabOrderView>, LabError> {
        access::require(p, Action::LabOrderManage)?;
        let record = self
            .ports
            .patients
            .get(patient)
            .await
            .map_err(not_found_as(Entity::Patient))?;
        let account = Some(record.patient.account_id);
        access::authorize(
            p,
            Action::LabOrderManage,
            Target::in_account(account),
            Entity::Patient,
        )?;
        query.patient_id = Some(patient);
        self.scoped_list(p, query).await
    }

    /// `GET /api/labs/clinician/{id}/orders`: a user of the caller's account (else 404).
    pub async fn clinician_orders(
        &self,
        p: &Principal,
        clinician: UserId,
        mut query: LabOrderQuery,
    ) -> Result<Vec<LabOrderView>, LabError> {
        access::require(p, Action::LabOrderManage)?;
        let user = self
            .ports
            .users
            .get(clinician)
            .await
            .map_err(not_found_as(Entity::Clinician))?;
        access::authorize(
            p,
            Action::LabOrderManage,
            Target::in_account(user.account_id),
            Entity::Clinician,
        )?;
        query.provider_id = Some(clinician);
        self.scoped_list(p, query).await
    }

    async fn scoped_list(
        &self,
        p: &Principal,
        query: LabOrderQuery,
    ) -> Result<Vec<LabOrderView>, LabError> {
        let scope = access::list_scope(p, Action::LabOrderManage, None)?;
        let rows = self.ports.orders.list(scope, &query).await?;
        self.audit_read(p, &rows).await?;
        Ok(rows)
    }

    /// `PUT /api/labs/orders/{id}/status`: the order in scope (404), the role for that status
    /// (403), the table (409).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, order_id = %id))]
    pub async fn set_status(
        &self,
        p: &Principal,
        id: LabOrderId,
        change: StatusChange,
    ) -> Result<LabOrderView, LabError> {
        let mut view = self.load(p, Action::LabWork, id).await?;
        policy::may_set(p, &view.order, change.status)?;
        let now = self.now();
        apply_status(&mut view.order, change, now)?;
        let audit = self.entry(Some(p.user_id), AuditAction::Update, &view.order);
        self.ports.orders.save(&view.order, &audit, None).await?;
        Ok(view)
    }

    /// `POST /api/labs/results/{id}`: results by kind (see [`rules::ingest`]).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, order_id = %id))]
    pub async fn ingest(
        &self,
        p: &Principal,
        id: LabOrderId,
        cmd: ResultIngest,
    ) -> Result<LabOrderView, LabError> {
        let mut view = self.load(p, Action::LabIngest, id).await?;
        if let Some(file) = cmd.report_file_id {
            self.check_report(p, file, &view.order).await?;
        }
        let now = self.now();
        apply_result(&mut view.order, cmd, now)?;
        let audit = self.entry(Some(p.user_id), AuditAction::Update, &view.order);
        self.ports.orders.save(&view.order, &audit, None).await?;
        Ok(view)
    }

    /// `POST /api/labs/review_result/{id}`: the care team marks the final result reviewed; the
    /// patient sees it from then on.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, order_id = %id))]
    pub async fn review(&self, p: &Principal, id: LabOrderId) -> Result<LabOrderView, LabError> {
        let mut view = self.load(p, Action::LabOrderManage, id).await?;
        rules::reviewable(&view.order)?;
        let now = self.now();
        view.order.review = Some(Review {
            at: now,
            by: p.user_id,
        });
        view.order.updated_at = now;
        view.order.version += 1;
        let audit = self.entry(Some(p.user_id), AuditAction::Update, &view.order);
        self.ports.orders.save(&view.order, &audit, None).await?;
        Ok(view)
    }

    /// A report the caller may attach to `order` (its own upload of the order's account), else
    /// "File not found". Whether it is free is decided where it is attached (one transaction).
    async fn check_report(
        &self,
        p: &Principal,
        file: uuid::Uuid,
        order: &LabOrder,
    ) -> Result<(), LabError> {
        let stored = self
            .ports
            .files
            .get(crate::files::model::FileId(file))
            .await
            .map_err(not_found_as(Entity::File))?;
        if super::reports::attachable(p, &stored, order) {
            Ok(())
        } else {
            Err(LabError::NotFound(Entity::File))
        }
    }

    /// Whether an event of a lab was recorded already (see [`LabOrderRepository::event_seen`]).
    async fn seen(&self, key: &EventKey) -> Result<bool, LabError> {
        Ok(self.ports.orders.event_seen(key).await?)
    }
}

/// A status change on `order` per the table, at `now`.
pub(crate) fn apply_status(
    order: &mut LabOrder,
    change: StatusChange,
    now: Timestamp,
) -> Result<(), LabError> {
    order.status = rules::transition(order.status, change.status)?;
    if change.reason.is_some() {
        order.reason = change.reason;
    }
    order.updated_at = now;
    order.version += 1;
    Ok(())
}

/// A result on `order` per its kind, at `now`. An amendment clears the review: the patient sees
/// the new values only once the care team has reviewed them.
pub(crate) fn apply_result(
    order: &mut LabOrder,
    cmd: ResultIngest,
    now: Timestamp,
) -> Result<(), LabError> {
    let to = rules::ingest(order.status, cmd.status)?;
    if to == LabStatus::Completed && order.status != LabStatus::Completed {
        order.completed_at = Some(now);
    }
    order.status = to;
    order.result = Some(LabResult {
        results: cmd.results,
        status: cmd.status,
        report_url: cmd.report_url,
        report_file_id: cmd.report_file_id,
        performed_at: cmd.performed_at,
        notes: cmd.notes,
        reported_at: now,
    });
    order.review = None;
    order.updated_at = now;
    order.version += 1;
    Ok(())
}

#[cfg(test)]
mod tests;
