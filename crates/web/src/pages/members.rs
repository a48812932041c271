//! Members of an organisation: roles, invitations, removal (organisation admins).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use commonground_domain::{InvitationId, RoleSet, UserId};
use commonground_store::StoreError;
use commonground_store::members::Member;

use super::{Chrome, RoleOption, invalid, ok, role_options, see_other};
use crate::audit::{self, Action};
use crate::dates::long_date;
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, OrgAdmin, OrgMember, SignedIn};
use crate::forms::FormErrors;
use crate::inputs::InvitationInput;
use crate::invitations::send_invitation;
use crate::state::AppState;

/// A pending invitation row.
pub struct InvitationRow {
    id: InvitationId,
    email: String,
    roles: String,
    expires: String,
}

/// Members and pending invitations.
#[derive(Template)]
#[template(path = "pages/members.html")]
pub struct MembersPage {
    chrome: Chrome,
    org_id: i64,
    org_name: String,
    notice: Option<String>,
    members: Vec<Member>,
    invitations: Vec<InvitationRow>,
}

/// The invitation form.
#[derive(Template)]
#[template(path = "pages/invite.html")]
pub struct InvitePage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    org_name: String,
    email: String,
    roles: Vec<RoleOption>,
}

/// One member's roles.
#[derive(Template)]
#[template(path = "pages/member.html")]
pub struct MemberPage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    org_name: String,
    member_id: i64,
    member_name: String,
    member_email: String,
    roles: Vec<RoleOption>,
}

async fn members_page(
    state: &AppState,
    admin: &OrgMember<SignedIn>,
    notice: Option<String>,
) -> AppResult<MembersPage> {
    let invitations = state
        .store
        .list_pending_invitations(admin.org.id)
        .await?
        .into_iter()
        .map(|i| InvitationRow {
            id: i.id,
            email: i.email,
            roles: i
                .roles
                .roles()
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
            expires: long_date(i.expires_at),
        })
        .collect();
    Ok(MembersPage {
        chrome: Chrome::new(&admin.caller.session, "Members"),
        org_id: admin.org.id.0,
        org_name: admin.org.name.clone(),
        notice,
        members: state.store.list_members(admin.org.id).await?,
        invitations,
    })
}

/// `GET /organisations/{org_id}/members`
pub async fn list_members(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
) -> AppResult<Response> {
    Ok(ok(members_page(&state, &admin, None).await?))
}

fn invite_page(
    admin: &OrgMember<SignedIn>,
    errors: FormErrors,
    email: &str,
    roles: &[&str],
) -> InvitePage {
    InvitePage {
        chrome: Chrome::with_errors(&admin.caller.session, "Invite someone", &errors),
        errors,
        org_id: admin.org.id.0,
        org_name: admin.org.name.clone(),
        email: email.to_owned(),
        roles: role_options(roles),
    }
}

/// `GET /organisations/{org_id}/invitations/new`
pub async fn new_invitation(OrgAdmin(admin): OrgAdmin<SignedIn>) -> Response {
    ok(invite_page(&admin, FormErrors::new(), "", &[]))
}

/// `POST /organisations/{org_id}/invitations`
pub async fn create_invitation(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let input = InvitationInput {
        email: form.get("email").to_owned(),
        roles: form.all("roles").into_iter().map(str::to_owned).collect(),
    };
    let refuse = |errors| {
        invalid(invite_page(
            &admin,
            errors,
            form.get("email"),
            &form.all("roles"),
        ))
    };
    let (email, roles) = match input.parse() {
        Ok(parsed) => parsed,
        Err(errors) => return Ok(refuse(errors)),
    };
    match send_invitation(&state, &admin.org, &admin.caller.user, &email, &roles).await {
        Ok(_) => {
            let notice = Some(format!("Invitation sent to {email}."));
            Ok(ok(members_page(&state, &admin, notice).await?))
        }
        Err(AppError::Invalid(fields)) => {
            let mut errors = FormErrors::new();
            for (field, message) in fields {
                errors.add(&field, message);
            }
            Ok(refuse(errors))
        }
        Err(e) => Err(e),
    }
}

/// `POST /organisations/{org_id}/invitations/{invitation_id}/cancel`
pub async fn delete_invitation(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    Path((_, invitation_id)): Path<(i64, i64)>,
    _form: Form,
) -> AppResult<Response> {
    if !state
        .store
        .cancel_invitation(admin.org.id, InvitationId(invitation_id))
        .await?
    {
        return Err(AppError::NotFound);
    }
    let detail = format!("Invitation {invitation_id}");
    audit::record_by(&state, &admin, Action::InvitationCancelled, None, &detail).await?;
    Ok(see_other(&format!(
        "/organisations/{}/members",
        admin.org.id
    )))
}

async fn member_page(
    state: &AppState,
    admin: &OrgMember<SignedIn>,
    user_id: i64,
    errors: FormErrors,
    selected: Option<Vec<&str>>,
) -> AppResult<MemberPage> {
    let member = state
        .store
        .list_members(admin.org.id)
        .await?
        .into_iter()
        .find(|m| m.user.id == UserId(user_id))
        .ok_or(AppError::NotFound)?;
    let held: Vec<&str> = member.roles.iter().map(|r| r.as_str()).collect();
    Ok(MemberPage {
        chrome: Chrome::with_errors(&admin.caller.session, member.user.name.clone(), &errors),
        errors,
        org_id: admin.org.id.0,
        org_name: admin.org.name.clone(),
        member_id: user_id,
        member_name: member.user.name.clone(),
        member_email: member.user.email.clone(),
        roles: role_options(&selected.unwrap_or(held)),
    })
}

/// `GET /organisations/{org_id}/members/{user_id}`
pub async fn edit_member(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    Path((_, user_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    Ok(ok(member_page(
        &state,
        &admin,
        user_id,
        FormErrors::new(),
        None,
    )
    .await?))
}

/// `POST /organisations/{org_id}/members/{user_id}`
pub async fn update_member(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    Path((_, user_id)): Path<(i64, i64)>,
    form: Form,
) -> AppResult<Response> {
    let mut errors = FormErrors::new();
    if let Some(roles) = errors.check("roles", RoleSet::parse(form.all("roles"))) {
        match state
            .store
            .set_member_roles(admin.org.id, UserId(user_id), &roles)
            .await
        {
            Ok(true) => {
                let user = UserId(user_id);
                audit::member_event(&state, &admin, Action::RolesChanged, user, Some(&roles))
                    .await?;
                return Ok(see_other(&format!(
                    "/organisations/{}/members",
                    admin.org.id
                )));
            }
            Ok(false) => return Err(AppError::NotFound),
            Err(StoreError::Refused(why)) => errors.add("roles", crate::error::sentence(why)),
            Err(e) => return Err(e.into()),
        }
    }
    let page = member_page(&state, &admin, user_id, errors, Some(form.all("roles"))).await?;
    Ok(invalid(page))
}

/// `POST /organisations/{org_id}/members/{user_id}/remove`
pub async fn delete_member(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    Path((_, user_id)): Path<(i64, i64)>,
    _form: Form,
) -> AppResult<Response> {
    match state
        .store
        .remove_member(admin.org.id, UserId(user_id))
        .await
    {
        Ok(true) => {
            audit::member_event(&state, &admin, Action::MemberRemoved, UserId(user_id), None)
                .await?;
            Ok(see_other(&format!(
                "/organisations/{}/members",
                admin.org.id
            )))
        }
        Ok(false) => Err(AppError::NotFound),
        Err(StoreError::Refused(why)) => {
            let mut errors = FormErrors::new();
            errors.add("roles", crate::error::sentence(why));
            Ok(invalid(
                member_page(&state, &admin, user_id, errors, None).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}
