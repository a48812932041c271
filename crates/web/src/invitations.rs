//! Sending an invitation, shared by the members page and the API.

use commonground_domain::{EmailAddress, InvitationId, RoleSet};
use commonground_store::NewSecret;
use commonground_store::invitations::INVITATION_SECONDS;
use commonground_store::organisations::Organisation;
use commonground_store::users::User;

use crate::audit::{self, Action};
use crate::emails;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Records an invitation and queues its email; refuses people who are already members.
pub async fn send_invitation(
    state: &AppState,
    org: &Organisation,
    inviter: &User,
    email: &EmailAddress,
    roles: &RoleSet,
) -> AppResult<InvitationId> {
    if let Some(existing) = state.store.find_user_by_email(email).await?
        && !state.store.roles_in(org.id, existing.id).await?.is_empty()
    {
        return Err(AppError::invalid(
            "email",
            format!("{email} is already a member: change their roles instead"),
        ));
    }
    let secret = NewSecret::generate("");
    let link = format!(
        "{}/invitations/{}",
        state.config.public_base_url, secret.token
    );
    let message = emails::Invitation {
        organisation_id: org.id,
        organisation: &org.name,
        inviter: &inviter.name,
        to: email.as_str(),
        roles,
        link: &link,
        expires_at: commonground_store::now() + INVITATION_SECONDS,
    }
    .build()?;
    let id = state
        .store
        .create_invitation(org.id, email, roles, inviter.id, &secret.hash, &message)
        .await?;
    tracing::info!(organisation_id = %org.id, invitation_id = %id, "invitation sent");
    let detail = audit::roles_text(roles);
    audit::record(
        state,
        org.id,
        inviter.id,
        Action::MemberInvited,
        Some(email.as_str()),
        &detail,
    )
    .await?;
    Ok(id)
}
