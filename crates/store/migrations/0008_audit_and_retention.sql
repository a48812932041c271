-- Sensitive actions, for organisation admins to read: who did what and when. Never anything
-- anyone answered. The actor is kept by id, so an erased account leaves "a deleted account"
-- (by_service marks the service's own actions, such as deletions at the end of retention);
-- the subject (whom the action was about) is erased with that person's other data.
CREATE TABLE audit_events (
    id {{id}},
    organisation_id BIGINT REFERENCES organisations (id) ON DELETE CASCADE,
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    by_service BIGINT NOT NULL DEFAULT 0,
    action TEXT NOT NULL,
    subject TEXT,
    detail TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX audit_events_by_organisation ON audit_events (organisation_id, id);

-- How long names and email addresses of a closed review's participants are kept, per
-- organisation. Anonymous answers stay.
ALTER TABLE organisations ADD COLUMN retention_months BIGINT NOT NULL DEFAULT 24;

-- When the questionnaire closed (reviews closed before this column existed count from their
-- planned close, or their opening), and when its participants' personal data was deleted.
ALTER TABLE reviews ADD COLUMN closed_at BIGINT;
ALTER TABLE reviews ADD COLUMN personal_data_deleted_at BIGINT;
UPDATE reviews SET closed_at = COALESCE(closes_on, opened_at, created_at)
    WHERE questionnaire_state IN ('closed', 'released');

-- A participant whose name and email were deleted (at the end of retention or on request).
ALTER TABLE participants ADD COLUMN erased_at BIGINT;
