package io.theeye.collector.storage.sqlite;

import io.theeye.model.Reason;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQLite schema as a list of migrations, applied at startup under {@code PRAGMA user_version}.
 *
 * <p>Version {@code n} of the schema is reached by running migrations {@code 1..n} in order; each runs in
 * the same transaction as the {@code user_version} bump, so a crash mid-migration leaves the previous
 * version intact. To evolve the schema, append a {@link Migration} with the next version number: never
 * edit a published one, since existing files have already run it.
 *
 * <p>Physical tables are prefixed {@code eye_}; the contract relations of the protocol ({@code events},
 * {@code sessions}, {@code rejected_events}, {@code applications}) are views over them. Nothing here
 * needs a SQLite newer than 3.40 (no STRICT tables, no JSONB, no {@code ->>} in views, no
 * {@code unixepoch()}), so Debian 12's {@code sqlite3} reads the file.
 */
final class SqliteSchema {

  /** One step from {@code version - 1} to {@code version}. */
  record Migration(int version, String description, List<String> statements) {}

  /** Fixed-width storage time {@code YYYY-MM-DD HH:MM:SS.ffffff}: text order is time order. */
  private static final String TIME_GLOB =
      "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]'";

  /**
   * The same guarantee, cheaply, for the event table's hot path: fixed width with a space between date
   * and time (a GLOB on every event cost about 10% of ingest throughput).
   */
  private static final String EVENT_TIME_CHECK = "length(%1$s) = 26 AND substr(%1$s, 11, 1) = ' '";

  /**
   * Non-empty and at most {@code maxChars} characters of the protocol (UTF-16 units, at most 4 UTF-8
   * bytes each). Counted in bytes because SQLite's {@code length()} of text stops at the first U+0000,
   * which JSON strings may contain: a valid event must never fail the schema.
   */
  private static String textLength(String column, int maxChars) {
    return "%1$s <> '' AND length(CAST(%1$s AS BLOB)) <= %2$d".formatted(column, 4 * maxChars);
  }

  private static final String REASON_CODES = Arrays.stream(Reason.values())
      .map(r -> "'" + r.code() + "'")
      .collect(Collectors.joining(", "));

  /** The {@code events} relation: the same in every version so far. */
  private static final String EVENTS_VIEW = """
      CREATE VIEW events
        (id, event_id, app_id, session_id, category, name, occurred_at, received_at, seq, data) AS
      SELECT e.id, e.event_id, a.app_id, s.session_id, t.category, t.name,
             e.occurred_at, e.received_at, e.seq, e.data
        FROM eye_event AS e
        JOIN eye_app AS a ON a.app_key = e.app_key
        JOIN eye_session AS s ON s.session_key = e.session_key
        JOIN eye_event_type AS t ON t.type_key = e.type_key""";

  private static final Migration V1 = new Migration(1, "initial schema", List.of(
      """
      CREATE TABLE eye_app (
        app_key INTEGER PRIMARY KEY,
        app_id  TEXT NOT NULL UNIQUE CHECK (app_id <> '')
      )""",
      """
      CREATE TABLE eye_event_type (
        type_key INTEGER PRIMARY KEY,
        category TEXT NOT NULL CHECK (%1$s),
        name     TEXT NOT NULL CHECK (%2$s),
        UNIQUE (category, name)
      )""".formatted(textLength("category", 128), textLength("name", 128)),
      """
      CREATE TABLE eye_session (
        session_key   INTEGER PRIMARY KEY,
        session_id    TEXT NOT NULL UNIQUE CHECK (%2$s),
        first_seen_at TEXT NOT NULL CHECK (first_seen_at GLOB %1$s),
        last_seen_at  TEXT NOT NULL CHECK (last_seen_at GLOB %1$s),
        event_count   INTEGER NOT NULL CHECK (typeof(event_count) = 'integer' AND event_count > 0),
        CHECK (first_seen_at <= last_seen_at)
      )""".formatted(TIME_GLOB, textLength("session_id", 128)),
      // The session key is deferred: a transaction inserts a new session's events first and the session
      // row (with its exact aggregates) after them. data is JSON text the collector serialized from a
      // parsed object; json_valid on every event cost about 10% of ingest throughput, so the schema
      // checks only that it is an object's text.
      """
      CREATE TABLE eye_event (
        id          INTEGER PRIMARY KEY,
        app_key     INTEGER NOT NULL REFERENCES eye_app (app_key),
        event_id    TEXT NOT NULL CHECK (%3$s),
        session_key INTEGER NOT NULL
                    REFERENCES eye_session (session_key) DEFERRABLE INITIALLY DEFERRED,
        type_key    INTEGER NOT NULL REFERENCES eye_event_type (type_key),
        occurred_at TEXT NOT NULL CHECK (%1$s),
        received_at TEXT NOT NULL CHECK (%2$s),
        seq         INTEGER CHECK (seq IS NULL OR (typeof(seq) = 'integer' AND seq >= 0)),
        data        TEXT NOT NULL CHECK (substr(data, 1, 1) = '{')
      )""".formatted(EVENT_TIME_CHECK.formatted("occurred_at"), EVENT_TIME_CHECK.formatted("received_at"),
          textLength("event_id", 64)),
      // Idempotency: one row per (application, event_id), forever. UUIDv7 ids make it append-mostly.
      "CREATE UNIQUE INDEX eye_event_app_event_id ON eye_event (app_key, event_id)",
      // A session's events. Narrow on purpose: a session is a visit, tens to hundreds of events, which
      // the session query sorts in a temporary B-tree; time and seq in the key would double its size.
      "CREATE INDEX eye_event_session ON eye_event (session_key)",
      // A category's (or an event type's) events in a time range.
      "CREATE INDEX eye_event_type_time ON eye_event (type_key, occurred_at)",
      // All events in a time range.
      "CREATE INDEX eye_event_time ON eye_event (occurred_at)",
      """
      CREATE TABLE eye_rejected (
        id          INTEGER PRIMARY KEY,
        received_at TEXT NOT NULL CHECK (received_at GLOB %1$s),
        app_key     INTEGER NOT NULL REFERENCES eye_app (app_key),
        reason      TEXT NOT NULL CHECK (reason IN (%2$s)),
        detail      TEXT NOT NULL,
        event_id    TEXT,
        session_id  TEXT,
        category    TEXT,
        name        TEXT,
        raw         TEXT
      )""".formatted(TIME_GLOB, REASON_CODES),
      "CREATE INDEX eye_rejected_received ON eye_rejected (received_at)",
      "CREATE INDEX eye_rejected_app ON eye_rejected (app_key)",
      "CREATE VIEW applications (app_id) AS SELECT app_id FROM eye_app",
      EVENTS_VIEW,
      """
      CREATE VIEW sessions (session_id, first_seen_at, last_seen_at, event_count) AS
      SELECT session_id, first_seen_at, last_seen_at, event_count FROM eye_session""",
      """
      CREATE VIEW rejected_events
        (id, received_at, app_id, reason, detail, event_id, session_id, category, name, raw) AS
      SELECT r.id, r.received_at, a.app_id, r.reason, r.detail,
             r.event_id, r.session_id, r.category, r.name, r.raw
        FROM eye_rejected AS r
        JOIN eye_app AS a ON a.app_key = r.app_key"""));

  /**
   * Session aggregates derived from the events instead of stored. Version 1 kept {@code first_seen_at},
   * {@code last_seen_at} and {@code event_count} in each session's row, so every event also rewrote its
   * session's row: a page of the session table per event that no other event of the commit shared,
   * measured at a fifth to a quarter of the writer's CPU per event. Now a session row is written once,
   * when the session is first seen, and the {@code sessions} view reads the aggregates from the session
   * index, which carries {@code occurred_at}: the earliest and latest are one index probe each, the count
   * a scan of the session's index entries (no table rows). Exact by construction, whoever writes.
   *
   * <p>Rebuilding {@code eye_session} drops a table that {@code eye_event} references, so it runs with
   * foreign keys off ({@link #migrate}); the rows are copied with their keys unchanged.
   */
  private static final Migration V2 = new Migration(2, "session aggregates derived from the events", List.of(
      "DROP VIEW sessions",
      "DROP VIEW events",
      """
      CREATE TABLE eye_session_v2 (
        session_key INTEGER PRIMARY KEY,
        session_id  TEXT NOT NULL UNIQUE CHECK (%1$s)
      )""".formatted(textLength("session_id", 128)),
      "INSERT INTO eye_session_v2 (session_key, session_id) SELECT session_key, session_id FROM eye_session",
      "DROP TABLE eye_session",
      "ALTER TABLE eye_session_v2 RENAME TO eye_session",
      // A session's events in time order; also what the sessions view aggregates.
      "DROP INDEX eye_event_session",
      "CREATE INDEX eye_event_session ON eye_event (session_key, occurred_at)",
      EVENTS_VIEW,
      """
      CREATE VIEW sessions (session_id, first_seen_at, last_seen_at, event_count) AS
      SELECT s.session_id,
             (SELECT min(e.occurred_at) FROM eye_event AS e WHERE e.session_key = s.session_key),
             (SELECT max(e.occurred_at) FROM eye_event AS e WHERE e.session_key = s.session_key),
             (SELECT count(*) FROM eye_event AS e WHERE e.session_key = s.session_key)
        FROM eye_session AS s"""));

  /**
   * Replayed rejected rows are marked, not deleted ({@code eye-collector.jar replay}): when and as which
   * event. Columns added at the end of {@code rejected_events}; the others are unchanged.
   */
  private static final Migration V3 = new Migration(3, "rejected rows record their replay", List.of(
      "ALTER TABLE eye_rejected ADD COLUMN replayed_at TEXT CHECK (replayed_at IS NULL OR replayed_at GLOB %1$s)"
          .formatted(TIME_GLOB),
      "ALTER TABLE eye_rejected ADD COLUMN replayed_event_id TEXT",
      "DROP VIEW rejected_events",
      """
      CREATE VIEW rejected_events
        (id, received_at, app_id, reason, detail, event_id, session_id, category, name, raw,
         replayed_at, replayed_event_id) AS
      SELECT r.id, r.received_at, a.app_id, r.reason, r.detail,
             r.event_id, r.session_id, r.category, r.name, r.raw, r.replayed_at, r.replayed_event_id
        FROM eye_rejected AS r
        JOIN eye_app AS a ON a.app_key = r.app_key"""));

  /**
   * Indexes for the admin console's questions about rejections: volume and share per event type, and
   * the unknown types each application sent. Rejected rows are few next to events, so their indexes
   * cost ingest little; the events' own questions use the indexes they already had.
   */
  private static final Migration V4 = new Migration(4, "indexes for the console's rejection queries", List.of(
      "CREATE INDEX eye_rejected_type ON eye_rejected (category, name)",
      "CREATE INDEX eye_rejected_reason ON eye_rejected (reason, app_key, category, name)"));

  /** Every migration, in version order. Append only. */
  static final List<Migration> MIGRATIONS = List.of(V1, V2, V3, V4);

  private SqliteSchema() {}

  /** The version a fully migrated file has. */
  static int latestVersion() {
    return MIGRATIONS.get(MIGRATIONS.size() - 1).version();
  }

  /**
   * Brings the database to {@link #latestVersion()} in one immediate transaction, so two collectors
   * starting together on one file migrate it once. Foreign keys are off meanwhile (a migration may
   * rebuild a referenced table; SQLite ignores the pragma inside a transaction, so it is set here) and
   * on again afterwards, whatever happened.
   *
   * @return the version the file had before
   * @throws SQLException when the file was written by a newer collector, or a statement fails
   */
  static int migrate(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA foreign_keys = OFF");
      try {
        return migrate(statement);
      } finally {
        statement.execute("PRAGMA foreign_keys = ON");
      }
    }
  }

  private static int migrate(Statement statement) throws SQLException {
    statement.execute("BEGIN IMMEDIATE");
    try {
      int found = userVersion(statement);
      if (found > latestVersion()) {
        throw new SQLException("the database has schema version " + found
            + " but this collector knows versions up to " + latestVersion()
            + "; use a newer collector");
      }
      for (Migration migration : MIGRATIONS) {
        if (migration.version() > found) {
          for (String sql : migration.statements()) {
            statement.execute(sql);
          }
        }
      }
      if (found != latestVersion()) {
        statement.execute("PRAGMA user_version = " + latestVersion());
      }
      statement.execute("COMMIT");
      return found;
    } catch (SQLException e) {
      try {
        statement.execute("ROLLBACK");
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      throw e;
    }
  }

  static int userVersion(Statement statement) throws SQLException {
    try (ResultSet rs = statement.executeQuery("PRAGMA user_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
