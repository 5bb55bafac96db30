-- The first schema: accounts and their API keys, analysed tracks, usage events for billing, searches.

CREATE TABLE accounts (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Only the SHA-256 of a key is stored; `prefix` is for display.
CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES accounts (id),
    hash          BYTEA NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
    prefix        TEXT NOT NULL,
    tier          TEXT NOT NULL CHECK (tier IN ('free', 'pro', 'enterprise')),
    is_admin      BOOLEAN NOT NULL DEFAULT false,
    name          TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    expires_at    TIMESTAMPTZ
);
CREATE INDEX api_keys_account ON api_keys (account_id);

-- A track from any source, with what the analysis engine measured of it.
CREATE TABLE tracks (
    id                TEXT PRIMARY KEY,
    source            TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    title             TEXT NOT NULL DEFAULT '',
    artist            TEXT NOT NULL DEFAULT '',
    duration_seconds  DOUBLE PRECISION,
    url               TEXT,
    audio_url         TEXT,
    license           TEXT,
    tags              TEXT[] NOT NULL DEFAULT '{}',
    bpm               DOUBLE PRECISION,
    bpm_confidence    DOUBLE PRECISION,
    key_tonic         TEXT,
    key_mode          TEXT CHECK (key_mode IN ('major', 'minor')),
    key_confidence    DOUBLE PRECISION,
    energy            DOUBLE PRECISION CHECK (energy BETWEEN 0 AND 1),
    loudness_lufs     DOUBLE PRECISION,
    waveform          REAL[],
    analysis_version  INTEGER,
    analysed_at       TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (source, external_id)
);
CREATE INDEX tracks_bpm ON tracks (bpm) WHERE bpm IS NOT NULL;

-- One row per request that got a response; the request id makes inserts idempotent.
CREATE TABLE usage_events (
    request_id   TEXT PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES accounts (id),
    key_id       TEXT NOT NULL,
    route        TEXT NOT NULL,
    method       TEXT NOT NULL,
    status       SMALLINT NOT NULL,
    cost         INTEGER NOT NULL DEFAULT 0,
    latency_ms   DOUBLE PRECISION NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL,
    cache_hit    BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX usage_events_account_time ON usage_events (account_id, occurred_at);

CREATE TABLE searches (
    id          TEXT PRIMARY KEY,
    account_id  BIGINT REFERENCES accounts (id),
    query       TEXT NOT NULL,
    filters     JSONB NOT NULL,
    result_ids  TEXT[] NOT NULL DEFAULT '{}',
    timing      JSONB NOT NULL DEFAULT '{}',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX searches_account_time ON searches (account_id, created_at);
