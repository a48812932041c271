-- Accounts, organisations, roles, sessions, tokens and the outbox.
-- Written once for SQLite and PostgreSQL: {{id}} becomes each dialect's auto-increment key.
-- Times are Unix seconds (BIGINT); flags are BIGINT 0/1 so both dialects read them alike.

CREATE TABLE users (
    id {{id}},
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    is_network_admin BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE organisations (
    id {{id}},
    name TEXT NOT NULL,
    ods_code TEXT NOT NULL UNIQUE,
    org_type TEXT NOT NULL,
    region TEXT,
    min_reporting_group BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE divisions (
    id {{id}},
    organisation_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (organisation_id, name)
);

-- One row per role held: a person may hold several roles in one organisation.
CREATE TABLE memberships (
    organisation_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, user_id, role)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

CREATE TABLE invitations (
    id {{id}},
    organisation_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    roles TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT,
    cancelled_at BIGINT
);
CREATE INDEX invitations_by_organisation ON invitations (organisation_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

-- Failed sign-ins, for the rate limit; kept in the database so that every instance counts them.
CREATE TABLE sign_in_failures (
    id {{id}},
    email TEXT NOT NULL,
    client TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_by_email ON sign_in_failures (email, at);
CREATE INDEX sign_in_failures_by_client ON sign_in_failures (client, at);

-- Every email the product sends, whether or not SMTP is configured.
CREATE TABLE outbox (
    id {{id}},
    organisation_id BIGINT REFERENCES organisations (id) ON DELETE CASCADE,
    to_email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_by_organisation ON outbox (organisation_id, id);

-- Instance-wide values generated once, such as the key that signs CSRF tokens when none is
-- configured, so that every instance over one database agrees on them.
CREATE TABLE instance_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
