-- The anonymous questionnaire: personal links on participants, and answers stored apart.

-- A participant's personal link (its hash) is made when the questionnaire first opens for them;
-- "responded" records completion on the invitation, never on the answer.
ALTER TABLE participants ADD COLUMN link_hash TEXT;
ALTER TABLE participants ADD COLUMN responded BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX participants_by_link ON participants (link_hash);

-- Answers carry no participant id, no link, no time finer than the day. Keys are random, and on
-- SQLite the tables have no hidden rowid, so nothing records the order answers arrived; when the
-- questionnaire closes the store re-inserts them in random order (see store::responses).
CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    submitted_on TEXT NOT NULL,
    profession TEXT,
    division TEXT,
    role_level TEXT,
    answers TEXT NOT NULL,
    involvement TEXT NOT NULL,
    barriers TEXT NOT NULL,
    measures TEXT NOT NULL
){{without_rowid}};
CREATE INDEX responses_by_review ON responses (review_id);

-- Free-text comments, stored with no link to the response they came with and no date at all.
CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    prompt_key TEXT NOT NULL,
    body TEXT NOT NULL
){{without_rowid}};
CREATE INDEX comments_by_review ON comments (review_id);

-- Version numbers are shared by shipped and adapted copies of an instrument, and never reused.
CREATE UNIQUE INDEX instrument_versions_unique ON instrument_versions (instrument_key, version);

-- An optional open link for a whole review (its hash), for when personal links cannot be used.
ALTER TABLE reviews ADD COLUMN open_link_hash TEXT;
CREATE UNIQUE INDEX reviews_by_open_link ON reviews (open_link_hash);
