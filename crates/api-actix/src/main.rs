//! `genascope`: the API server and its operator commands.

use anyhow::Context;
use clap::{Parser, Subcommand};
use genascope_api::config::Config;
use genascope_api::startup::{Application, build_services};
use genascope_domain::common::{DomainError, UserId};
use genascope_domain::identity::model::Role;
use genascope_domain::identity::policy::{AccessType, Principal};
use genascope_domain::identity::service::{CreateAccount, CreateUser};
use genascope_domain::patients::service::PatientInput;

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
    /// Create a demo clinic (admin, two clinicians, a lab tech, 20 patients). Development only.
    SeedDemo,
}

fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if json {
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
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
    }
}

fn describe(e: &DomainError) -> String {
    match e {
        DomainError::Validation(errors) => errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
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

async fn seed_demo(config: &Config) -> anyhow::Result<()> {
    anyhow::ensure!(
        config.env == genascope_api::config::AppEnv::Development,
        "seed-demo refuses to run with APP_ENV=production"
    );
    let services = build_services(config).await?;
    let (identity, patients) = (&services.state.identity, &services.state.patients);
    let op = operator();
    let password =
        std::env::var("GENASCOPE_DEMO_PASSWORD").unwrap_or_else(|_| "demo-password-2026".into());
    let created = identity
        .create_account(
            &op,
            CreateAccount {
                name: Some("Demo Clinic".into()),
                domain: Some("demo.genascope.test".into()),
                admin_email: Some("admin@demo.genascope.test".into()),
                admin_name: Some("Avery Admin".into()),
                admin_password: Some(password.clone()),
                admin_confirm_password: None,
            },
        )
        .await;
    let account = match created {
        Ok((account, _)) => account,
        Err(DomainError::Conflict(_)) => {
            println!("The demo clinic already exists (admin@demo.genascope.test); nothing to do.");
            return Ok(());
        }
        Err(e) => anyhow::bail!("could not create the demo account: {}", describe(&e)),
    };
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
    let mut providers = Vec::new();
    for (email, name, role) in staff {
        let user = identity
            .create_user(
                &op,
                CreateUser {
                    email: Some(email.into()),
                    name: Some(name.into()),
                    role: Some(role.into()),
                    password: Some(password.clone()),
                    account_id: Some(account.id),
                    ..CreateUser::default()
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("could not create {email}: {}", describe(&e)))?;
        if user.role.is_provider() {
            providers.push(user.id);
        }
    }
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
        let input = PatientInput {
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
            ..PatientInput::default()
        };
        patients
            .create(&op, Some(account.id), input)
            .await
            .map_err(|e| {
                anyhow::anyhow!("could not create demo patient {}: {}", i + 1, describe(&e))
            })?;
    }
    println!("Demo clinic created: {} ({})", account.name, account.id);
    println!(
        "Log in as admin@demo.genascope.test, clinician1@, physician1@ or labtech@demo.genascope.test"
    );
    println!(
        "with the password from GENASCOPE_DEMO_PASSWORD (default: demo-password-2026). 20 patients added."
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::from_env().context("configuration")?;
    init_logging(config.json_logs);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let (app, services) = Application::build(&config).await?;
            let base = format!("http://{}:{}", config.host, app.port());
            println!("genascope listening on {base}");
            println!("  API docs:     {base}/docs/");
            println!("  health:       {base}/health");
            if let Some(dir) = &services.outbox_dir {
                println!("  mail outbox:  {}", dir.display());
            }
            println!(
                "  first admin:  GENASCOPE_ADMIN_PASSWORD=... genascope create-super-admin --email you@example.org --name \"Your Name\""
            );
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            build_services(&config).await?;
            println!("Migrations are up to date.");
        }
        Command::CreateSuperAdmin { email, name } => {
            let services = build_services(&config).await?;
            let password = read_password()?;
            match services
                .state
                .identity
                .create_super_admin(&email, &name, &password)
                .await
            {
                Ok(user) => println!("Super admin {} created ({}).", user.email, user.id),
                Err(e) => anyhow::bail!("could not create the super admin: {}", describe(&e)),
            }
        }
        Command::SeedDemo => seed_demo(&config).await?,
    }
    Ok(())
}
