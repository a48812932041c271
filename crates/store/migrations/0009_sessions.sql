-- The team sessions (steps 2, 4 and 5 of the cycle): date polls, the chosen times, session plans,
-- cards, live capture, attendance and score challenges.

-- One date poll per review: candidate times for both sessions, offered together.
CREATE TABLE date_polls (
    id {{id}},
    review_id BIGINT NOT NULL UNIQUE REFERENCES reviews (id) ON DELETE CASCADE,
    location TEXT NOT NULL,
    message TEXT NOT NULL,
    -- Answers are refused after this time, or once champions have closed the poll.
    answer_by BIGINT NOT NULL,
    closed_at BIGINT,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE poll_slots (
    id {{id}},
    poll_id BIGINT NOT NULL REFERENCES date_polls (id) ON DELETE CASCADE,
    session_number BIGINT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL
);
CREATE INDEX poll_slots_by_poll ON poll_slots (poll_id, session_number, starts_at);

-- Who is asked. A participant's name and address stay on the participant (erasure happens in
-- one place); guests such as peer reviewers or the facilitator carry their own. Each invitee
-- answers from a personal link of their own: never the questionnaire link, so a poll answer
-- cannot be joined to anything about the questionnaire.
CREATE TABLE poll_invitees (
    id {{id}},
    poll_id BIGINT NOT NULL REFERENCES date_polls (id) ON DELETE CASCADE,
    participant_id BIGINT REFERENCES participants (id) ON DELETE CASCADE,
    guest_name TEXT,
    guest_email TEXT,
    guest_side TEXT,
    role TEXT NOT NULL,
    link_hash TEXT NOT NULL UNIQUE,
    link_token TEXT,
    invited_at BIGINT,
    answered_at BIGINT,
    UNIQUE (poll_id, participant_id),
    UNIQUE (poll_id, guest_email)
);

CREATE TABLE poll_answers (
    invitee_id BIGINT NOT NULL REFERENCES poll_invitees (id) ON DELETE CASCADE,
    slot_id BIGINT NOT NULL REFERENCES poll_slots (id) ON DELETE CASCADE,
    answer TEXT NOT NULL,
    PRIMARY KEY (invitee_id, slot_id)
);

-- Each of a review's two sessions: its chosen time (with the calendar event's sequence, raised
-- on every change so calendars apply updates; the event's UID is made from the review and
-- session), its plan, the note takers' link, and what the projector shows.
CREATE TABLE review_sessions (
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    session_number BIGINT NOT NULL,
    starts_at BIGINT,
    ends_at BIGINT,
    location TEXT NOT NULL DEFAULT '',
    calendar_sequence BIGINT NOT NULL DEFAULT 0,
    reminded_for BIGINT,
    plan TEXT,
    plan_updated_at BIGINT,
    capture_link_hash TEXT UNIQUE,
    current_card TEXT,
    agenda_step BIGINT NOT NULL DEFAULT 0,
    timer_ends_at BIGINT,
    timer_minutes BIGINT,
    PRIMARY KEY (review_id, session_number)
);

-- An organisation's own cards, beside the shipped ones (instruments/cards).
CREATE TABLE cards (
    id {{id}},
    organisation_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    factors TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX cards_by_organisation ON cards (organisation_id, id);

-- Themes, good practice and next steps noted during a session. Not tied to who wrote them.
CREATE TABLE capture_items (
    id {{id}},
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    session_number BIGINT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX capture_items_by_session ON capture_items (review_id, session_number, id);

CREATE TABLE attendance (
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    session_number BIGINT NOT NULL,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    attended BIGINT NOT NULL,
    PRIMARY KEY (review_id, session_number, participant_id)
);

-- Session 2: a participant challenges a score; the team records the argument and the outcome.
CREATE TABLE score_challenges (
    id {{id}},
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    factor_key TEXT NOT NULL,
    argument TEXT NOT NULL,
    outcome TEXT NOT NULL,
    outcome_note TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX score_challenges_by_review ON score_challenges (review_id, id);

-- The action plan's first entries: next steps agreed in session 2 become draft actions, which
-- the action plan (owners, due dates, progress) builds on.
CREATE TABLE actions (
    id {{id}},
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    source_capture_id BIGINT UNIQUE REFERENCES capture_items (id) ON DELETE SET NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX actions_by_review ON actions (review_id, id);

-- A calendar file sent with an email (an invitation, update or cancellation).
ALTER TABLE outbox ADD COLUMN calendar TEXT;
