-- Answers and comments are only ever read, mixed and deleted a review at a time. Keyed by review
-- first, a review's rows sit together and the separate index by review goes: storing an answer
-- then writes one page fewer at a random place in each table. Keys inside a review stay random,
-- and the tables still have no hidden row id on SQLite.
CREATE TABLE responses_new (
    id TEXT NOT NULL,
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    submitted_on TEXT NOT NULL,
    profession TEXT,
    division TEXT,
    role_level TEXT,
    answers TEXT NOT NULL,
    involvement TEXT NOT NULL,
    barriers TEXT NOT NULL,
    measures TEXT NOT NULL,
    PRIMARY KEY (review_id, id)
){{without_rowid}};
INSERT INTO responses_new (id, review_id, submitted_on, profession, division, role_level, answers, involvement, barriers, measures)
    SELECT id, review_id, submitted_on, profession, division, role_level, answers, involvement, barriers, measures FROM responses;
DROP TABLE responses;
ALTER TABLE responses_new RENAME TO responses;

CREATE TABLE comments_new (
    id TEXT NOT NULL,
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    prompt_key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (review_id, id)
){{without_rowid}};
INSERT INTO comments_new (id, review_id, prompt_key, body)
    SELECT id, review_id, prompt_key, body FROM comments;
DROP TABLE comments;
ALTER TABLE comments_new RENAME TO comments;
