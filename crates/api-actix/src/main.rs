//! `genascope`: the API server and its operator commands.

use anyhow::Context;
use clap::{Parser, Subcommand};
use genascope_api::body::Body;
use genascope_api::config::Config;
use genascope_api::routes::identity::super_admin_command;
use genascope_api::startup::{Application, Services, build_services};
use genascope_domain::clinical::export::ExportFormat;
use genascope_domain::common::{UserId, joined};
use genascope_domain::identity::model::Role;
use genascope_domain::identity::policy::{AccessType, Principal};

/// mimalloc instead of glibc's allocator: the server allocates and frees on many threads (actix
/// workers, the blocking pool); glibc's malloc/free were 18 % of its samples in the journey on
/// PostgreSQL (issue #8, docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod lab_integration;
mod seed;
mod seed_labs;
use lab_integration::LabIntegrationCommand;
use seed::seed_demo;

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
    /// External labs' webhook integrations: create one (its secret is printed once), rotate its
    /// secret, or disable it. Needs LAB_SECRET_KEY.
    LabIntegration {
        #[command(subcommand)]
        command: LabIntegrationCommand,
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
    /// Draw a RiskProfile (JSON, from FILE or stdin) as a pedigree (SVG on stdout, standard
    /// NSGC nomenclature). Needs no database and no configuration. Invalid profile: the field
    /// errors on stderr, exit 2.
    Pedigree {
        /// The RiskProfile JSON file (default: stdin).
        file: Option<std::path::PathBuf>,
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

/// `genascope pedigree [FILE]`: see [`Command::Pedigree`]. Exits with code 2 when the profile
/// is invalid.
fn pedigree_command(file: Option<&std::path::Path>) -> anyhow::Result<()> {
    use std::io::Write;
    let bytes = read_profile(open_input(file)?)?;
    match export_profile(&bytes) {
        Ok(profile) => {
            let svg = genascope_domain::clinical::pedigree::drawing::render_svg(&profile);
            let mut out = std::io::stdout().lock();
            writeln!(out, "{svg}")?;
            out.flush()?;
            Ok(())
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            std::process::exit(2);
        }
    }
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
    telemetry: Option<genascope_api::telemetry::Telemetry>,
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
    // After the last request: its span is exported before the process exits.
    if let Some(telemetry) = telemetry {
        telemetry.shutdown().await;
    }
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
    // So are `pedigree` and `export`.
    if let Some(Command::Pedigree { file }) = &cli.command {
        return pedigree_command(file.as_deref());
    }
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
    // Request spans are exported only by a serving process, and only when an endpoint is set.
    let telemetry = match (&cli.command, &config.otel) {
        (None | Some(Command::Serve), Some(otel)) => Some(
            genascope_api::telemetry::Telemetry::start(otel)
                .context("OpenTelemetry trace export")?,
        ),
        _ => None,
    };
    let protocol_errors = genascope_api::logging::init(config.json_logs, telemetry.as_ref());
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&config, protocol_errors, telemetry).await?,
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
        Command::LabIntegration { command } => {
            let services = build_services(&config).await?;
            let done = lab_integration::run(&services, command).await;
            services.close().await;
            done?;
        }
        // Handled above, before the configuration is read.
        Command::Assess { .. } | Command::Export { .. } | Command::Pedigree { .. } => {}
    }
    Ok(())
}
