//! `genascope`: the API server and its operator commands.

use anyhow::Context;
use clap::{Parser, Subcommand};
use genascope_api::body::Body;
use genascope_api::config::Config;
use genascope_api::routes::identity::{
    create_account_command, create_user_command, super_admin_command,
};
use genascope_api::routes::patients::RawPatient;
use genascope_api::startup::{Application, Services, build_services};
use genascope_domain::clinical::export::ExportFormat;
use genascope_domain::common::Text;
use genascope_domain::common::{AccountId, Clock, UserId, joined};
use genascope_domain::identity::error::IdentityError;
use genascope_domain::identity::model::Role;
use genascope_domain::identity::policy::{AccessType, Principal};
use genascope_domain::invites::error::InviteError;
use genascope_domain::invites::model::{ExpiryDays, IdentityClaim};
use genascope_domain::invites::ports::StrategyChoice;
use genascope_domain::invites::service::{GenerateInvite, InvitedPatient, SimplifiedAccess};
use genascope_domain::patients::model::Patient;
use genascope_domain::questionnaire::sessions::service::StartChat;
use genascope_domain::questionnaire::strategies::model::{NewStrategy, Specialty};
use genascope_domain::questionnaire::{AnswerInput, examples};

#[derive(Parser)]
#[command(
    name = "genascope",
    version,
    about = "Hereditary cancer risk screening backend"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a platform operator. The password comes from GENASCOPE_ADMIN_PASSWORD, else a prompt.
    CreateSuperAdmin {
        /// Login email.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
    },
    /// Create a demo clinic (admin, two clinicians, a lab tech, 20 patients, invites in every
    /// status). Development only.
    SeedDemo,
    /// The outbox of messages leaving the process (mail): list them, or retry a dead one.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Assess a RiskProfile (JSON) from FILE or stdin and print the Assessment (JSON) to stdout.
    /// Needs no database and no configuration. Invalid input: field errors on stderr, exit 2.
    Assess {
        /// The RiskProfile JSON file (default: stdin).
        file: Option<std::path::PathBuf>,
        /// JSON Lines: one profile per line in; one Assessment, or `{"line": n, "errors": [...]}`,
        /// per line out, in order (blank lines are skipped). Progress every 10,000 lines on
        /// stderr; exit 2 if any line was invalid.
        #[arg(long)]
        batch: bool,
    },
    /// Write a RiskProfile (JSON, from FILE or stdin) as a pedigree file for a licensed risk tool:
    /// the file on stdout, the notes (what blocks computation, what was estimated, defaulted or
    /// left out) on stderr. Needs no database and no configuration. Invalid profile or a profile
    /// the format cannot hold: the reasons on stderr, exit 2.
    Export {
        /// `canrisk4` (CanRisk v4 pedigree file, canrisk.org) or `ibis8` (IBIS v8 batch file).
        #[arg(long, value_parser = parse_format)]
        format: ExportFormat,
        /// The RiskProfile JSON file (default: stdin).
        file: Option<std::path::PathBuf>,
        /// Family id / IBIS record id: 1-8 letters, digits or `_`. Never a name or a record
        /// number that identifies the patient.
        #[arg(long, default_value = "FAM1")]
        family_id: String,
        /// Year the ages refer to (years of birth = year - age). Default: the current year.
        #[arg(long)]
        reference_year: Option<i32>,
        /// CanRisk: estimate the missing age and year of birth of affected relatives (CanRisk
        /// refuses the file without them); every estimate is listed in the notes.
        #[arg(long)]
        estimate_missing: bool,
        /// CanRisk: write the UK ethnicity line (only when CanRisk will use UK incidence rates).
        #[arg(long)]
        uk_ethnicity: bool,
        /// ibis8 only: JSON Lines in (one profile per line), one IBIS batch file out, records
        /// named `<family-id>_<line>`. A line that cannot be written is left out and named on
        /// stderr (exit 2); blank lines are skipped.
        #[arg(long)]
        batch: bool,
    },
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// Undelivered messages (pending, retrying, dead), newest first: id, kind, status, attempts,
    /// next attempt, last error class. Never a recipient or a body.
    List {
        /// Delivered messages too (kept 7 days).
        #[arg(long)]
        all: bool,
        /// At most this many rows.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Make a dead (or still retrying) message due again now, with a fresh set of attempts. A
    /// running server delivers it within its poll interval (`OUTBOX_POLL_SECONDS`).
    Retry {
        /// The message id (from `genascope outbox list`).
        id: uuid::Uuid,
    },
}

fn parse_format(raw: &str) -> Result<ExportFormat, String> {
    ExportFormat::parse(raw).ok_or_else(|| {
        let all: Vec<&str> = ExportFormat::ALL.iter().map(|f| f.as_str()).collect();
        format!("expected one of: {}", all.join(", "))
    })
}

/// The console operator acts with super_admin rights.
fn operator() -> Principal {
    Principal {
        user_id: UserId(uuid::Uuid::nil()),
        role: Role::SuperAdmin,
        account_id: None,
        access: AccessType::Full,
        jti: String::new(),
        token_exp: 0,
        session: None,
        grant: None,
    }
}

/// A JSON object as a request body, to build commands as the routes do.
fn body(value: serde_json::Value) -> Body {
    match value {
        serde_json::Value::Object(map) => Body(map),
        _ => Body::default(),
    }
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(pw) = std::env::var("GENASCOPE_ADMIN_PASSWORD") {
        return Ok(pw);
    }
    eprint!(
        "Password for the new super admin (input is visible; set GENASCOPE_ADMIN_PASSWORD to avoid the prompt): "
    );
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn seed_demo(services: &Services) -> anyhow::Result<()> {
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
    let providers = seed_staff(services, account.id, &password).await?;
    let patients = seed_patients(services, account.id, &providers).await?;
    seed_chat(services, account.id, &patients).await?;
    let open_link = seed_invites(services, account.id, &providers, &patients).await?;
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

/// The demo clinic's staff (all with `password`); the ids of its clinicians and physicians.
async fn seed_staff(
    services: &Services,
    account: genascope_domain::common::AccountId,
    password: &str,
) -> anyhow::Result<Vec<UserId>> {
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
    let mut providers = Vec::new();
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
    }
    Ok(providers)
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

/// `genascope assess [FILE] [--batch]`: see [`Command::Assess`]. Exits with code 2 on invalid
/// input.
fn assess_command(file: Option<&std::path::Path>, batch: bool) -> anyhow::Result<()> {
    let input = open_input(file)?;
    let now = time::OffsetDateTime::now_utc();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if batch {
        assess_batch(input, now, &mut out)
    } else {
        assess_one(input, now, &mut out)
    }
}

/// `FILE`, or standard input.
fn open_input(file: Option<&std::path::Path>) -> anyhow::Result<Box<dyn std::io::Read>> {
    Ok(match file {
        Some(path) => Box::new(
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?,
        ),
        None => Box::new(std::io::stdin().lock()),
    })
}

/// The whole input: one profile.
fn read_profile(input: Box<dyn std::io::Read>) -> anyhow::Result<Vec<u8>> {
    use std::io::{BufReader, Read};
    let mut bytes = Vec::new();
    BufReader::new(input)
        .read_to_end(&mut bytes)
        .context("reading the profile")?;
    Ok(bytes)
}

/// One profile in, one pretty-printed assessment out.
fn assess_one(
    input: Box<dyn std::io::Read>,
    now: time::OffsetDateTime,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    use genascope_domain::clinical::assess::assess_json;
    let bytes = read_profile(input)?;
    match assess_json(&bytes, now) {
        Ok(a) => {
            serde_json::to_writer_pretty(&mut *out, &a)?;
            writeln!(out)?;
            out.flush()?;
            Ok(())
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e} ({})", e.kind);
            }
            std::process::exit(2);
        }
    }
}

/// JSON lines in, one output line per profile line, assessed in chunks across the cores.
fn assess_batch(
    input: Box<dyn std::io::Read>,
    now: time::OffsetDateTime,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    use std::io::BufReader;
    const CHUNK: usize = 10_000;
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut reader = BufReader::new(input);
    let (mut lines_read, mut invalid) = (0usize, 0usize);
    loop {
        let chunk = read_chunk(&mut reader, CHUNK)?;
        if chunk.is_empty() {
            break;
        }
        let results = assess_chunk(&chunk, lines_read + 1, threads, now)?;
        for (text, ok) in results.into_iter().flatten() {
            invalid += usize::from(!ok);
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")?;
        }
        lines_read += chunk.len();
        if chunk.len() == CHUNK {
            eprintln!("assess: {lines_read} lines");
        }
    }
    out.flush()?;
    eprintln!("assess: {lines_read} lines read, {invalid} invalid");
    if invalid > 0 {
        std::process::exit(2);
    }
    Ok(())
}

/// Up to `max` lines (fewer at the end of the input).
fn read_chunk(reader: &mut impl std::io::BufRead, max: usize) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut chunk: Vec<Vec<u8>> = Vec::with_capacity(max);
    while chunk.len() < max {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).context("reading")? == 0 {
            break;
        }
        chunk.push(line);
    }
    Ok(chunk)
}

/// The lines of `chunk` (the first is line `first` of the input) assessed on `threads` threads,
/// in order.
fn assess_chunk(
    chunk: &[Vec<u8>],
    first: usize,
    threads: usize,
    now: time::OffsetDateTime,
) -> anyhow::Result<Vec<Option<(String, bool)>>> {
    let per = chunk.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = chunk
            .chunks(per)
            .enumerate()
            .map(|(k, part)| {
                s.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(j, l)| assess_line(first + k * per + j, l, now))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all = Vec::with_capacity(chunk.len());
        for h in handles {
            all.extend(
                h.join()
                    .map_err(|_| anyhow::anyhow!("an assessment thread panicked"))?,
            );
        }
        anyhow::Ok(all)
    })
}

/// One line -> one output line and whether it was valid (None for a blank line).
fn assess_line(n: usize, line: &[u8], now: time::OffsetDateTime) -> Option<(String, bool)> {
    use genascope_domain::clinical::assess::assess_json;
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some(match assess_json(line, now) {
        Ok(a) => (serde_json::to_string(&a).unwrap_or_default(), true),
        Err(errors) => (
            format!(
                "{{\"line\":{n},\"errors\":{}}}",
                serde_json::to_string(&errors).unwrap_or_else(|_| "[]".to_owned())
            ),
            false,
        ),
    })
}

/// The profile in `bytes`, parsed leniently and validated as the API does; the field errors
/// (their paths, without the API's `body.` location) otherwise.
fn export_profile(
    bytes: &[u8],
) -> Result<genascope_domain::clinical::profile::RiskProfile, Vec<String>> {
    use genascope_domain::clinical::assess::to_field_errors;
    use genascope_domain::clinical::profile::RiskProfile;
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| vec![format!("the input is not JSON ({e})")])?;
    RiskProfile::parse_and_validate(&value).map_err(|errors| {
        to_field_errors(&errors)
            .iter()
            .map(|e| format!("{e} ({})", e.kind))
            .collect()
    })
}

/// `genascope export --format F [FILE]`: see [`Command::Export`]. Exits with code 2 when the
/// profile is invalid or the format cannot hold it.
fn export_command(
    format: ExportFormat,
    file: Option<&std::path::Path>,
    opts: &genascope_domain::clinical::export::ExportOptions,
    batch: bool,
) -> anyhow::Result<()> {
    use genascope_domain::clinical::export::check_family_id;
    let input = open_input(file)?;
    if let Err(e) = check_family_id(&opts.family_id) {
        fail(&[e.to_string().replacen("family_id:", "--family-id", 1)]);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if batch {
        export_batch(input, format, opts, &mut out)
    } else {
        export_one(input, format, opts, &mut out)
    }
}

/// Prints each line as an error and exits with code 2.
fn fail(lines: &[String]) -> ! {
    for l in lines {
        eprintln!("error: {l}");
    }
    std::process::exit(2);
}

/// One profile in, one file out; the notes on standard error.
fn export_one(
    input: Box<dyn std::io::Read>,
    format: ExportFormat,
    opts: &genascope_domain::clinical::export::ExportOptions,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    use genascope_domain::clinical::export::export;
    let bytes = read_profile(input)?;
    let profile = export_profile(&bytes).unwrap_or_else(|errors| fail(&errors));
    let written = export(&profile, format, opts)
        .unwrap_or_else(|e| fail(&[format!("{format} cannot hold this profile: {e}")]));
    out.write_all(written.content.as_bytes())?;
    out.flush()?;
    for n in &written.notes {
        eprintln!("note: {n}");
    }
    Ok(())
}

/// JSON lines in, one IBIS batch file out: a record per valid line, the others refused.
fn export_batch(
    input: Box<dyn std::io::Read>,
    format: ExportFormat,
    opts: &genascope_domain::clinical::export::ExportOptions,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    use genascope_domain::clinical::export::{ibis_v8_file, ibis_v8_record};
    use std::io::{BufRead, BufReader};
    if format != ExportFormat::Ibis8 {
        fail(&[format!(
            "--batch writes one IBIS batch file (--format ibis8); a {format} file holds one family"
        )]);
    }
    if opts.estimate_missing || opts.uk_ethnicity {
        eprintln!(
            "note: --estimate-missing and --uk-ethnicity have no effect on IBIS files (IBIS takes \
             unknown ages as -99 and has no ethnicity field)."
        );
    }
    let mut records = Vec::new();
    let mut refused = 0usize;
    for (i, line) in BufReader::new(input).split(b'\n').enumerate() {
        let line = line.context("reading")?;
        let n = i + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record_id = format!("{}_{n}", opts.family_id);
        let written = export_profile(&line)
            .map_err(|errors| errors.join("; "))
            .and_then(|p| ibis_v8_record(&p, &record_id).map_err(|e| e.to_string()));
        match written {
            Ok(r) => {
                for note in &r.notes {
                    eprintln!("note: line {n} ({record_id}): {note}");
                }
                records.push(r.content);
            }
            Err(e) => {
                refused += 1;
                eprintln!("error: line {n}: not written: {e}");
            }
        }
    }
    out.write_all(ibis_v8_file(&records).as_bytes())?;
    out.flush()?;
    eprintln!(
        "export: {} records written, {refused} lines refused",
        records.len()
    );
    if refused > 0 {
        std::process::exit(2);
    }
    Ok(())
}

/// `genascope outbox list|retry`: see [`OutboxCommand`].
async fn outbox_command(services: &Services, command: OutboxCommand) -> anyhow::Result<()> {
    use genascope_domain::common::RepoError;
    let db = &services.state.db;
    let now = time::OffsetDateTime::now_utc();
    let stamp = |t: time::OffsetDateTime| {
        t.replace_nanosecond(0)
            .unwrap_or(t)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    match command {
        OutboxCommand::List { all, limit } => {
            let counts = db
                .outbox_counts()
                .await
                .map_err(|e| anyhow::anyhow!("reading the outbox: {e}"))?;
            let rows = db
                .outbox_list(all, limit, now)
                .await
                .map_err(|e| anyhow::anyhow!("reading the outbox: {e}"))?;
            println!(
                "{:<36}  {:<6}  {:<8}  {:>8}  {:<20}  LAST ERROR",
                "ID", "KIND", "STATUS", "ATTEMPTS", "NEXT ATTEMPT"
            );
            for r in &rows {
                println!(
                    "{:<36}  {:<6}  {:<8}  {:>8}  {:<20}  {}",
                    r.id,
                    r.kind,
                    r.status.as_str(),
                    r.attempts,
                    r.next_attempt_at.map(stamp).unwrap_or_else(|| "-".into()),
                    r.last_error.as_deref().unwrap_or("-"),
                );
            }
            println!(
                "{} pending, {} dead{}",
                counts.pending,
                counts.dead,
                if counts.dead > 0 {
                    " (genascope outbox retry ID makes a dead message due again)"
                } else {
                    ""
                }
            );
            Ok(())
        }
        OutboxCommand::Retry { id } => match db.outbox_retry(id, now).await {
            Ok(()) => {
                println!("Message {id} is due again now.");
                Ok(())
            }
            Err(RepoError::NotFound) => {
                anyhow::bail!("no undelivered message {id} (see genascope outbox list)")
            }
            Err(e) => Err(anyhow::anyhow!("retrying {id}: {e}")),
        },
    }
}

/// Operator-facing errors: one readable line (the causes joined), no backtrace, exit code 1.
fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `genascope serve`: the API until SIGTERM, with a banner saying where it listens.
async fn serve(
    config: &Config,
    protocol_errors: genascope_api::logging::ProtocolErrors,
) -> anyhow::Result<()> {
    let (app, services) = Application::build(config).await?;
    let base = format!("http://{}:{}", config.host, app.port());
    // The banner is best effort: `println!` panics when stdout is closed (a supervisor that read
    // the first line and went away), which would take the server down.
    let mut banner = format!(
        "genascope listening on {base}\n  API docs:     {base}/docs/\n  health:       {base}/health\n"
    );
    if let Some(dir) = &services.outbox_dir {
        banner.push_str(&format!("  mail outbox:  {}\n", dir.display()));
    }
    banner.push_str("  first admin:  GENASCOPE_ADMIN_PASSWORD=... genascope create-super-admin --email you@example.org --name \"Your Name\"\n");
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    }
    protocol_errors.spawn_reporter();
    app.run_until_signalled().await?;
    services.close().await;
    Ok(())
}

/// `genascope create-super-admin`: the password from the environment or a prompt.
async fn create_super_admin(
    services: &Services,
    email: &str,
    name: &str,
) -> anyhow::Result<genascope_domain::identity::model::User> {
    let password = read_password()?;
    let req = super_admin_command(email, name, &password)
        .map_err(|e| anyhow::anyhow!("could not create the super admin: {}", joined(&e)))?;
    services
        .state
        .identity
        .create_super_admin(req)
        .await
        .map_err(|e| anyhow::anyhow!("could not create the super admin: {e}"))
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // `assess` is a pure computation: it runs before (and without) any configuration.
    if let Some(Command::Assess { file, batch }) = &cli.command {
        return assess_command(file.as_deref(), *batch);
    }
    // So is `export`.
    if let Some(Command::Export {
        format,
        file,
        family_id,
        reference_year,
        estimate_missing,
        uk_ethnicity,
        batch,
    }) = &cli.command
    {
        let opts = genascope_domain::clinical::export::ExportOptions {
            family_id: family_id.clone(),
            reference_year: reference_year
                .unwrap_or_else(|| time::OffsetDateTime::now_utc().year()),
            estimate_missing: *estimate_missing,
            uk_ethnicity: *uk_ethnicity,
        };
        return export_command(*format, file.as_deref(), &opts, *batch);
    }
    let config = Config::from_env().context("configuration")?;
    let protocol_errors = genascope_api::logging::init(config.json_logs);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&config, protocol_errors).await?,
        Command::Migrate => {
            build_services(&config).await?.close().await;
            println!("Migrations are up to date.");
        }
        Command::CreateSuperAdmin { email, name } => {
            let services = build_services(&config).await?;
            let created = create_super_admin(&services, &email, &name).await;
            // Every one-shot command closes its pool before it returns, success or not.
            services.close().await;
            let user = created?;
            println!("Super admin {} created ({}).", user.email, user.id);
        }
        Command::SeedDemo => {
            anyhow::ensure!(
                config.env == genascope_api::config::AppEnv::Development,
                "seed-demo refuses to run with APP_ENV=production"
            );
            let services = build_services(&config).await?;
            let seeded = seed_demo(&services).await;
            services.close().await;
            seeded?;
        }
        Command::Outbox { command } => {
            let services = build_services(&config).await?;
            let done = outbox_command(&services, command).await;
            services.close().await;
            done?;
        }
        // Handled above, before the configuration is read.
        Command::Assess { .. } | Command::Export { .. } => {}
    }
    Ok(())
}
