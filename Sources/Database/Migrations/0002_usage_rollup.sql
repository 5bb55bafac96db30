-- Daily usage per account, key, route and status: what dashboards and GET /v1/usage read.
-- Filled in the same transaction as usage_events, only for events inserted for the first time.
CREATE TABLE usage_daily (
    account_id  BIGINT NOT NULL REFERENCES accounts (id),
    day         DATE NOT NULL,
    key_id      TEXT NOT NULL,
    route       TEXT NOT NULL,
    status      SMALLINT NOT NULL,
    requests    BIGINT NOT NULL,
    cost        BIGINT NOT NULL,
    PRIMARY KEY (account_id, day, key_id, route, status)
);
