-- Reviews, the instrument version each pins, the readiness checklist, and participants.

-- Instrument definitions exactly as used: a review keeps the version it was created with, so its
-- results stay comparable and reproducible. organisation_id is NULL for the versions shipped
-- with the product; an organisation's adapted copies carry its id.
CREATE TABLE instrument_versions (
    id {{id}},
    organisation_id BIGINT REFERENCES organisations (id) ON DELETE CASCADE,
    instrument_key TEXT NOT NULL,
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX instrument_versions_by_key ON instrument_versions (instrument_key, version);

CREATE TABLE reviews (
    id {{id}},
    organisation_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    scope TEXT NOT NULL,
    focus_areas TEXT NOT NULL,
    instrument_version_id BIGINT NOT NULL REFERENCES instrument_versions (id),
    clinical_champion_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    finance_champion_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- A champion invited by email who has no account yet; linked when they accept.
    clinical_champion_email TEXT,
    finance_champion_email TEXT,
    questionnaire_state TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX reviews_by_organisation ON reviews (organisation_id);

-- Step 1's readiness checklist: one row per item ticked, with an optional note.
CREATE TABLE readiness_items (
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    item_key TEXT NOT NULL,
    note TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (review_id, item_key)
);

CREATE TABLE participants (
    id {{id}},
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    profession TEXT NOT NULL,
    division TEXT,
    role_level TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (review_id, email)
);
