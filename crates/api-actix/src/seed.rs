//! `genascope seed-demo`: the demo clinic (staff, patients, invites in every status, a chat
//! strategy and a completed questionnaire). Part of the binary, not of the library.

use super::{body, operator};
use genascope_api::routes::identity::{create_account_command, create_user_command};
use genascope_api::routes::patients::RawPatient;
use genascope_api::startup::Services;
use genascope_domain::common::Text;
use genascope_domain::common::{AccountId, Clock, UserId, joined};
use genascope_domain::identity::error::IdentityError;
use genascope_domain::identity::model::Role;
use genascope_domain::identity::policy::Principal;
use genascope_domain::invites::error::InviteError;
use genascope_domain::invites::model::{ExpiryDays, IdentityClaim};
use genascope_domain::invites::ports::StrategyChoice;
use genascope_domain::invites::service::{GenerateInvite, InvitedPatient, SimplifiedAccess};
use genascope_domain::patients::model::Patient;
use genascope_domain::questionnaire::sessions::service::StartChat;
use genascope_domain::questionnaire::strategies::model::{NewStrategy, Specialty};
use genascope_domain::questionnaire::{AnswerInput, examples};

/// `genascope seed-demo`: the demo clinic, once (a second run finds it and does nothing).
pub(crate) async fn seed_demo(services: &Services) -> anyhow::Result<()> {
    let identity = &services.state.identity;
    let op = operator();
    let password =
        std::env::var("GENASCOPE_DEMO_PASSWORD").unwrap_or_else(|_| "demo-password-2026".into());
    let demo = create_account_command(&body(serde_json::json!({
        "name": "Demo Clinic",
        "domain": "demo.genascope.test",
        "admin_email": "admin@demo.genascope.test",
        "admin_name": "Avery Admin",
        "admin_password": password,
    })))
    .map_err(|e| anyhow::anyhow!("the demo account: {e}"))?;
    let account = match identity.create_account(&op, demo).await {
        Ok((account, _)) => account,
        Err(IdentityError::Conflict(_)) => {
            println!("The demo clinic already exists (admin@demo.genascope.test); nothing to do.");
            return Ok(());
        }
        Err(e) => anyhow::bail!("could not create the demo account: {e}"),
    };
    let (providers, lab_tech) = seed_staff(services, account.id, &password).await?;
    let patients = seed_patients(services, account.id, &providers).await?;
    seed_chat(services, account.id, &patients).await?;
    let open_link = seed_invites(services, account.id, &providers, &patients).await?;
    let lab_orders = match (providers.first(), lab_tech) {
        (Some(c), Some(t)) => {
            crate::seed_labs::seed_labs(services, account.id, *c, t, &patients).await?
        }
        _ => 0,
    };
    let booked = seed_scheduling(services, &providers, &patients).await?;
    println!("Demo clinic created: {} ({})", account.name, account.id);
    println!(
        "Log in as admin@demo.genascope.test, clinician1@, physician1@ or labtech@demo.genascope.test"
    );
    println!(
        "with the password from GENASCOPE_DEMO_PASSWORD (default: demo-password-2026). 20 patients added;"
    );
    println!(
        "a chat strategy, and a completed questionnaire with its assessment for the youngest patient."
    );
    println!(
        "Invites: 4 pending, 2 accepted, 2 expired, 2 revoked (patients 1 to 10; no email sent)."
    );
    println!(
        "Lab orders: {lab_orders} (ordered, specimen collected, preliminary, reviewed with a report file, awaiting review, cancelled, rejected)."
    );
    println!(
        "Availability: weekdays 09:00-16:30 for 90 days (recurring), an extra Saturday, a closed day; {booked} appointments in several statuses (no email sent)."
    );
    println!(
        "An open invite ({} {}, date of birth {}): {open_link}",
        patients[0].first_name,
        patients[0].last_name,
        patients[0]
            .date_of_birth
            .map(|d| d.to_string())
            .unwrap_or_default()
    );
    Ok(())
}

/// The clinician who sends the demo invites, as a principal (invites name who issued them).
fn sender(account: AccountId, provider: UserId) -> Principal {
    Principal {
        user_id: provider,
        role: Role::Clinician,
        account_id: Some(account),
        ..operator()
    }
}

/// A clock `days` in the past (back-dated demo invites).
struct PastClock(time::Duration);

impl Clock for PastClock {
    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc() - self.0
    }
}

/// Invites of the first ten demo patients, in every status: 4 pending, 2 accepted (through
/// simplified access, with the patient's own details), 2 expired (issued 20 days ago for 14
/// days), 2 revoked. No email is sent. The link of the first pending one.
async fn seed_invites(
    services: &Services,
    account: AccountId,
    providers: &[UserId],
    patients: &[Patient],
) -> anyhow::Result<String> {
    let invites = &services.state.invites;
    let back_dated = invites.with_clock(std::sync::Arc::new(PastClock(time::Duration::days(20))));
    let cmd = |p: &Patient| GenerateInvite {
        patient: InvitedPatient::Existing(p.id),
        provider_id: None,
        strategy: StrategyChoice::AccountDefault,
        custom_message: None,
        send_email: false,
        expiry: ExpiryDays::DEFAULT,
    };
    let fail = |what: &str, e: InviteError| anyhow::anyhow!("demo invite ({what}): {e}");
    let mut open_link = String::new();
    for (i, p) in patients.iter().take(10).enumerate() {
        let by = sender(account, providers[i % providers.len().max(1)]);
        let service = if (6..8).contains(&i) {
            &back_dated
        } else {
            invites
        };
        let issued = service
            .generate(&by, cmd(p))
            .await
            .map_err(|e| fail("generate", e))?;
        match i {
            0 => open_link = issued.invite_url,
            4 | 5 => {
                let token = issued.invite_url.rsplit('/').next().unwrap_or_default();
                invites
                    .simplified_access(SimplifiedAccess {
                        token: token.to_owned(),
                        identity: IdentityClaim {
                            first_name: p.first_name.clone(),
                            last_name: p.last_name.clone(),
                            date_of_birth: p.date_of_birth.unwrap_or(time::Date::MIN),
                        },
                    })
                    .await
                    .map_err(|e| fail("accept", e))?;
            }
            8 | 9 => invites
                .revoke(&by, issued.view.invite.id)
                .await
                .map_err(|e| fail("revoke", e))?,
            _ => {}
        }
    }
    Ok(open_link)
}

/// The demo clinic's staff (all with `password`); the ids of its clinicians and physicians, and
/// of its lab tech.
async fn seed_staff(
    services: &Services,
    account: genascope_domain::common::AccountId,
    password: &str,
) -> anyhow::Result<(Vec<UserId>, Option<UserId>)> {
    let op = operator();
    let staff = [
        (
            "clinician1@demo.genascope.test",
            "Casey Clinician",
            "clinician",
        ),
        (
            "physician1@demo.genascope.test",
            "Pat Physician",
            "physician",
        ),
        ("labtech@demo.genascope.test", "Lee Labtech", "lab_tech"),
    ];
    let identity = &services.state.identity;
    let (mut providers, mut lab_tech) = (Vec::new(), None);
    for (email, name, role) in staff {
        let req = create_user_command(&body(serde_json::json!({
            "email": email,
            "name": name,
            "role": role,
            "password": password,
            "account_id": account.to_string(),
        })))
        .map_err(|e| anyhow::anyhow!("{email}: {e}"))?;
        let user = identity
            .create_user(&op, req)
            .await
            .map_err(|e| anyhow::anyhow!("could not create {email}: {e}"))?;
        if user.role.is_provider() {
            providers.push(user.id);
        }
        if user.role == Role::LabTech {
            lab_tech = Some(user.id);
        }
    }
    Ok((providers, lab_tech))
}

/// Twenty demo patients, spread over the `providers`; their ids with their dates of birth.
async fn seed_patients(
    services: &Services,
    account: genascope_domain::common::AccountId,
    providers: &[UserId],
) -> anyhow::Result<Vec<Patient>> {
    let mut created = Vec::with_capacity(20);
    let (patients, op) = (&services.state.patients, operator());
    let first = [
        "Ada",
        "Grace",
        "Rosalind",
        "Marie",
        "Barbara",
        "Dorothy",
        "Lise",
        "Katherine",
        "Emmy",
        "Chien-Shiung",
    ];
    let last = [
        "Lovelace",
        "Hopper",
        "Franklin",
        "Curie",
        "McClintock",
        "Hodgkin",
        "Meitner",
        "Johnson",
        "Noether",
        "Wu",
    ];
    for i in 0..20usize {
        let input = RawPatient {
            first_name: Some(first[i % 10].into()),
            last_name: Some(format!(
                "{}{}",
                last[(i * 3) % 10],
                if i >= 10 { " II" } else { "" }
            )),
            email: Some(format!("patient{:02}@demo.genascope.test", i + 1)),
            date_of_birth: Some(format!(
                "{}-{:02}-{:02}",
                1950 + i * 2,
                1 + i % 12,
                1 + i % 28
            )),
            external_id: Some(format!("DEMO-{:04}", i + 1)),
            clinician_id: providers
                .get(i % providers.len().max(1))
                .map(ToString::to_string),
            ..RawPatient::default()
        };
        let new = input
            .into_command(patients.today())
            .map_err(|e| anyhow::anyhow!("demo patient {}: {}", i + 1, joined(&e)))?;
        let view = patients
            .create(&op, Some(account), new)
            .await
            .map_err(|e| anyhow::anyhow!("could not create demo patient {}: {e}", i + 1))?;
        created.push(view.patient);
    }
    Ok(created)
}

/// The demo clinic's chat strategy, and one completed questionnaire (with its assessment) for
/// the youngest demo patient: reference journey (a), a woman whose mother had breast cancer at 40
/// and whose maternal aunt had ovarian cancer (NCCN testing indicated), so the clinician's views
/// have something to show.
async fn seed_chat(
    services: &Services,
    account: genascope_domain::common::AccountId,
    patients: &[Patient],
) -> anyhow::Result<()> {
    let op = operator();
    let strategy = services
        .state
        .strategies
        .create(
            &op,
            NewStrategy {
                account_id: Some(account),
                name: demo_text("Hereditary breast and ovarian cancer screening")?,
                description: Some(demo_text(
                    "The family-history questionnaire for the breast clinic's new patients.",
                )?),
                goal: Some(demo_text(
                    "Find who meets NCCN criteria for genetic counselling and testing.",
                )?),
                patient_introduction: Some(demo_text(
                    "Hello! Before your visit at the Demo Clinic, please answer a few questions \
                     about your personal and family history of cancer. It takes about five minutes.",
                )?),
                specialty: Some(Specialty::Genetics),
                is_active: true,
                knowledge_source_ids: Vec::new(),
                targeting_rules: Vec::new(),
                outcome_actions: Vec::new(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("could not create the demo strategy: {e}"))?;
    // The youngest demo patient (born 1988), whose age fits the journey's answers.
    let Some(patient) = patients.last() else {
        return Ok(());
    };
    let born = patient.date_of_birth;
    let chat = &services.state.chat;
    let session = chat
        .start(
            &op,
            StartChat {
                patient_id: Some(patient.id),
                strategy_id: Some(strategy.id),
                ..StartChat::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("could not start the demo questionnaire: {e}"))?;
    let today = services.state.patients.today();
    let age = born.map_or(38, |b| {
        let had_birthday = (today.month(), today.day()) >= (b.month(), b.day());
        today.year() - b.year() - i32::from(!had_birthday)
    });
    let age = age.to_string();
    // Reference journey (a), at the patient's age.
    for (question, answer) in examples::MOTHER_AND_AUNT {
        let answer = if question == 10 { age.as_str() } else { answer };
        chat.answer(
            &op,
            &session.id,
            i64::from(question),
            &AnswerInput::from(answer),
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo questionnaire, question {question}: {e}"))?;
    }
    Ok(())
}

/// A demo text value.
fn demo_text<const MAX: usize, const MULTILINE: bool>(
    s: &str,
) -> anyhow::Result<Text<MAX, MULTILINE>> {
    Text::parse("text", s)
        .ok()
        .flatten()
        .ok_or_else(|| anyhow::anyhow!("a demo text does not fit its field"))
}

/// Availability of both providers (recurring weekdays 09:00 to 16:30 for 90 days; the first
/// provider also an explicit Saturday and a closed weekday) and appointments of patients 11 to
/// 17 in several statuses. No email is sent. The number of appointments.
async fn seed_scheduling(
    services: &Services,
    providers: &[UserId],
    patients: &[Patient],
) -> anyhow::Result<usize> {
    use genascope_domain::scheduling::model::{
        AppointmentStatus as S, SlotSet, SlotTime, Weekdays,
    };
    use genascope_domain::scheduling::service::{
        AppointmentChange, BookAppointment, SetAvailability,
    };
    let scheduling = services.state.scheduling.without_mail();
    let op = operator();
    let fail = |e: genascope_domain::scheduling::error::SchedulingError| {
        anyhow::anyhow!("scheduling: {e}")
    };
    let today = time::OffsetDateTime::now_utc().date();
    let day_times: Vec<String> = (18..34)
        .map(|h| format!("{:02}:{:02}", h / 2, (h % 2) * 30))
        .collect();
    let day = SlotSet::parse(&day_times).map_err(|e| anyhow::anyhow!("{e}"))?;
    for provider in providers {
        let pattern = SetAvailability {
            clinician_id: Some(*provider),
            date: today,
            slots: day.clone(),
            recurring: Some((
                Weekdays::new(vec![0, 1, 2, 3, 4]).map_err(|e| anyhow::anyhow!("{e}"))?,
                today + time::Duration::days(90),
            )),
        };
        scheduling
            .set_availability(&op, pattern)
            .await
            .map_err(fail)?;
    }
    let next = |weekday: time::Weekday, after: i64| {
        let mut d = today + time::Duration::days(after);
        while d.weekday() != weekday {
            d = d.next_day().unwrap_or(d);
        }
        d
    };
    let saturday =
        SlotSet::parse(&["10:00", "10:30", "11:00"]).map_err(|e| anyhow::anyhow!("{e}"))?;
    let explicit = [
        (next(time::Weekday::Saturday, 1), saturday),
        (next(time::Weekday::Friday, 8), SlotSet::default()),
    ];
    for (date, slots) in explicit {
        let cmd = SetAvailability {
            clinician_id: providers.first().copied(),
            date,
            slots,
            recurring: None,
        };
        scheduling.set_availability(&op, cmd).await.map_err(fail)?;
    }
    let plan = [
        S::Scheduled,
        S::Confirmed,
        S::Canceled,
        S::Rescheduled,
        S::Completed,
        S::NoShow,
        S::Scheduled,
    ];
    let monday = next(time::Weekday::Monday, 1);
    let mut booked = 0;
    for (i, (status, patient)) in plan.iter().zip(patients.iter().skip(10)).enumerate() {
        let time = SlotTime::from_minutes(9 * 60 + 30 * u16::try_from(i).unwrap_or(0));
        let cmd = BookAppointment {
            clinician_id: providers.get(i % providers.len().max(1)).copied(),
            patient_id: Some(patient.id),
            date: Some(monday + time::Duration::days(i64::try_from(i % 4).unwrap_or(0))),
            time,
            ..BookAppointment::default()
        };
        let view = scheduling.book(&op, cmd).await.map_err(fail)?;
        let change = match status {
            S::Scheduled => None,
            S::Rescheduled => Some(AppointmentChange {
                time: SlotTime::from_minutes(15 * 60 + 30),
                ..AppointmentChange::default()
            }),
            s => Some(AppointmentChange {
                status: Some(*s),
                reason: Some("Demo".into()),
                ..AppointmentChange::default()
            }),
        };
        if let Some(change) = change {
            scheduling
                .change(&op, view.appointment.id, change)
                .await
                .map_err(fail)?;
        }
        booked += 1;
    }
    Ok(booked)
}
