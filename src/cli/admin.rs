//! `admin`: tasks for whoever runs the service, without going through the web pages.

use std::path::Path;

use clap::Subcommand;
use commonground_domain::{
    EmailAddress, MinReportingGroup, NewPassword, OdsCode, OrganisationName, OrganisationType,
    PersonName, Region,
};
use commonground_store::Store;
use commonground_store::organisations::OrganisationFields;

use super::{DatabaseArgs, ServerArgs, load_config};

/// Administrative tasks.
#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create an account. Prints a generated password unless COMMONGROUND_NEW_PASSWORD is set.
    CreateUser {
        /// Their email address.
        #[arg(long)]
        email: String,
        /// Their full name.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Make an existing account a network admin (who adds organisations).
    MakeNetworkAdmin {
        /// The account's email address.
        #[arg(long)]
        email: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Add an organisation, optionally making an existing account its organisation admin.
    CreateOrganisation {
        /// Its name.
        #[arg(long)]
        name: String,
        /// Its ODS code, like RX1.
        #[arg(long)]
        ods_code: String,
        /// trust, health_board, integrated_care_board or other.
        #[arg(long, default_value = "trust")]
        org_type: String,
        /// NHS region or nation.
        #[arg(long, default_value = "")]
        region: String,
        /// Email of an existing account to make its organisation admin.
        #[arg(long)]
        admin_email: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

async fn open(config_file: Option<&Path>, database: DatabaseArgs) -> Result<Store, String> {
    let config = load_config(
        config_file,
        &ServerArgs {
            bind: None,
            database,
        },
    )?;
    let store = Store::connect(config.database_url.expose())
        .await
        .map_err(|e| e.to_string())?;
    store.migrate().await.map_err(|e| e.to_string())?;
    Ok(store)
}

fn checked<T>(what: &str, result: Result<T, commonground_domain::Invalid>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: {e}"))
}

/// Runs one admin task.
pub async fn run(config_file: Option<&Path>, command: AdminCommand) -> Result<(), String> {
    match command {
        AdminCommand::CreateUser {
            email,
            name,
            database,
        } => {
            let email = checked("email", EmailAddress::parse(&email))?;
            let name = checked("name", PersonName::parse(&name))?;
            let (password, generated) = if let Ok(p) = std::env::var("COMMONGROUND_NEW_PASSWORD") {
                (checked("password", NewPassword::parse(&p))?, false)
            } else {
                let p = commonground_store::NewSecret::generate("").token;
                (checked("password", NewPassword::parse(&p[..20]))?, true)
            };
            let store = open(config_file, database).await?;
            let hash = commonground_web::passwords::hash(password.expose().to_owned())
                .await
                .map_err(|e| e.to_string())?;
            let user = store
                .create_user(&email, &name, Some(&hash))
                .await
                .map_err(|e| e.to_string())?;
            println!("Created account {} for {}", user.id, user.email);
            if generated {
                println!(
                    "Password: {} (ask them to change it on their account page)",
                    password.expose()
                );
            }
            store.close().await;
        }
        AdminCommand::MakeNetworkAdmin { email, database } => {
            let email = checked("email", EmailAddress::parse(&email))?;
            let store = open(config_file, database).await?;
            let user = store
                .find_user_by_email(&email)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("there is no account for {email}"))?;
            store
                .set_network_admin(user.id, true)
                .await
                .map_err(|e| e.to_string())?;
            println!("{email} is now a network admin");
            store.close().await;
        }
        AdminCommand::CreateOrganisation {
            name,
            ods_code,
            org_type,
            region,
            admin_email,
            database,
        } => {
            let name = checked("name", OrganisationName::parse(&name))?;
            let ods_code = checked("ODS code", OdsCode::parse(&ods_code))?;
            let org_type = checked("type", OrganisationType::parse(&org_type))?;
            let region = checked("region", Region::parse(&region))?;
            let admin_email = admin_email
                .map(|e| checked("admin email", EmailAddress::parse(&e)))
                .transpose()?;
            let store = open(config_file, database).await?;
            let admin = match &admin_email {
                Some(email) => Some(
                    store
                        .find_user_by_email(email)
                        .await
                        .map_err(|e| e.to_string())?
                        .ok_or_else(|| format!("there is no account for {email}: create it first"))?
                        .id,
                ),
                None => None,
            };
            let fields = OrganisationFields {
                name: &name,
                ods_code: &ods_code,
                org_type,
                region: &region,
                min_reporting_group: MinReportingGroup::DEFAULT,
                retention_months: commonground_domain::RetentionMonths::DEFAULT,
            };
            let org = store
                .create_organisation(&fields, admin)
                .await
                .map_err(|e| e.to_string())?;
            println!("Created organisation {} ({})", org.id, org.ods_code);
            store.close().await;
        }
    }
    Ok(())
}
