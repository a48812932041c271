//! Requests about one person's data (UK GDPR rights of access and erasure), for organisation
//! admins: download everything the organisation holds about someone, or delete it.
//!
//! Answers are never part of either: they carry no link to the person, so the export cannot
//! show, and erasure cannot remove, what anyone answered (PRODUCT.md section 4).

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use commonground_domain::EmailAddress;
use commonground_domain::dates::rfc3339;
use commonground_store::privacy::PersonRecords;
use serde_json::{Value, json};

use super::{Chrome, invalid, ok};
use crate::audit::{self, Action};
use crate::error::AppResult;
use crate::extractors::{Form, OrgAdmin, SignedIn};
use crate::forms::FormErrors;
use crate::state::AppState;

/// The request form, with what the last request did.
#[derive(Template)]
#[template(path = "pages/people.html")]
pub struct PeoplePage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    org_name: String,
    email: String,
    notice: Option<String>,
}

/// Asks before deleting, listing what will go.
#[derive(Template)]
#[template(path = "pages/people_erase.html")]
pub struct ErasePage {
    chrome: Chrome,
    org_id: i64,
    org_name: String,
    email: String,
    held: Vec<String>,
}

fn people_page(
    admin: &OrgAdmin<SignedIn>,
    errors: FormErrors,
    email: &str,
    notice: Option<String>,
) -> PeoplePage {
    PeoplePage {
        chrome: Chrome::with_errors(&admin.0.caller.session, "Personal data requests", &errors),
        errors,
        org_id: admin.0.org.id.0,
        org_name: admin.0.org.name.clone(),
        email: email.to_owned(),
        notice,
    }
}

/// `GET /organisations/{org_id}/people`
pub async fn show_people(admin: OrgAdmin<SignedIn>) -> Response {
    ok(people_page(&admin, FormErrors::new(), "", None))
}

/// `POST /organisations/{org_id}/people`: `request` is `export`, `erase` (asks first) or
/// `erase_confirmed`.
pub async fn create_people_request(
    State(state): State<AppState>,
    admin: OrgAdmin<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let typed = form.get("email");
    let mut errors = FormErrors::new();
    let Some(email) = errors.check("email", EmailAddress::parse(typed)) else {
        return Ok(invalid(people_page(&admin, errors, typed, None)));
    };
    let org = &admin.0.org;
    let me = &admin.0.caller.user;
    match form.get("request") {
        "export" => {
            let records = state.store.person_records(org.id, &email).await?;
            audit::record_by(
                &state,
                &admin.0,
                Action::PersonalDataExported,
                Some(email.as_str()),
                "",
            )
            .await?;
            Ok(download(&email, &records))
        }
        "erase" => {
            let records = state.store.person_records(org.id, &email).await?;
            Ok(ok(ErasePage {
                chrome: Chrome::new(&admin.0.caller.session, "Delete a person's data"),
                org_id: org.id.0,
                org_name: org.name.clone(),
                email: email.as_str().to_owned(),
                held: held(&records),
            }))
        }
        "erase_confirmed" if email.as_str() == me.email => {
            errors.add(
                "email",
                "You cannot delete your own data here: ask another organisation admin",
            );
            Ok(invalid(people_page(&admin, errors, typed, None)))
        }
        "erase_confirmed" => {
            let erased = state.store.erase_person(org.id, &email).await?;
            let detail = format!(
                "{} participant records, {} emails, {} invitations{}{}",
                erased.participants,
                erased.emails,
                erased.invitations,
                if erased.membership {
                    ", membership"
                } else {
                    ""
                },
                if erased.account { ", account" } else { "" },
            );
            // The subject stays out of the log: keeping whom we erased would undo the erasure.
            audit::record_by(&state, &admin.0, Action::PersonErased, None, &detail).await?;
            let notice = format!("Deleted the personal data held about that person: {detail}.");
            Ok(ok(people_page(&admin, FormErrors::new(), "", Some(notice))))
        }
        _ => {
            errors.add("request", "Choose whether to download or delete their data");
            Ok(invalid(people_page(&admin, errors, typed, None)))
        }
    }
}

/// What is held, one line each, for the confirmation page.
fn held(records: &PersonRecords) -> Vec<String> {
    let mut held = Vec::new();
    if let Some(account) = &records.account {
        held.push(format!(
            "An account in the name of {} with roles in this organisation",
            account.name
        ));
    }
    for p in &records.participations {
        held.push(format!("Participant in the review “{}”", p.review));
    }
    if !records.invitations.is_empty() {
        held.push(format!("{} invitations to join", records.invitations.len()));
    }
    if !records.emails.is_empty() {
        held.push(format!("{} stored emails", records.emails.len()));
    }
    held
}

/// The records as a JSON file to hand to the person.
fn download(email: &EmailAddress, records: &PersonRecords) -> Response {
    let body = export_json(email, records);
    let text = serde_json::to_string_pretty(&body).unwrap_or_default();
    (
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"personal-data.json\"",
            ),
        ],
        text,
    )
        .into_response()
}

/// Everything held, in the export's documented shape.
#[must_use]
pub fn export_json(email: &EmailAddress, records: &PersonRecords) -> Value {
    json!({
        "email": email.as_str(),
        "note": "Everything this organisation holds in commonground about this email address. \
                 Questionnaire answers are stored without any link to the person who gave them, \
                 so they cannot be included.",
        "account": records.account.as_ref().map(|a| json!({
            "name": a.name,
            "email": a.email,
            "created_at": rfc3339(a.created_at),
            "roles": a.roles,
            "signed_in_sessions": a.sessions,
            "api_tokens": a.api_tokens,
        })),
        "participations": records.participations.iter().map(|p| json!({
            "review": p.review,
            "name": p.name,
            "profession": p.profession,
            "role_level": p.role_level,
            "division": p.division,
            "added_at": rfc3339(p.added_at),
            "invited_at": p.invited_at.map(rfc3339),
            "answered": p.answered,
        })).collect::<Vec<_>>(),
        "invitations": records.invitations.iter().map(|i| json!({
            "roles": i.roles,
            "sent_at": rfc3339(i.created_at),
            "accepted": i.accepted,
        })).collect::<Vec<_>>(),
        "emails": records.emails.iter().map(|e| json!({
            "subject": e.subject,
            "text": e.body,
            "stored_at": rfc3339(e.created_at),
            "status": e.status,
        })).collect::<Vec<_>>(),
        "audit_log": records.audit.iter().map(|a| json!({
            "action": Action::label_of(&a.action),
            "detail": a.detail,
            "at": rfc3339(a.at),
        })).collect::<Vec<_>>(),
    })
}
