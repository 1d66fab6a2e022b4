//! `SchedulingRepository`.
//!
//! Race safety: a write that takes time (a booking, a move) first claims the clinician's user
//! row and then the patient's row with a no-op UPDATE, in that order on every path. On
//! PostgreSQL the row locks serialise every booking and move of one clinician or one patient
//! until commit (READ COMMITTED: the overlap query that follows sees what the previous holder
//! committed); SQLite has one writer at a time (`BEGIN IMMEDIATE`). The overlap check runs the
//! domain's rule on what is stored, inside the transaction. The partial unique index
//! `appointments_clinician_slot_uq` is a second line for equal start times.

use super::{AppointmentRow, PatternRow, parse_slots, slots_text};
use crate::audit::write_entries;
use crate::convert::{id, parse_id};
use crate::notify::enqueue_email;
use crate::schema::{
    account_settings, accounts, appointments, availability_dates, availability_patterns, patients,
    users,
};
use crate::sql::{Corrupt, found};
use crate::{Database, DbConnection, MultiBackend};
use async_trait::async_trait;
use diesel::prelude::*;
use genascope_domain::common::{AccountId, AppointmentId, PatientId, PatternId, RepoError, UserId};
use genascope_domain::identity::model::Role;
use genascope_domain::identity::policy::ListScope;
use genascope_domain::scheduling::error::BookError;
use genascope_domain::scheduling::model::{
    Appointment, AppointmentView, ClinicZone, RecurringPattern, SlotSet,
};
use genascope_domain::scheduling::ports::{
    AppointmentFilter, AppointmentPage, AppointmentWrite, ClinicDay, NewFeedToken, PatientRef,
    SchedulingRepository, StaffRef,
};
use genascope_domain::scheduling::rules;
use time::Date;

/// Statuses that occupy their time.
const ACTIVE: [&str; 3] = ["scheduled", "confirmed", "rescheduled"];

type ViewRow = (AppointmentRow, String, String, String, String);

fn view(r: ViewRow) -> QueryResult<AppointmentView> {
    let (row, clinician_name, first, last, email) = r;
    Ok(AppointmentView {
        appointment: Appointment::try_from(row)?,
        clinician_name,
        patient_first_name: first,
        patient_last_name: last,
        patient_email: email,
    })
}

macro_rules! view_query {
    () => {
        appointments::table
            .inner_join(users::table.on(users::id.eq(appointments::clinician_id)))
            .inner_join(patients::table.on(patients::id.eq(appointments::patient_id)))
            .select((
                AppointmentRow::as_select(),
                users::name,
                patients::first_name,
                patients::last_name,
                patients::email,
            ))
    };
}

/// Active appointments of a clinician or a patient on `from..=to`.
fn active_of(
    conn: &mut DbConnection,
    clinician: &str,
    patient: Option<&str>,
    from: Date,
    to: Date,
) -> QueryResult<Vec<Appointment>> {
    let mut q = appointments::table
        .select(AppointmentRow::as_select())
        .filter(appointments::status.eq_any(ACTIVE))
        .filter(appointments::appointment_date.between(from, to))
        .into_boxed::<MultiBackend>();
    q = match patient {
        Some(p) => q.filter(
            appointments::clinician_id
                .eq(clinician.to_owned())
                .or(appointments::patient_id.eq(p.to_owned())),
        ),
        None => q.filter(appointments::clinician_id.eq(clinician.to_owned())),
    };
    q.load::<AppointmentRow>(conn)?
        .into_iter()
        .map(|r| Appointment::try_from(r).map_err(Into::into))
        .collect()
}

/// Claim the clinician's and then the patient's row, and check the conflict rule on what is
/// stored (see the module's comment).
fn claim_and_check(conn: &mut DbConnection, a: &Appointment) -> QueryResult<Option<BookError>> {
    let (clinician, patient) = (id(a.clinician_id.0), id(a.patient_id.0));
    found(
        diesel::update(users::table.filter(users::id.eq(&clinician)))
            .set(users::updated_at.eq(users::updated_at))
            .execute(conn)?,
    )?;
    found(
        diesel::update(patients::table.filter(patients::id.eq(&patient)))
            .set(patients::updated_at.eq(patients::updated_at))
            .execute(conn)?,
    )?;
    let before = a.date.previous_day().unwrap_or(a.date);
    let after = a.date.next_day().unwrap_or(a.date);
    let existing = active_of(conn, &clinician, Some(&patient), before, after)?;
    Ok(rules::conflict(a, &existing).map(BookError::Conflict))
}

fn write_in(conn: &mut DbConnection, w: &AppointmentWrite) -> QueryResult<Result<(), BookError>> {
    if w.claims_time
        && let Some(refused) = claim_and_check(conn, &w.appointment)?
    {
        return Ok(Err(refused));
    }
    let row = AppointmentRow::from(&w.appointment);
    match w.expected {
        None => {
            diesel::insert_into(appointments::table)
                .values(&row)
                .execute(conn)?;
        }
        Some((status, sequence)) => {
            let n = diesel::update(
                appointments::table
                    .filter(appointments::id.eq(&row.id))
                    .filter(appointments::status.eq(status.as_str()))
                    .filter(
                        appointments::ics_sequence.eq(i32::try_from(sequence).unwrap_or(i32::MAX)),
                    ),
            )
            .set(&row)
            .execute(conn)?;
            if n == 0 {
                return Ok(Err(BookError::Repo(RepoError::Stale)));
            }
        }
    }
    write_entries(conn, std::slice::from_ref(&w.audit))?;
    for m in &w.mail {
        enqueue_email(conn, m, w.appointment.updated_at)?;
    }
    Ok(Ok(()))
}

fn staff_of(r: (String, Option<String>, String, String, String)) -> QueryResult<StaffRef> {
    let (uid, account, name, role, email) = r;
    Ok(StaffRef {
        id: UserId(parse_id(&uid, "user id")?),
        account_id: account
            .map(|a| parse_id(&a, "account id").map(AccountId))
            .transpose()?,
        name,
        role: Role::parse(&role).ok_or(Corrupt("role"))?,
        email,
    })
}

#[async_trait]
impl SchedulingRepository for Database {
    async fn staff(&self, who: UserId) -> Result<Option<StaffRef>, RepoError> {
        let uid = id(who.0);
        self.run(move |conn| {
            users::table
                .filter(users::id.eq(uid))
                .filter(users::deleted_at.is_null())
                .filter(users::is_active.eq(true))
                .select((
                    users::id,
                    users::account_id,
                    users::name,
                    users::role,
                    users::email,
                ))
                .first(conn)
                .optional()?
                .map(staff_of)
                .transpose()
        })
        .await
    }

    async fn patient(&self, who: PatientId) -> Result<Option<PatientRef>, RepoError> {
        let pid = id(who.0);
        self.run(move |conn| {
            let row: Option<(String, String, String, String, String)> = patients::table
                .inner_join(accounts::table)
                .filter(patients::id.eq(pid))
                .filter(patients::deleted_at.is_null())
                .filter(accounts::deleted_at.is_null())
                .select((
                    patients::id,
                    patients::account_id,
                    patients::first_name,
                    patients::last_name,
                    patients::email,
                ))
                .first(conn)
                .optional()?;
            row.map(|(pid, aid, first_name, last_name, email)| {
                Ok(PatientRef {
                    id: PatientId(parse_id(&pid, "patient id")?),
                    account_id: AccountId(parse_id(&aid, "account id")?),
                    first_name,
                    last_name,
                    email,
                })
            })
            .transpose()
        })
        .await
    }

    async fn zone(&self, account: AccountId) -> Result<ClinicZone, RepoError> {
        let aid = id(account.0);
        self.run(move |conn| zone_of(conn, &aid)).await
    }

    async fn day(
        &self,
        clinician: UserId,
        account: Option<AccountId>,
        date: Date,
    ) -> Result<ClinicDay, RepoError> {
        let (cid, aid) = (id(clinician.0), account.map(|a| id(a.0)));
        self.run(move |conn| {
            let zone = match &aid {
                Some(aid) => zone_of(conn, aid)?,
                None => ClinicZone::default(),
            };
            let explicit = explicit_of(conn, &cid, date)?;
            let patterns = match explicit {
                Some(_) => Vec::new(),
                None => patterns_of(conn, &cid, Some((date, date)))?,
            };
            Ok(ClinicDay {
                zone,
                explicit,
                patterns,
                booked: active_of(conn, &cid, None, date, date)?,
            })
        })
        .await
    }

    async fn set_zone(&self, account: AccountId, zone: &ClinicZone) -> Result<(), RepoError> {
        let (aid, zone) = (id(account.0), zone.clone());
        self.transaction(move |conn| super::write_zone(conn, &aid, &zone))
            .await
    }

    async fn feed_token(&self, clinician: UserId) -> Result<Option<[u8; 32]>, RepoError> {
        self.run(move |conn| super::feed::read(conn, clinician))
            .await
    }

    async fn set_feed_token(&self, token: &NewFeedToken) -> Result<(), RepoError> {
        let token = token.clone();
        self.transaction(move |conn| super::feed::replace(conn, &token))
            .await
    }

    async fn explicit_slots(
        &self,
        clinician: UserId,
        date: Date,
    ) -> Result<Option<SlotSet>, RepoError> {
        let cid = id(clinician.0);
        self.run(move |conn| explicit_of(conn, &cid, date)).await
    }

    async fn set_explicit_slots(
        &self,
        account: AccountId,
        clinician: UserId,
        date: Date,
        slots: &SlotSet,
    ) -> Result<(), RepoError> {
        let (aid, cid, text) = (id(account.0), id(clinician.0), slots_text(slots));
        self.transaction(move |conn| {
            diesel::delete(availability_dates::table.find((&cid, date))).execute(conn)?;
            diesel::insert_into(availability_dates::table)
                .values((
                    availability_dates::clinician_id.eq(&cid),
                    availability_dates::slot_date.eq(date),
                    availability_dates::account_id.eq(&aid),
                    availability_dates::time_slots.eq(&text),
                ))
                .execute(conn)
                .map(|_| ())
        })
        .await
    }

    async fn patterns(
        &self,
        clinician: UserId,
        span: Option<(Date, Date)>,
    ) -> Result<Vec<RecurringPattern>, RepoError> {
        let cid = id(clinician.0);
        self.run(move |conn| patterns_of(conn, &cid, span)).await
    }

    async fn pattern(&self, pid: PatternId) -> Result<Option<RecurringPattern>, RepoError> {
        let pid = id(pid.0);
        self.run(move |conn| {
            availability_patterns::table
                .find(pid)
                .select(PatternRow::as_select())
                .first(conn)
                .optional()?
                .map(|r| RecurringPattern::try_from(r).map_err(Into::into))
                .transpose()
        })
        .await
    }

    async fn add_pattern(&self, pattern: &RecurringPattern) -> Result<(), RepoError> {
        let row = PatternRow::from(pattern);
        self.write(move |conn| {
            diesel::insert_into(availability_patterns::table)
                .values(&row)
                .execute(conn)
                .map(|_| ())
        })
        .await
    }

    async fn delete_pattern(&self, pid: PatternId) -> Result<(), RepoError> {
        let pid = id(pid.0);
        self.write(move |conn| {
            found(diesel::delete(availability_patterns::table.find(pid)).execute(conn)?)
        })
        .await
    }

    async fn get(&self, aid: AppointmentId) -> Result<Option<AppointmentView>, RepoError> {
        let aid = id(aid.0);
        self.run(move |conn| {
            view_query!()
                .filter(appointments::id.eq(aid))
                .first::<ViewRow>(conn)
                .optional()?
                .map(view)
                .transpose()
        })
        .await
    }

    async fn active_around(
        &self,
        clinician: UserId,
        patient: Option<PatientId>,
        from: Date,
        to: Date,
    ) -> Result<Vec<Appointment>, RepoError> {
        let (cid, pid) = (id(clinician.0), patient.map(|p| id(p.0)));
        self.run(move |conn| active_of(conn, &cid, pid.as_deref(), from, to))
            .await
    }

    async fn list(&self, f: &AppointmentFilter) -> Result<AppointmentPage, RepoError> {
        let f = f.clone();
        self.run(move |conn| {
            let total: i64 = filtered(&f).count().get_result(conn)?;
            let mut q = filtered_views(&f).order((appointments::starts_at, appointments::id));
            if let Some((offset, limit)) = f.page {
                q = q
                    .offset(i64::try_from(offset).unwrap_or(i64::MAX))
                    .limit(i64::from(limit));
            }
            let rows = q.load::<ViewRow>(conn)?;
            Ok(AppointmentPage {
                appointments: rows.into_iter().map(view).collect::<QueryResult<_>>()?,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
        .await
    }

    async fn write(&self, w: &AppointmentWrite) -> Result<(), BookError> {
        let w = w.clone();
        let queued = !w.mail.is_empty();
        let result = self.transaction(move |conn| write_in(conn, &w)).await??;
        if queued {
            self.outbox_queued();
        }
        Ok(result)
    }
}

macro_rules! apply_filter {
    ($q:expr, $f:expr) => {{
        let f: &AppointmentFilter = $f;
        let mut q = $q;
        match f.scope {
            ListScope::All => {}
            ListScope::Account(a) => q = q.filter(appointments::account_id.eq(id(a.0))),
            ListScope::Nothing => q = q.filter(appointments::id.eq("")),
        }
        if let Some(c) = f.clinician_id {
            q = q.filter(appointments::clinician_id.eq(id(c.0)));
        }
        if let Some(p) = f.patient_id {
            q = q.filter(appointments::patient_id.eq(id(p.0)));
        }
        if !f.statuses.is_empty() {
            let names: Vec<&'static str> = f.statuses.iter().map(|s| s.as_str()).collect();
            q = q.filter(appointments::status.eq_any(names));
        }
        if let Some(d) = f.from {
            q = q.filter(appointments::appointment_date.ge(d));
        }
        if let Some(d) = f.to {
            q = q.filter(appointments::appointment_date.le(d));
        }
        q
    }};
}

fn filtered(f: &AppointmentFilter) -> appointments::BoxedQuery<'static, MultiBackend> {
    apply_filter!(appointments::table.into_boxed::<MultiBackend>(), f)
}

type ViewsQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<
        diesel::dsl::InnerJoinOn<
            diesel::dsl::InnerJoinOn<
                appointments::table,
                users::table,
                diesel::dsl::Eq<users::id, appointments::clinician_id>,
            >,
            patients::table,
            diesel::dsl::Eq<patients::id, appointments::patient_id>,
        >,
        (
            diesel::dsl::AsSelect<AppointmentRow, MultiBackend>,
            users::name,
            patients::first_name,
            patients::last_name,
            patients::email,
        ),
    >,
    MultiBackend,
>;

fn filtered_views(f: &AppointmentFilter) -> ViewsQuery {
    apply_filter!(view_query!().into_boxed::<MultiBackend>(), f)
}

/// The account's time zone (`UTC` when none was set).
fn zone_of(conn: &mut DbConnection, account: &str) -> QueryResult<ClinicZone> {
    let name: Option<String> = account_settings::table
        .find(account)
        .select(account_settings::time_zone)
        .first(conn)
        .optional()?;
    Ok(super::stored_zone(name))
}

/// The clinician's explicit slot set of `date`, if one was set.
fn explicit_of(
    conn: &mut DbConnection,
    clinician: &str,
    date: Date,
) -> QueryResult<Option<SlotSet>> {
    let raw: Option<String> = availability_dates::table
        .find((clinician, date))
        .select(availability_dates::time_slots)
        .first(conn)
        .optional()?;
    raw.map(|s| parse_slots(&s).map_err(Into::into)).transpose()
}

/// The clinician's patterns, optionally only those whose span touches `from..=to`.
fn patterns_of(
    conn: &mut DbConnection,
    clinician: &str,
    span: Option<(Date, Date)>,
) -> QueryResult<Vec<RecurringPattern>> {
    let mut q = availability_patterns::table
        .filter(availability_patterns::clinician_id.eq(clinician))
        .select(PatternRow::as_select())
        .order((availability_patterns::start_date, availability_patterns::id))
        .into_boxed::<MultiBackend>();
    if let Some((from, to)) = span {
        q = q
            .filter(availability_patterns::start_date.le(to))
            .filter(availability_patterns::end_date.ge(from));
    }
    q.load::<PatternRow>(conn)?
        .into_iter()
        .map(|r| RecurringPattern::try_from(r).map_err(Into::into))
        .collect()
}
