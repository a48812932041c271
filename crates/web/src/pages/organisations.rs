//! Organisations: the list, adding one (network admins), the overview, settings and divisions.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use commonground_domain::{DivisionId, DivisionName, OrganisationType, RetentionMonths, Role};
use commonground_store::divisions::Division;
use commonground_store::organisations::Organisation;

use super::{Chrome, invalid, ok, see_other};
use crate::audit::{self, Action};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, OrgAdmin, OrgMember, SignedIn};
use crate::forms::FormErrors;
use crate::inputs::{NumberText, OrganisationInput};
use crate::state::AppState;

/// The list of organisations the person may see.
#[derive(Template)]
#[template(path = "pages/organisations.html")]
pub struct OrganisationsPage {
    chrome: Chrome,
    organisations: Vec<Organisation>,
    is_network_admin: bool,
}

/// A radio option.
pub struct TypeOption {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

/// Adding an organisation, or changing its settings.
#[derive(Template)]
#[template(path = "pages/organisation_form.html")]
pub struct OrganisationFormPage {
    chrome: Chrome,
    errors: FormErrors,
    form: OrganisationInput,
    org_types: Vec<TypeOption>,
    action: String,
    back: String,
    button: &'static str,
}

/// An organisation's overview.
#[derive(Template)]
#[template(path = "pages/organisation.html")]
pub struct OrganisationPage {
    chrome: Chrome,
    org: Organisation,
    divisions: Vec<String>,
    roles: Vec<Role>,
    is_admin: bool,
}

/// An organisation's divisions.
#[derive(Template)]
#[template(path = "pages/divisions.html")]
pub struct DivisionsPage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    org_name: String,
    divisions: Vec<Division>,
    name: String,
}

fn form_page(
    me: &SignedIn,
    title: &str,
    errors: FormErrors,
    form: OrganisationInput,
    action: String,
    back: String,
    button: &'static str,
) -> OrganisationFormPage {
    let org_types = OrganisationType::ALL
        .into_iter()
        .map(|t| TypeOption {
            value: t.as_str(),
            label: t.label(),
            checked: form.org_type == t.as_str(),
        })
        .collect();
    OrganisationFormPage {
        chrome: Chrome::with_errors(&me.session, title, &errors),
        errors,
        form,
        org_types,
        action,
        back,
        button,
    }
}

fn input_from(form: &Form) -> OrganisationInput {
    OrganisationInput {
        name: form.get("name").to_owned(),
        ods_code: form.get("ods_code").to_owned(),
        org_type: form.get("org_type").to_owned(),
        region: form.get("region").to_owned(),
        min_reporting_group: NumberText(form.get("min_reporting_group").to_owned()),
        retention_months: NumberText(form.get("retention_months").to_owned()),
    }
}

/// `GET /organisations`
pub async fn list_organisations(
    State(state): State<AppState>,
    me: SignedIn,
) -> AppResult<Response> {
    let organisations = if me.user.is_network_admin {
        state.store.list_all_organisations().await?
    } else {
        state.store.list_organisations_of(me.user.id).await?
    };
    Ok(ok(OrganisationsPage {
        chrome: Chrome::new(&me.session, "Organisations"),
        organisations,
        is_network_admin: me.user.is_network_admin,
    }))
}

/// `GET /organisations/new` (network admins)
pub async fn new_organisation(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    if !me.user.is_network_admin {
        return Err(AppError::Forbidden);
    }
    let form = OrganisationInput {
        min_reporting_group: NumberText(state.config.default_min_reporting_group.get().to_string()),
        retention_months: NumberText(RetentionMonths::DEFAULT.get().to_string()),
        ..OrganisationInput::default()
    };
    Ok(ok(form_page(
        &me,
        "Add an organisation",
        FormErrors::new(),
        form,
        "/organisations".into(),
        "/organisations".into(),
        "Add organisation",
    )))
}

/// `POST /organisations` (network admins)
pub async fn create_organisation(
    State(state): State<AppState>,
    me: SignedIn,
    form: Form,
) -> AppResult<Response> {
    if !me.user.is_network_admin {
        return Err(AppError::Forbidden);
    }
    let input = input_from(&form);
    let refuse = |errors: FormErrors, input: OrganisationInput| {
        invalid(form_page(
            &me,
            "Add an organisation",
            errors,
            input,
            "/organisations".into(),
            "/organisations".into(),
            "Add organisation",
        ))
    };
    let parsed = match input.parse(state.config.default_min_reporting_group) {
        Ok(parsed) => parsed,
        Err(errors) => return Ok(refuse(errors, input)),
    };
    match state
        .store
        .create_organisation(&parsed.fields(), None)
        .await
    {
        Ok(org) => {
            tracing::info!(organisation_id = %org.id, "organisation created");
            Ok(see_other(&format!("/organisations/{}", org.id)))
        }
        Err(commonground_store::StoreError::Conflict(_)) => {
            let mut errors = FormErrors::new();
            errors.add(
                "ods_code",
                "An organisation with this ODS code already exists",
            );
            Ok(refuse(errors, input))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /organisations/{org_id}`
pub async fn show_organisation(
    State(state): State<AppState>,
    member: OrgMember<SignedIn>,
) -> AppResult<Response> {
    let divisions = state.store.list_divisions(member.org.id).await?;
    let is_admin = member.is_admin(member.caller.user.is_network_admin);
    Ok(ok(OrganisationPage {
        chrome: Chrome::new(&member.caller.session, member.org.name.clone()),
        divisions: divisions.into_iter().map(|d| d.name).collect(),
        roles: member.roles,
        is_admin,
        org: member.org,
    }))
}

/// `GET /organisations/{org_id}/settings`
pub async fn edit_organisation_settings(OrgAdmin(admin): OrgAdmin<SignedIn>) -> Response {
    let id = admin.org.id;
    ok(form_page(
        &admin.caller,
        "Organisation settings",
        FormErrors::new(),
        OrganisationInput::from_organisation(&admin.org),
        format!("/organisations/{id}/settings"),
        format!("/organisations/{id}"),
        "Save settings",
    ))
}

/// `POST /organisations/{org_id}/settings`
pub async fn update_organisation_settings(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let id = admin.org.id;
    let input = input_from(&form);
    let refuse = |errors: FormErrors, input: OrganisationInput| {
        invalid(form_page(
            &admin.caller,
            "Organisation settings",
            errors,
            input,
            format!("/organisations/{id}/settings"),
            format!("/organisations/{id}"),
            "Save settings",
        ))
    };
    let parsed = match input.parse(state.config.default_min_reporting_group) {
        Ok(parsed) => parsed,
        Err(errors) => return Ok(refuse(errors, input)),
    };
    match state.store.update_organisation(id, &parsed.fields()).await {
        Ok(()) => {
            audit::settings_changed(&state, &admin, &parsed.fields()).await?;
            Ok(see_other(&format!("/organisations/{id}")))
        }
        Err(commonground_store::StoreError::Conflict(_)) => {
            let mut errors = FormErrors::new();
            errors.add("ods_code", "Another organisation already has this ODS code");
            Ok(refuse(errors, input))
        }
        Err(e) => Err(e.into()),
    }
}

async fn divisions_page(
    state: &AppState,
    admin: &OrgMember<SignedIn>,
    errors: FormErrors,
    name: &str,
) -> AppResult<DivisionsPage> {
    Ok(DivisionsPage {
        chrome: Chrome::with_errors(&admin.caller.session, "Divisions", &errors),
        errors,
        org_id: admin.org.id.0,
        org_name: admin.org.name.clone(),
        divisions: state.store.list_divisions(admin.org.id).await?,
        name: name.to_owned(),
    })
}

/// `GET /organisations/{org_id}/divisions`
pub async fn list_divisions(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
) -> AppResult<Response> {
    Ok(ok(
        divisions_page(&state, &admin, FormErrors::new(), "").await?
    ))
}

/// `POST /organisations/{org_id}/divisions`
pub async fn create_division(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let mut errors = FormErrors::new();
    if let Some(name) = errors.check("name", DivisionName::parse(form.get("name"))) {
        match state.store.create_division(admin.org.id, &name).await {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/organisations/{}/divisions",
                    admin.org.id
                )));
            }
            Err(commonground_store::StoreError::Conflict(_)) => {
                errors.add("name", "There is already a division with this name");
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(invalid(
        divisions_page(&state, &admin, errors, form.get("name")).await?,
    ))
}

/// `POST /organisations/{org_id}/divisions/{division_id}/delete`
pub async fn delete_division(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    Path((_, division_id)): Path<(i64, i64)>,
    _form: Form,
) -> AppResult<Response> {
    if !state
        .store
        .delete_division(admin.org.id, DivisionId(division_id))
        .await?
    {
        return Err(AppError::NotFound);
    }
    let detail = format!("Division {division_id}");
    audit::record_by(&state, &admin, Action::DivisionDeleted, None, &detail).await?;
    Ok(see_other(&format!(
        "/organisations/{}/divisions",
        admin.org.id
    )))
}
