//! Report files attached to lab results (contract §3.8 `report_file_id`, §3.10): which upload a
//! result may name, and who besides its owner reads it (the files capability asks through its
//! `AttachmentAccess` port).

use super::model::LabOrder;
use super::policy;
use super::ports::LabOrderRepository;
use crate::common::{LabOrderId, RepoError};
use crate::files::model::{Attachment, AttachmentKind, StoredFile};
use crate::files::ports::AttachmentAccess;
use crate::identity::model::Role;
use crate::identity::policy::Principal;
use async_trait::async_trait;
use std::sync::Arc;

/// The attachment of `order`'s report.
#[must_use]
pub const fn attachment(order: LabOrderId) -> Attachment {
    Attachment {
        kind: AttachmentKind::LabResult,
        id: order.0,
    }
}

/// May `p` attach `file` to `order`'s result: its own upload, of the order's account (a super
/// admin's uploads have no account). Anything else is a file that does not exist for it.
#[must_use]
pub fn attachable(p: &Principal, file: &StoredFile, order: &LabOrder) -> bool {
    let own = file.owner == p.user_id;
    let account = file.account_id == Some(order.account_id)
        || (p.role == Role::SuperAdmin && file.account_id.is_none());
    own && account
}

/// Who reads a report attached to a lab result: the order's care team (and super admins), and
/// its patient once the result is reviewed.
#[derive(Clone)]
pub struct LabReports {
    orders: Arc<dyn LabOrderRepository>,
}

impl LabReports {
    /// Over the orders' storage.
    #[must_use]
    pub fn new(orders: Arc<dyn LabOrderRepository>) -> Self {
        Self { orders }
    }
}

#[async_trait]
impl AttachmentAccess for LabReports {
    async fn may_read(&self, p: &Principal, to: Attachment) -> Result<bool, RepoError> {
        if to.kind != AttachmentKind::LabResult {
            return Ok(false);
        }
        let order = match self.orders.get(LabOrderId(to.id)).await {
            Ok(v) => v.order,
            Err(RepoError::NotFound) => return Ok(false),
            Err(e) => return Err(e),
        };
        Ok(policy::may_read_report(p, &order))
    }
}
