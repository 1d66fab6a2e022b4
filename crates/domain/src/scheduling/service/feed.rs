//! A clinician's calendar feed: read with a bearer token by the care team, or by a calendar app
//! with the feed's own token (`calendar.ics?token=…`), which the clinician or the care team
//! makes (and so rotates) here.

use super::SchedulingService;
use super::appointments::{ListQuery, filter};
use crate::audit::{AuditAction, AuditEntry, AuditRecords};
use crate::common::{Entity, UserId, to_seconds};
use crate::identity::policy::{self, Action, ListScope, Principal, Target};
use crate::scheduling::error::SchedulingError;
use crate::scheduling::mail;
use crate::scheduling::model::{AppointmentStatus, FEED_TOKEN_BYTES, FeedToken};
use crate::scheduling::ports::{NewFeedToken, StaffRef};

/// A clinician whose feed token was presented and verified: what [`SchedulingService::feed_for`]
/// serves. Only [`SchedulingService::feed_subscriber`] makes one.
#[derive(Debug, Clone)]
pub struct FeedSubscriber(StaffRef);

impl FeedSubscriber {
    /// The clinician (e.g. to key a rate limit).
    #[must_use]
    pub fn clinician(&self) -> UserId {
        self.0.id
    }
}

impl SchedulingService {
    /// A clinician's upcoming appointments as an iCalendar feed (care team; patient first name
    /// and initial only).
    pub async fn feed(&self, p: &Principal, clinician: UserId) -> Result<String, SchedulingError> {
        let staff = self.feed_owner(p, clinician).await?;
        self.clinician_feed(p.user_id, &staff).await
    }

    /// A new calendar-feed token for the clinician (who may read the feed may make it: the
    /// clinician and the care team of its account). It replaces the clinician's earlier token,
    /// which stops working. The caller builds the URL; never log the token.
    pub async fn calendar_token(
        &self,
        p: &Principal,
        clinician: UserId,
    ) -> Result<FeedToken, SchedulingError> {
        let staff = self.feed_owner(p, clinician).await?;
        if !staff.is_clinician() {
            return Err(SchedulingError::NotFound(Entity::Clinician));
        }
        let bytes = self.ports.random.bytes(FEED_TOKEN_BYTES);
        let token = FeedToken::from_bytes(&bytes).ok_or_else(|| {
            SchedulingError::Unexpected("the random source gave a short token".into())
        })?;
        let now = to_seconds(self.now());
        self.ports
            .repo
            .set_feed_token(&NewFeedToken {
                clinician: staff.id,
                digest: token.digest(),
                created_by: p.user_id,
                created_at: now,
                audit: AuditEntry {
                    id: self.ports.random.uuid(),
                    at: now,
                    actor_id: Some(p.user_id),
                    action: AuditAction::Create,
                    record_type: "calendar_feed_token",
                    records: AuditRecords::One(staff.id.0),
                    account_id: staff.account_id,
                },
            })
            .await?;
        Ok(token)
    }

    /// The clinician whose feed `token` opens. A token that is malformed, not the clinician's
    /// current one, or of a clinician (or account) no longer live and active is 404
    /// `Clinician`, alike, so the answer tells nothing about what exists.
    pub async fn feed_subscriber(
        &self,
        clinician: UserId,
        token: &str,
    ) -> Result<FeedSubscriber, SchedulingError> {
        let refused = || SchedulingError::NotFound(Entity::Clinician);
        let token = FeedToken::parse(token).ok_or_else(refused)?;
        let stored = self.ports.repo.feed_token(clinician).await?;
        if !stored.is_some_and(|digest| token.matches(&digest)) {
            return Err(refused());
        }
        let staff = self.ports.repo.staff(clinician).await?;
        staff
            .filter(StaffRef::is_clinician)
            .map(FeedSubscriber)
            .ok_or_else(refused)
    }

    /// The feed of a verified subscriber; the read is audited as the clinician's.
    pub async fn feed_for(&self, s: &FeedSubscriber) -> Result<String, SchedulingError> {
        self.clinician_feed(s.0.id, &s.0).await
    }

    /// The feed's clinician, if `p` may read it (404 `User` otherwise).
    async fn feed_owner(
        &self,
        p: &Principal,
        clinician: UserId,
    ) -> Result<StaffRef, SchedulingError> {
        policy::require(p, Action::AppointmentList)?;
        let staff = self.ports.repo.staff(clinician).await?;
        let staff = staff.ok_or(SchedulingError::NotFound(Entity::User))?;
        policy::authorize(
            p,
            Action::AppointmentList,
            Target::in_account(staff.account_id),
            Entity::User,
        )?;
        Ok(staff)
    }

    async fn clinician_feed(
        &self,
        actor: UserId,
        staff: &StaffRef,
    ) -> Result<String, SchedulingError> {
        let zone = self.zone(staff.account_id).await?;
        let now = self.now();
        let q = ListQuery {
            statuses: AppointmentStatus::ALL
                .into_iter()
                .filter(|s| s.is_active())
                .collect(),
            from: Some(zone.today(now)),
            to: None,
        };
        let scope = staff
            .account_id
            .map_or(ListScope::Nothing, ListScope::Account);
        let page = self
            .listed(actor, filter(scope, Some(staff.id), None, q, None))
            .await?;
        Ok(mail::feed(&page.appointments, &zone, now))
    }
}
