//! The demo organisation: a realistic trust with a few people in each role.
//!
//! Seeding is idempotent: running `demo` again finds what exists and adds only what is missing,
//! so the demo database can be reused between runs.

use commonground_domain::{
    DivisionName, EmailAddress, MinReportingGroup, OdsCode, OrganisationName, OrganisationType,
    PersonName, Region, Role, RoleSet,
};
use commonground_store::organisations::{Organisation, OrganisationFields};

use crate::error::{AppError, AppResult};
use crate::passwords;
use crate::state::AppState;

/// The password every demo account has; the demo is for trying the product, never real data.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// A demo account and what it is for.
pub struct DemoAccount {
    /// Sign-in email.
    pub email: &'static str,
    /// Name shown.
    pub name: &'static str,
    /// What they can do.
    pub role: &'static str,
}

/// The demo accounts, in the order printed.
pub const DEMO_ACCOUNTS: [DemoAccount; 5] = [
    DemoAccount {
        email: "admin@demo.nhs.uk",
        name: "Priya Shah",
        role: "organisation admin",
    },
    DemoAccount {
        email: "clinical.lead@demo.nhs.uk",
        name: "Dr Tom Hughes",
        role: "champion (clinical lead)",
    },
    DemoAccount {
        email: "finance.lead@demo.nhs.uk",
        name: "Aisha Okafor",
        role: "champion (finance business partner)",
    },
    DemoAccount {
        email: "director@demo.nhs.uk",
        name: "Helen Marsh",
        role: "board viewer",
    },
    DemoAccount {
        email: "network@demo.nhs.uk",
        name: "Sam Reid",
        role: "network admin",
    },
];

const DIVISIONS: [&str; 5] = [
    "Surgery",
    "Medicine",
    "Women and children",
    "Clinical support",
    "Finance",
];

fn parse<T>(value: Result<T, commonground_domain::Invalid>) -> AppResult<T> {
    value.map_err(|e| AppError::Internal(format!("demo data: {e}")))
}

/// Creates (or completes) the demo trust, its accounts and its reviews.
pub async fn seed(state: &AppState) -> AppResult<Organisation> {
    let store = &state.store;
    let ods = parse(OdsCode::parse("RDM01"))?;
    let org = if let Some(org) = store.find_organisation_by_ods(&ods).await? {
        org
    } else {
        {
            let name = parse(OrganisationName::parse(
                "Northshire Hospitals NHS Foundation Trust",
            ))?;
            let region = parse(Region::parse("North West"))?;
            let fields = OrganisationFields {
                name: &name,
                ods_code: &ods,
                org_type: OrganisationType::Trust,
                region: &region,
                min_reporting_group: MinReportingGroup::DEFAULT,
                retention_months: commonground_domain::RetentionMonths::DEFAULT,
            };
            store.create_organisation(&fields, None).await?
        }
    };
    let existing: Vec<String> = store
        .list_divisions(org.id)
        .await?
        .into_iter()
        .map(|d| d.name)
        .collect();
    for division in DIVISIONS {
        if !existing.iter().any(|d| d == division) {
            store
                .create_division(org.id, &parse(DivisionName::parse(division))?)
                .await?;
        }
    }
    let hash = passwords::hash(DEMO_PASSWORD.to_owned()).await?;
    for (i, account) in DEMO_ACCOUNTS.iter().enumerate() {
        let email = parse(EmailAddress::parse(account.email))?;
        let user = if let Some(user) = store.find_user_by_email(&email).await? {
            user
        } else {
            let name = parse(PersonName::parse(account.name))?;
            store.create_user(&email, &name, Some(&hash)).await?
        };
        let role = match i {
            0 => Some(Role::OrgAdmin),
            1 | 2 => Some(Role::Champion),
            3 => Some(Role::BoardViewer),
            _ => None,
        };
        match role {
            Some(role) => {
                store
                    .add_member_roles(org.id, user.id, &parse(RoleSet::new([role]))?)
                    .await?;
            }
            None => store.set_network_admin(user.id, true).await?,
        }
    }
    let champion = |email: &str| {
        let email = EmailAddress::parse(email);
        async move {
            let email = parse(email)?;
            store
                .find_user_by_email(&email)
                .await?
                .map(|u| u.id)
                .ok_or_else(|| AppError::Internal("demo champion missing".into()))
        }
    };
    let clinical = champion(DEMO_ACCOUNTS[1].email).await?;
    let finance = champion(DEMO_ACCOUNTS[2].email).await?;
    crate::demo_reviews::seed_reviews(state, &org, clinical, finance).await?;
    Ok(org)
}
