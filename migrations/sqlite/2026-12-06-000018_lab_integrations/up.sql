-- External labs (contract §3.8 webhook). An integration is created by an operator
-- (`genascope lab-integration create`); `sealed_secret` is its signing secret encrypted at rest
-- (AES-256-GCM with the key of LAB_SECRET_KEY), never returned by any route. It serves the
-- accounts of `lab_integration_accounts`: its events reach only their orders.
CREATE TABLE lab_integrations (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    active        BOOLEAN NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE TABLE lab_integration_accounts (
    integration_id TEXT NOT NULL REFERENCES lab_integrations (id),
    account_id     TEXT NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (integration_id, account_id)
);
CREATE INDEX lab_integration_accounts_account_id_idx ON lab_integration_accounts (account_id);
-- Webhook events applied, one row per (lab, event id), written in the transaction of the change
-- they made: the primary key is what makes a replay change nothing (a second insert fails, and
-- its transaction with it), whatever the timing of the deliveries.
CREATE TABLE lab_events (
    integration_id TEXT NOT NULL REFERENCES lab_integrations (id),
    event_id       TEXT NOT NULL,
    order_id       TEXT NOT NULL REFERENCES lab_orders (id),
    received_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (integration_id, event_id)
);
CREATE INDEX lab_events_order_id_idx ON lab_events (order_id);
