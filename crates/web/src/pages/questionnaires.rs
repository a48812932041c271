//! An organisation's questionnaire versions, and adapting one into a new version (admins).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use commonground_domain::InstrumentVersionId;
use commonground_domain::instrument::Instrument;
use commonground_store::StoreError;
use commonground_store::instruments::InstrumentVersion;

use super::{Chrome, invalid, ok};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, OrgAdmin, OrgMember, SignedIn};
use crate::forms::FormErrors;
use crate::state::AppState;

/// The versions an organisation may use.
#[derive(Template)]
#[template(path = "pages/questionnaires.html")]
pub struct QuestionnairesPage {
    chrome: Chrome,
    org_id: i64,
    org_name: String,
    notice: Option<String>,
    versions: Vec<InstrumentVersion>,
}

/// Editing a copy of a version.
#[derive(Template)]
#[template(path = "pages/adapt_questionnaire.html")]
pub struct AdaptQuestionnairePage {
    chrome: Chrome,
    errors: FormErrors,
    messages: Vec<String>,
    org_id: i64,
    org_name: String,
    base_id: i64,
    base_title: String,
    base_version: i64,
    definition: String,
}

async fn list_page(
    state: &AppState,
    admin: &OrgMember<SignedIn>,
    notice: Option<String>,
) -> AppResult<QuestionnairesPage> {
    Ok(QuestionnairesPage {
        chrome: Chrome::new(&admin.caller.session, "Questionnaires"),
        org_id: admin.org.id.0,
        org_name: admin.org.name.clone(),
        notice,
        versions: state.store.instrument_versions(admin.org.id).await?,
    })
}

/// `GET /organisations/{org_id}/questionnaires`
pub async fn list_questionnaires(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
) -> AppResult<Response> {
    Ok(ok(list_page(&state, &admin, None).await?))
}

fn adapt_page(
    admin: &OrgMember<SignedIn>,
    base: &InstrumentVersion,
    definition: String,
    messages: Vec<String>,
) -> AdaptQuestionnairePage {
    let mut errors = FormErrors::new();
    if let Some(first) = messages.first() {
        errors.add("definition", first.clone());
    }
    AdaptQuestionnairePage {
        chrome: Chrome::with_errors(&admin.caller.session, "Adapt a questionnaire", &errors),
        errors,
        messages,
        org_id: admin.org.id.0,
        org_name: admin.org.name.clone(),
        base_id: base.id.0,
        base_title: base.title.clone(),
        base_version: base.version,
        definition,
    }
}

/// `GET /organisations/{org_id}/questionnaires/{version_id}/adapt`
pub async fn edit_questionnaire(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    Path(ids): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (base, definition) = state
        .store
        .instrument_version_definition(admin.org.id, InstrumentVersionId(ids.1))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ok(adapt_page(&admin, &base, definition, Vec::new())))
}

/// `POST /organisations/{org_id}/questionnaires/{version_id}/adapt`
pub async fn create_questionnaire_version(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    Path(ids): Path<(i64, i64)>,
    form: Form,
) -> AppResult<Response> {
    let (base, _) = state
        .store
        .instrument_version_definition(admin.org.id, InstrumentVersionId(ids.1))
        .await?
        .ok_or(AppError::NotFound)?;
    let text = form.get("definition").to_owned();
    let mut instrument = match Instrument::parse(&text) {
        Ok(instrument) => instrument,
        Err(problems) => return Ok(invalid(adapt_page(&admin, &base, text, problems.0))),
    };
    let version = state.store.next_instrument_version(&instrument.id).await?;
    instrument.version = u32::try_from(version).map_err(|e| AppError::Internal(e.to_string()))?;
    let saved = state
        .store
        .create_instrument_version(
            admin.org.id,
            &instrument.id,
            version,
            &instrument.title,
            &instrument.to_toml(),
        )
        .await;
    match saved {
        Ok(_) => {
            let notice = Some(format!(
                "Saved as version {version}. New reviews can now choose it."
            ));
            Ok(ok(list_page(&state, &admin, notice).await?))
        }
        Err(StoreError::Conflict(_)) => {
            let message = "Someone saved another version at the same moment: save again".to_owned();
            Ok(invalid(adapt_page(&admin, &base, text, vec![message])))
        }
        Err(e) => Err(e.into()),
    }
}
