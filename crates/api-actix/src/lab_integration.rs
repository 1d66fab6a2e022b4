//! `genascope lab-integration create|rotate-secret|disable`: the operator's side of external
//! labs (contract §3.8 webhook). A secret is printed once, at creation or rotation, and stored
//! sealed with `LAB_SECRET_KEY`.

use clap::Subcommand;
use genascope_api::startup::Services;
use genascope_domain::common::{AccountId, LabIntegrationId, joined};
use genascope_domain::labs::error::LabError;
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
    }
    Ok(())
}
