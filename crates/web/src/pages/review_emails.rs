//! The emails of a review (invitation, reminder, thank you, sessions, actions): champions read
//! and change their wording with placeholders, and preview it for a real participant.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use commonground_domain::ParticipantId;
use commonground_domain::email_template::{EmailKind, EmailTemplate, Placeholder};
use serde::Deserialize;

use super::{Chrome, ok, see_other};
use crate::error::AppResult;
use crate::extractors::{Form, ReviewRunner, SignedIn};
use crate::forms::FormErrors;
use crate::review_emails::{self as emails, Preview};
use crate::state::AppState;

/// A row of the list of emails.
pub struct EmailRow {
    slug: &'static str,
    label: &'static str,
    when: &'static str,
    custom: bool,
}

/// The list of a review's emails.
#[derive(Template)]
#[template(path = "pages/review_emails.html")]
pub struct ReviewEmailsPage {
    chrome: Chrome,
    org_id: i64,
    review_id: i64,
    review_title: String,
    rows: Vec<EmailRow>,
}

/// One email's wording, with a preview.
#[derive(Template)]
#[template(path = "pages/review_email.html")]
pub struct ReviewEmailPage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    review_id: i64,
    review_title: String,
    action: String,
    label: &'static str,
    when: &'static str,
    custom: bool,
    subject: String,
    body: String,
    placeholders: Vec<(String, &'static str, bool)>,
    people: Vec<(i64, String, bool)>,
    preview: Option<Preview>,
}

/// `?participant=ID`: whom to preview for.
#[derive(Deserialize)]
pub struct PreviewQuery {
    participant: Option<i64>,
}

/// `GET /organisations/{org_id}/reviews/{review_id}/emails`
pub async fn list_review_emails(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
) -> AppResult<Response> {
    let (org, review) = (runner.member.org.id, runner.review.id);
    let mut rows = Vec::new();
    for kind in EmailKind::ALL {
        let (_, custom) = emails::template_in_use(&state, org, review, kind).await?;
        rows.push(EmailRow {
            slug: kind.as_str(),
            label: kind.label(),
            when: kind.when_sent(),
            custom,
        });
    }
    Ok(ok(ReviewEmailsPage {
        chrome: Chrome::new(&runner.member.caller.session, "Emails"),
        org_id: org.0,
        review_id: review.0,
        review_title: runner.review.title.clone(),
        rows,
    }))
}

#[expect(clippy::too_many_arguments, reason = "one page, built from its parts")]
async fn email_page(
    state: &AppState,
    runner: &ReviewRunner<SignedIn>,
    kind: EmailKind,
    template: EmailTemplate,
    custom: bool,
    person: Option<ParticipantId>,
    mut errors: FormErrors,
    show_preview: bool,
) -> AppResult<ReviewEmailPage> {
    let (org, review) = (runner.member.org.id, runner.review.id);
    let people = state.store.list_participants(org, review).await?;
    let chosen = emails::preview_person(&people, person);
    let preview = if show_preview && errors.is_empty() {
        match emails::preview(state, org, review, &template, chosen).await? {
            Ok(preview) => Some(preview),
            Err(problems) => {
                for problem in problems {
                    errors.add(field_of(&problem), problem.to_string());
                }
                None
            }
        }
    } else {
        None
    };
    Ok(ReviewEmailPage {
        chrome: Chrome::with_errors(&runner.member.caller.session, kind.label(), &errors),
        errors,
        org_id: org.0,
        review_id: review.0,
        review_title: runner.review.title.clone(),
        action: format!(
            "/organisations/{org}/reviews/{review}/emails/{}",
            kind.as_str()
        ),
        label: kind.label(),
        when: kind.when_sent(),
        custom,
        subject: template.subject,
        body: template.body,
        placeholders: Placeholder::ALL
            .iter()
            .map(|p| (format!("{{{}}}", p.key()), p.meaning(), kind.allows(*p)))
            .collect(),
        people: people
            .iter()
            .map(|p| (p.id.0, p.name.clone(), Some(p.id) == chosen.map(|c| c.id)))
            .collect(),
        preview,
    })
}

fn field_of(problem: &commonground_domain::email_template::TemplateError) -> &'static str {
    match problem.part() {
        commonground_domain::email_template::Part::Subject => "subject",
        commonground_domain::email_template::Part::Body => "body",
    }
}

/// `GET /organisations/{org_id}/reviews/{review_id}/emails/{kind}`
pub async fn edit_review_email(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    Path((_, _, kind)): Path<(i64, i64, String)>,
    Query(query): Query<PreviewQuery>,
) -> AppResult<Response> {
    let kind = emails::kind_from_path(&kind)?;
    let (template, custom) =
        emails::template_in_use(&state, runner.member.org.id, runner.review.id, kind).await?;
    let person = query.participant.map(ParticipantId);
    Ok(ok(email_page(
        &state,
        &runner,
        kind,
        template,
        custom,
        person,
        FormErrors::new(),
        true,
    )
    .await?))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/emails/{kind}`: `action` is `preview`
/// (show the edit filled in, saving nothing), `save`, or `reset` (back to our wording).
pub async fn update_review_email(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    Path((_, _, kind)): Path<(i64, i64, String)>,
    form: Form,
) -> AppResult<Response> {
    let kind = emails::kind_from_path(&kind)?;
    let (org, review) = (runner.member.org.id, runner.review.id);
    let back = format!("/organisations/{org}/reviews/{review}/emails");
    if form.get("action") == "reset" {
        state
            .store
            .set_email_template(org, review, kind, None)
            .await?;
        return Ok(see_other(&back));
    }
    let template = EmailTemplate {
        subject: form.get("subject").trim().to_owned(),
        body: form.get("body").replace("\r\n", "\n").trim().to_owned(),
    };
    let person = form.get("participant").parse().ok().map(ParticipantId);
    let mut errors = FormErrors::new();
    if let Err(problems) = template.validate(kind) {
        for problem in problems {
            errors.add(field_of(&problem), problem.to_string());
        }
    }
    let previewing = form.get("action") == "preview";
    if !errors.is_empty() || previewing {
        let (_, custom) = emails::template_in_use(&state, org, review, kind).await?;
        let page = email_page(
            &state, &runner, kind, template, custom, person, errors, true,
        )
        .await?;
        return Ok(if page.errors.is_empty() {
            ok(page)
        } else {
            super::invalid(page)
        });
    }
    state
        .store
        .set_email_template(org, review, kind, Some(&template))
        .await?;
    Ok(see_other(&back))
}
