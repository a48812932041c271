-- Background jobs, email delivery over SMTP, per-review email templates and reminders.

-- The job queue, shared by every instance over the database (see store::jobs). A worker claims a
-- job by setting it running with a lease; if the worker dies, the lease runs out and another
-- claims it. Each claim adds one to attempts, which is also the claim's fencing token: only the
-- holder of the current attempt can finish the job. unique_key makes scheduled work (such as
-- the 3-day reminder of one review) happen once however many instances schedule it.
CREATE TABLE jobs (
    id {{id}},
    kind TEXT NOT NULL,
    organisation_id BIGINT REFERENCES organisations (id) ON DELETE CASCADE,
    review_id BIGINT REFERENCES reviews (id) ON DELETE CASCADE,
    payload TEXT NOT NULL,
    unique_key TEXT UNIQUE,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    run_at BIGINT NOT NULL,
    lease_until BIGINT,
    last_error TEXT,
    progress_total BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX jobs_ready ON jobs (state, run_at);
CREATE INDEX jobs_by_organisation ON jobs (organisation_id, id);
CREATE INDEX jobs_by_review ON jobs (review_id, kind, state);

-- Each stored email's delivery: 'stored' (no SMTP server: the outbox is the delivery), 'queued',
-- 'sent', 'rejected' (the server refused the recipient) or 'failed' (gave up retrying).
ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'stored';
ALTER TABLE outbox ADD COLUMN participant_id BIGINT REFERENCES participants (id) ON DELETE SET NULL;
ALTER TABLE outbox ADD COLUMN job_id BIGINT REFERENCES jobs (id) ON DELETE SET NULL;
ALTER TABLE outbox ADD COLUMN error TEXT;
ALTER TABLE outbox ADD COLUMN sent_at BIGINT;
CREATE INDEX outbox_by_job ON outbox (job_id, status);

-- Reminders carry the same personal link as the invitation, so the link is kept with its hash.
-- It identifies the person, never their answers, which carry no link (see 0003).
-- Participants invited before this column existed get a new link with their next reminder.
ALTER TABLE participants ADD COLUMN link_token TEXT;
ALTER TABLE participants ADD COLUMN invited_at BIGINT;
ALTER TABLE participants ADD COLUMN email_problem TEXT;

-- When the questionnaire first opened and is planned to close (Unix seconds of that day's
-- midnight), and when reminders go ("3,7;1": days after opening; days before the close).
ALTER TABLE reviews ADD COLUMN opened_at BIGINT;
ALTER TABLE reviews ADD COLUMN closes_on BIGINT;
ALTER TABLE reviews ADD COLUMN reminder_schedule TEXT NOT NULL DEFAULT '3,7;1';

-- A review's edited emails; a kind without a row uses the default wording.
CREATE TABLE email_templates (
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (review_id, kind)
);

-- Response rates by group, one row per day and group while the questionnaire is open: counts
-- of invitations and completions, never anything anyone answered.
CREATE TABLE response_rate_history (
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    group_name TEXT NOT NULL,
    answered BIGINT NOT NULL,
    invited BIGINT NOT NULL,
    PRIMARY KEY (review_id, day, group_name)
);
