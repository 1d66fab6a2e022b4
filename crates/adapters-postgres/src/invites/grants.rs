//! `GrantRepository`: what authenticating a simplified token reads, on every request.

use super::InviteRow;
use crate::Database;
use crate::convert::id;
use crate::patients::PatientRow;
use crate::schema::{accounts, invites, patients};
use async_trait::async_trait;
use diesel::prelude::*;
use genascope_domain::common::{InviteId, RepoError};
use genascope_domain::identity::model::AccountStatus;
use genascope_domain::identity::ports::{GrantRecord, GrantRepository};
use genascope_domain::invites::model::InviteState;
use genascope_domain::patients::model::PatientStatus;

#[async_trait]
impl GrantRepository for Database {
    #[tracing::instrument(level = "debug", skip_all, fields(invite_id = %invite))]
    async fn grant(&self, invite: InviteId) -> Result<Option<GrantRecord>, RepoError> {
        let invite = id(invite.0);
        self.run(move |conn| {
            // One indexed read: the invite by id, its live patient, its live account.
            let row: Option<(InviteRow, PatientRow, String, String)> = invites::table
                .inner_join(patients::table)
                .inner_join(accounts::table)
                .filter(invites::id.eq(invite))
                .filter(patients::deleted_at.is_null())
                .filter(accounts::deleted_at.is_null())
                .select((
                    InviteRow::as_select(),
                    PatientRow::as_select(),
                    accounts::status,
                    accounts::name,
                ))
                .first(conn)
                .optional()?;
            let Some((invite, patient, account_status, account_name)) = row else {
                return Ok(None);
            };
            let invite = invite.into_domain()?;
            let patient = patient.into_domain()?;
            Ok(Some(GrantRecord {
                patient_id: patient.id,
                account_id: patient.account_id,
                email: patient.email,
                first_name: patient.first_name,
                last_name: patient.last_name,
                phone: patient.phone,
                clinician_id: patient.clinician_id,
                patient_active: !matches!(
                    patient.status,
                    PatientStatus::Inactive | PatientStatus::Archived
                ),
                patient_times: (patient.created_at, patient.updated_at),
                account_active: AccountStatus::parse(&account_status)
                    == Some(AccountStatus::Active),
                account_name,
                invite_accepted: invite.state == InviteState::Accepted,
                token_gen: invite.token_gen,
                chat_strategy_id: invite.chat_strategy_id,
            }))
        })
        .await
    }
}
