//! `genascope lab-integration create|rotate-secret|disable|list`: the operator's side of
//! external labs (contract §3.8 webhook). A secret is printed once, at creation or rotation, and
//! stored sealed with `LAB_SECRET_KEY`; `list` never prints one.

use clap::Subcommand;
use genascope_api::startup::Services;
use genascope_domain::common::{AccountId, LabIntegrationId, joined};
use genascope_domain::labs::error::LabError;
use genascope_domain::labs::model::LabIntegration;
use genascope_domain::labs::service::IssuedSecret;

/// What to do with a lab integration.
#[derive(Subcommand)]
pub enum LabIntegrationCommand {
    /// A new active integration serving the given accounts; prints its id and secret once.
    Create {
        /// Display name (1..100 characters).
        #[arg(long)]
        name: String,
        /// An account whose orders the lab may update (repeat for several).
        #[arg(long = "account", required = true)]
        accounts: Vec<uuid::Uuid>,
    },
    /// A new secret; the old one stops working at once. Prints the new secret once.
    RotateSecret {
        /// The integration id.
        id: uuid::Uuid,
    },
    /// Refuse every call of this integration from now on.
    Disable {
        /// The integration id.
        id: uuid::Uuid,
    },
    /// Every integration: id, name, accounts served, active, created (never the secret).
    List,
}

fn readable(e: LabError) -> anyhow::Error {
    match e {
        LabError::Invalid(errors) => anyhow::anyhow!("{}", joined(&errors)),
        LabError::NotFound(what) => anyhow::anyhow!("{what} not found"),
        LabError::Unexpected(cause) | LabError::Unavailable(cause) => {
            anyhow::anyhow!("{cause} (is LAB_SECRET_KEY set, and the database reachable?)")
        }
        other => anyhow::anyhow!("{other}"),
    }
}

fn print_secret(issued: &IssuedSecret) {
    let i = &issued.integration;
    println!("Lab integration {} ({})", i.id, i.name);
    println!("  X-Lab-Id: {}", i.id);
    println!("  secret:   {}", issued.secret);
    println!("The secret is shown only now: hand it to the lab over a secure channel.");
}

/// The list as a table: one line per integration (id, active, created, name, accounts
/// comma-separated); a header, or a sentence when there is none. No secret, sealed or not.
fn listing(all: &[LabIntegration]) -> String {
    if all.is_empty() {
        return "No lab integrations.\n".to_owned();
    }
    let mut out = format!(
        "{:<36}  {:<6}  {:<20}  {}  {}\n",
        "ID", "ACTIVE", "CREATED", "NAME", "ACCOUNTS"
    );
    for i in all {
        let accounts: Vec<String> = i.accounts.iter().map(ToString::to_string).collect();
        let created = i
            .created_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        out.push_str(&format!(
            "{:<36}  {:<6}  {:<20}  {}  {}\n",
            i.id,
            if i.active { "yes" } else { "no" },
            created,
            i.name,
            accounts.join(",")
        ));
    }
    out
}

/// Run one lab-integration command.
pub async fn run(services: &Services, command: LabIntegrationCommand) -> anyhow::Result<()> {
    let labs = &services.state.labs;
    match command {
        LabIntegrationCommand::Create { name, accounts } => {
            let accounts = accounts.into_iter().map(AccountId).collect();
            let issued = labs
                .create_integration(&name, accounts)
                .await
                .map_err(readable)?;
            print_secret(&issued);
        }
        LabIntegrationCommand::RotateSecret { id } => {
            let issued = labs
                .rotate_secret(LabIntegrationId(id))
                .await
                .map_err(readable)?;
            print_secret(&issued);
        }
        LabIntegrationCommand::Disable { id } => {
            let i = labs
                .disable_integration(LabIntegrationId(id))
                .await
                .map_err(readable)?;
            println!("Lab integration {} ({}) is disabled.", i.id, i.name);
        }
        LabIntegrationCommand::List => {
            let all = labs.list_integrations().await.map_err(readable)?;
            print!("{}", listing(&all));
        }
    }
    Ok(())
}
