//! The lab side: integrations (created, rotated and disabled by an operator at the console) and
//! the webhook (contract §3.8): a call is authenticated by its signature, then its event applied
//! once, whatever the number of deliveries.

use super::{LabService, apply_result, apply_status};
use crate::audit::AuditAction;
use crate::common::{AccountId, Entity, FieldError, LabIntegrationId, RepoError, Text};
use crate::labs::error::{LabError, SignatureRefusal, not_found_as};
use crate::labs::model::{EventChange, LabEvent, LabIntegration, LabOrderView, OrderRef};
use crate::labs::policy::{Side, side_of};
use crate::labs::ports::EventKey;
use crate::labs::webhook;

/// A secret shown once: at creation or rotation.
#[derive(Debug, Clone)]
pub struct IssuedSecret {
    /// The integration.
    pub integration: LabIntegration,
    /// The plain secret (64 hex characters): printed once, stored sealed.
    pub secret: String,
}

/// What became of a webhook event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    /// Applied now.
    Applied,
    /// Seen before: nothing changed.
    Duplicate,
}

/// Bytes of a new secret.
const SECRET_BYTES: usize = 32;

impl LabService {
    fn new_secret(&self) -> Result<(String, String), LabError> {
        let bytes = self.ports.random.bytes(SECRET_BYTES);
        let plain: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let sealed = self
            .ports
            .secrets
            .seal(plain.as_bytes())
            .map_err(LabError::Unexpected)?;
        Ok((plain, sealed))
    }

    /// A new active integration serving `accounts` (each must exist: else "Account not found").
    pub async fn create_integration(
        &self,
        name: &str,
        accounts: Vec<AccountId>,
    ) -> Result<IssuedSecret, LabError> {
        let mut errors = Vec::new();
        let name =
            crate::common::validate::text::<100, false>(&mut errors, "name", Some(name), true);
        if accounts.is_empty() {
            errors.push(FieldError::new(
                "accounts",
                "name at least one account",
                "value_error.list.min_items",
            ));
        }
        let Some(name) = name.filter(|_| errors.is_empty()) else {
            return Err(LabError::Invalid(errors));
        };
        let (secret, sealed_secret) = self.new_secret()?;
        let now = self.now();
        let integration = LabIntegration {
            id: LabIntegrationId(self.ports.random.uuid()),
            name: name.into_string(),
            accounts,
            active: true,
            sealed_secret,
            created_at: now,
            updated_at: now,
        };
        self.ports
            .integrations
            .insert(&integration)
            .await
            .map_err(not_found_as(Entity::Account))?;
        Ok(IssuedSecret {
            integration,
            secret,
        })
    }

    async fn integration(&self, id: LabIntegrationId) -> Result<LabIntegration, LabError> {
        self.ports
            .integrations
            .get(id)
            .await
            .map_err(not_found_as(Entity::Record))
    }

    /// Every integration, oldest first (the operator's `lab-integration list`; the caller
    /// prints no secret: they are sealed, and this never opens them).
    pub async fn list_integrations(&self) -> Result<Vec<LabIntegration>, LabError> {
        Ok(self.ports.integrations.list().await?)
    }

    /// A new secret for an integration: the old one stops working at once.
    pub async fn rotate_secret(&self, id: LabIntegrationId) -> Result<IssuedSecret, LabError> {
        let mut integration = self.integration(id).await?;
        let (secret, sealed) = self.new_secret()?;
        integration.sealed_secret = sealed;
        integration.updated_at = self.now();
        self.ports.integrations.update(&integration).await?;
        Ok(IssuedSecret {
            integration,
            secret,
        })
    }

    /// Disable an integration: its calls are refused from now on.
    pub async fn disable_integration(
        &self,
        id: LabIntegrationId,
    ) -> Result<LabIntegration, LabError> {
        let mut integration = self.integration(id).await?;
        integration.active = false;
        integration.updated_at = self.now();
        self.ports.integrations.update(&integration).await?;
        Ok(integration)
    }

    /// Authenticate a webhook call: an active integration `lab_id`, a timestamp within the
    /// window, a signature of `"{timestamp}.{body}"` with its secret. One answer for every
    /// refusal (the reason is logged).
    pub async fn authenticate(
        &self,
        lab_id: &str,
        timestamp: &str,
        signature: &str,
        body: &[u8],
    ) -> Result<LabIntegration, LabError> {
        let refuse = |why: SignatureRefusal| {
            tracing::info!(reason = %why, "lab webhook refused");
            LabError::BadSignature(why)
        };
        let id =
            LabIntegrationId::parse(lab_id).ok_or_else(|| refuse(SignatureRefusal::Headers))?;
        let integration = match self.ports.integrations.get(id).await {
            Ok(i) if i.active => i,
            Ok(_) | Err(RepoError::NotFound) => return Err(refuse(SignatureRefusal::Integration)),
            Err(e) => return Err(e.into()),
        };
        let secret = self
            .ports
            .secrets
            .open(&integration.sealed_secret)
            .map_err(|e| {
                tracing::error!(error = %e, integration = %id, "lab secret cannot be opened");
                refuse(SignatureRefusal::Secret)
            })?;
        webhook::verify(&secret, timestamp, signature, body, self.ports.clock.now())
            .map_err(refuse)?;
        Ok(integration)
    }

    async fn event_order(
        &self,
        lab: &LabIntegration,
        order: &OrderRef,
    ) -> Result<LabOrderView, LabError> {
        let found = match order {
            OrderRef::Id(id) => self.ports.orders.get(*id).await,
            OrderRef::Reference(r) => self.ports.orders.by_reference(&lab.accounts, r).await,
        }
        .map_err(not_found_as(Entity::LabOrder))?;
        if lab.accounts.contains(&found.order.account_id) {
            Ok(found)
        } else {
            Err(LabError::NotFound(Entity::LabOrder))
        }
    }

    /// Apply a lab's event once: its key is stored with the change, in one transaction, and a
    /// second delivery finds the key taken and changes nothing.
    pub async fn apply_event(
        &self,
        lab: &LabIntegration,
        event: LabEvent,
    ) -> Result<EventOutcome, LabError> {
        let key = EventKey {
            integration: lab.id,
            event_id: event.event_id.into_string(),
            received_at: self.now(),
        };
        let changed = self
            .changed_by(lab, &event.order, event.lab_reference, event.change)
            .await;
        let view = match changed {
            Ok(view) => view,
            Err(e @ (LabError::Conflict(_) | LabError::Invalid(_) | LabError::NotFound(_))) => {
                return if self.seen(&key).await? {
                    Ok(EventOutcome::Duplicate)
                } else {
                    Err(e)
                };
            }
            Err(e) => return Err(e),
        };
        let audit = self.entry(None, AuditAction::Update, &view.order);
        match self
            .ports
            .orders
            .save(&view.order, &audit, Some(key.clone()))
            .await
        {
            Ok(()) => Ok(EventOutcome::Applied),
            Err(RepoError::Duplicate("event_id")) => Ok(EventOutcome::Duplicate),
            // A parallel delivery of the same event changed the order first.
            Err(RepoError::Stale) if self.seen(&key).await? => Ok(EventOutcome::Duplicate),
            Err(e) => Err(e.into()),
        }
    }

    /// The order as the event leaves it (not stored yet).
    async fn changed_by(
        &self,
        lab: &LabIntegration,
        order: &OrderRef,
        reference: Option<Text<100>>,
        change: EventChange,
    ) -> Result<LabOrderView, LabError> {
        let mut view = self.event_order(lab, order).await?;
        let now = self.now();
        match change {
            EventChange::Status(s) if side_of(s.status) != Side::Lab => {
                return Err(LabError::field(
                    "status",
                    "a lab may set specimen_collected, in_process or rejected",
                    "value_error.status",
                ));
            }
            EventChange::Status(s) => apply_status(&mut view.order, s, now)?,
            EventChange::Results(r) if r.report_file_id.is_some() => {
                return Err(LabError::field(
                    "report_file_id",
                    "a lab sends report_url, not a file id",
                    "value_error.report",
                ));
            }
            EventChange::Results(r) => apply_result(&mut view.order, r, now)?,
        }
        if let Some(r) = reference {
            view.order.lab_reference = Some(r);
        }
        Ok(view)
    }
}
