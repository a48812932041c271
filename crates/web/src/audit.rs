//! What the audit log records, and recording it. Every front door (page or API) that takes a
//! sensitive action calls [`record`] once the action has succeeded.

use commonground_domain::{OrganisationId, RoleSet, UserId};
use commonground_store::audit::NewAuditEvent;
use commonground_store::organisations::OrganisationFields;

use crate::error::AppResult;
use crate::extractors::{Caller, OrgMember, ReviewRunner};
use crate::state::AppState;

/// A sensitive action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A member's roles changed.
    RolesChanged,
    /// A member was removed from the organisation.
    MemberRemoved,
    /// Someone was invited with roles.
    MemberInvited,
    /// An invitation was cancelled.
    InvitationCancelled,
    /// The organisation's settings changed.
    SettingsChanged,
    /// A division was deleted.
    DivisionDeleted,
    /// A participant was removed from a review.
    ParticipantRemoved,
    /// A review's results were released.
    ResultsReleased,
    /// A person's data was exported on request.
    PersonalDataExported,
    /// A person's data was erased on request.
    PersonErased,
    /// Participants' names and emails were deleted at the end of retention.
    RetentionDeleted,
    /// A date poll for a review's sessions was started.
    PollCreated,
    /// A session's time was chosen (or changed), and invitations sent.
    SessionTimeChosen,
    /// A session's time was cancelled, and cancellations sent.
    SessionCancelled,
}

impl Action {
    const ALL: [Action; 14] = [
        Action::RolesChanged,
        Action::MemberRemoved,
        Action::MemberInvited,
        Action::InvitationCancelled,
        Action::SettingsChanged,
        Action::DivisionDeleted,
        Action::ParticipantRemoved,
        Action::ResultsReleased,
        Action::PersonalDataExported,
        Action::PersonErased,
        Action::RetentionDeleted,
        Action::PollCreated,
        Action::SessionTimeChosen,
        Action::SessionCancelled,
    ];

    /// The stored form.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Action::RolesChanged => "roles_changed",
            Action::MemberRemoved => "member_removed",
            Action::MemberInvited => "member_invited",
            Action::InvitationCancelled => "invitation_cancelled",
            Action::SettingsChanged => "settings_changed",
            Action::DivisionDeleted => "division_deleted",
            Action::ParticipantRemoved => "participant_removed",
            Action::ResultsReleased => "results_released",
            Action::PersonalDataExported => "personal_data_exported",
            Action::PersonErased => "person_erased",
            Action::RetentionDeleted => commonground_store::audit::RETENTION_DELETED,
            Action::PollCreated => "poll_created",
            Action::SessionTimeChosen => "session_time_chosen",
            Action::SessionCancelled => "session_cancelled",
        }
    }

    /// What people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Action::RolesChanged => "Changed roles",
            Action::MemberRemoved => "Removed a member",
            Action::MemberInvited => "Invited someone",
            Action::InvitationCancelled => "Cancelled an invitation",
            Action::SettingsChanged => "Changed settings",
            Action::DivisionDeleted => "Deleted a division",
            Action::ParticipantRemoved => "Removed a participant",
            Action::ResultsReleased => "Released results",
            Action::PersonalDataExported => "Exported a person's data",
            Action::PersonErased => "Deleted a person's data",
            Action::RetentionDeleted => "Deleted personal data at the end of retention",
            Action::PollCreated => "Started a date poll",
            Action::SessionTimeChosen => "Chose a session time",
            Action::SessionCancelled => "Cancelled a session time",
        }
    }

    /// The label of a stored key (the key itself for one this release does not know).
    #[must_use]
    pub fn label_of(key: &str) -> &str {
        Self::ALL
            .into_iter()
            .find(|a| a.key() == key)
            .map_or(key, |a| a.label())
    }
}

/// Records that `actor` did `action` in `org`, about `subject` (an email address) if anyone.
pub async fn record(
    state: &AppState,
    org: OrganisationId,
    actor: UserId,
    action: Action,
    subject: Option<&str>,
    detail: &str,
) -> AppResult<()> {
    state
        .store
        .record_audit(&NewAuditEvent {
            organisation: org,
            actor: Some(actor),
            action: action.key(),
            subject,
            detail,
        })
        .await?;
    Ok(())
}

/// Records that the caller did `action` in the organisation they act in.
pub async fn record_by<C: Caller>(
    state: &AppState,
    by: &OrgMember<C>,
    action: Action,
    subject: Option<&str>,
    detail: &str,
) -> AppResult<()> {
    record(
        state,
        by.org.id,
        by.caller.user().id,
        action,
        subject,
        detail,
    )
    .await
}

/// Records an action on a member (`Action::RolesChanged` or `Action::MemberRemoved`), naming
/// them by email address.
pub async fn member_event<C: Caller>(
    state: &AppState,
    by: &OrgMember<C>,
    action: Action,
    member: UserId,
    roles: Option<&RoleSet>,
) -> AppResult<()> {
    let email = state.store.get_user(member).await?.map(|u| u.email);
    let detail = roles.map(roles_text).unwrap_or_default();
    record_by(state, by, action, email.as_deref(), &detail).await
}

/// Records a change of the organisation's details and settings.
pub async fn settings_changed<C: Caller>(
    state: &AppState,
    by: &OrgMember<C>,
    fields: &OrganisationFields<'_>,
) -> AppResult<()> {
    let detail = format!(
        "{}, {}; minimum reporting group {}; participants' personal data kept {} months",
        fields.name.as_str(),
        fields.ods_code.as_str(),
        fields.min_reporting_group.get(),
        fields.retention_months.get()
    );
    record_by(state, by, Action::SettingsChanged, None, &detail).await
}

/// Roles as the log shows them.
#[must_use]
pub fn roles_text(roles: &RoleSet) -> String {
    roles
        .roles()
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Records an action on one of a review's sessions, naming the review and the session.
pub async fn session_event<C: Caller>(
    state: &AppState,
    by: &ReviewRunner<C>,
    action: Action,
    session: u8,
) -> AppResult<()> {
    let detail = format!("{}: session {session}", by.review.title);
    record_by(state, &by.member, action, None, &detail).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_key() {
        let mut keys: Vec<_> = Action::ALL.iter().map(|a| a.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Action::ALL.len());
        assert_eq!(Action::label_of("results_released"), "Released results");
        assert_eq!(
            Action::label_of("from_a_newer_release"),
            "from_a_newer_release"
        );
    }
}
