-- The Eye, PostgreSQL schema version 1: the contract relations of PROTOCOL.md section 4.
--
-- Physical tables (eye_events, eye_sessions, eye_rejected_events) keep timestamps as timestamptz.
-- The contract relations events, sessions and rejected_events are views over them that present
-- every timestamp in the contract's text form 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, six fraction
-- digits, collation "C" so text order is time order). For events and rejected events that text is a
-- stored generated column: computed once when the row is written, indexed as it is, and read without
-- any conversion; the use-case queries filter and sort on it through plain index scans. applications
-- is a plain table.

CREATE FUNCTION eye_utc_text(ts timestamptz) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN RETURN to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'); END $$;
COMMENT ON FUNCTION eye_utc_text(timestamptz) IS
    'The contract''s text form of a timestamp: UTC, YYYY-MM-DD HH:MM:SS.ffffff. Immutable: a fixed zone and a format without locale-dependent fields.';

-- The contract promises json_extract(data, '$.path'), SQLite's function; SQLite's simple paths
-- ($.a.b, $.a[0], $."a b") are also SQL/JSON paths. Strings come back unquoted, other values as
-- JSON text (numbers too: compare with json_extract(...)::numeric).
CREATE FUNCTION json_extract(data jsonb, path text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT jsonb_path_query_first(data, path::jsonpath) #>> '{}' $$;
COMMENT ON FUNCTION json_extract(jsonb, text) IS
    'SQLite''s json_extract for analysts'' queries: json_extract(data, ''$.form.first_name'').';

CREATE TABLE applications (
    app_id text COLLATE "C" PRIMARY KEY CHECK (app_id <> '')
);
COMMENT ON TABLE applications IS
    'Every application any collector sharing this database has been configured with (never deleted: stored events refer to it).';

CREATE SEQUENCE eye_events_id_seq AS bigint;

CREATE TABLE eye_events (
    id          bigint PRIMARY KEY DEFAULT nextval('eye_events_id_seq'),
    app_id      text COLLATE "C" NOT NULL REFERENCES applications (app_id),
    event_id    text COLLATE "C" NOT NULL CHECK (length(event_id) BETWEEN 1 AND 64),
    session_id  text COLLATE "C" NOT NULL CHECK (length(session_id) BETWEEN 1 AND 128),
    category    text COLLATE "C" NOT NULL CHECK (length(category) BETWEEN 1 AND 128),
    name        text COLLATE "C" NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    seq         bigint CHECK (seq >= 0),
    data        jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    occurred_at_text text COLLATE "C" GENERATED ALWAYS AS (eye_utc_text(occurred_at)) STORED,
    received_at_text text COLLATE "C" GENERATED ALWAYS AS (eye_utc_text(received_at)) STORED,
    CONSTRAINT eye_events_app_event_unique UNIQUE (app_id, event_id)
);
ALTER SEQUENCE eye_events_id_seq OWNED BY eye_events.id;
CREATE INDEX eye_events_session_idx ON eye_events (session_id, occurred_at_text, seq, id);
CREATE INDEX eye_events_category_time_idx ON eye_events (category, occurred_at_text);
CREATE INDEX eye_events_time_idx ON eye_events (occurred_at_text);

CREATE TABLE eye_sessions (
    session_id    text COLLATE "C" PRIMARY KEY CHECK (length(session_id) BETWEEN 1 AND 128),
    first_seen_at timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    event_count   bigint NOT NULL CHECK (event_count > 0),
    CHECK (first_seen_at <= last_seen_at)
) WITH (fillfactor = 80);

CREATE TABLE eye_rejected_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at timestamptz NOT NULL,
    app_id      text COLLATE "C" NOT NULL REFERENCES applications (app_id),
    reason      text COLLATE "C" NOT NULL CHECK (reason IN ('malformed_body', 'malformed_event',
                    'invalid_timestamp', 'future_timestamp', 'schema_violation', 'unknown_event_type',
                    'payload_too_large')),
    detail      text NOT NULL,
    event_id    text,
    session_id  text,
    category    text,
    name        text,
    raw         text,
    received_at_text text COLLATE "C" GENERATED ALWAYS AS (eye_utc_text(received_at)) STORED
);
CREATE INDEX eye_rejected_events_time_idx ON eye_rejected_events (received_at_text);

CREATE VIEW events AS
    SELECT id, event_id, app_id, session_id, category, name,
           occurred_at_text AS occurred_at, received_at_text AS received_at, seq, data
      FROM eye_events;
COMMENT ON VIEW events IS
    'Stored events (contract relation). occurred_at/received_at are UTC text YYYY-MM-DD HH:MM:SS.ffffff; data is jsonb. The timestamptz originals are in eye_events.';

CREATE VIEW sessions AS
    SELECT session_id,
           eye_utc_text(first_seen_at) COLLATE "C" AS first_seen_at,
           eye_utc_text(last_seen_at) COLLATE "C" AS last_seen_at,
           event_count
      FROM eye_sessions;
COMMENT ON VIEW sessions IS
    'One row per session: earliest and latest occurred_at of its stored events (UTC text) and how many there are.';

CREATE VIEW rejected_events AS
    SELECT id, received_at_text AS received_at, app_id, reason, detail,
           event_id, session_id, category, name, raw
      FROM eye_rejected_events;
COMMENT ON VIEW rejected_events IS
    'One row per rejected event or malformed request (contract relation); received_at is UTC text.';
