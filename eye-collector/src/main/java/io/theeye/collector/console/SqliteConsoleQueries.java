package io.theeye.collector.console;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * The console's questions to a SQLite file, asked on a read-only connection of its own: a reader in WAL
 * mode sees the last commit and never blocks the collector's writer. Every query is backed by an index
 * of the schema ({@code ConsoleQueryPlanTest} checks the plans); the tail never looks further back than
 * {@link #TAIL_WINDOW} rows.
 */
final class SqliteConsoleQueries implements AutoCloseable {

  /** The live tail looks at the newest this many events (and rejected rows) at most: {@value}. */
  static final long TAIL_WINDOW = 100_000;
  /** Rows one tail answer holds at most: {@value}. */
  static final int TAIL_LIMIT = 100;

  /** Rejections grouped by reason, application and event type in {@code [from, to)}; the latest row's detail and raw. */
  static final String ERRORS = """
      SELECT g.reason, a.app_id, g.category, g.name, g.count, g.first_seen, g.last_seen,
             l.detail AS latest_detail, l.raw AS latest_raw, l.event_id AS latest_event_id
        FROM (SELECT reason, app_key, category, name, count(*) AS count,
                     min(received_at) AS first_seen, max(received_at) AS last_seen, max(id) AS latest_id
                FROM eye_rejected
               WHERE received_at >= ? AND received_at < ?
               GROUP BY reason, app_key, category, name) AS g
        JOIN eye_rejected AS l ON l.id = g.latest_id
        JOIN eye_app AS a ON a.app_key = g.app_key
       ORDER BY g.count DESC, g.last_seen DESC""";

  /** Every event type that was ever stored or rejected. */
  static final String TYPES = "SELECT type_key, category, name FROM eye_event_type ORDER BY category, name";

  /** Events of one type. */
  static final String EVENTS_OF_TYPE = "SELECT count(*) FROM eye_event WHERE type_key = ?";

  /** Rejected rows of one type. */
  static final String REJECTED_OF_TYPE = "SELECT count(*) FROM eye_rejected WHERE category = ? AND name = ?";

  /** Events of one type by application. */
  static final String EVENTS_OF_TYPE_BY_APP = """
      SELECT a.app_id, count(*) AS events
        FROM eye_event AS e
        JOIN eye_app AS a ON a.app_key = e.app_key
       WHERE e.type_key = ?
       GROUP BY e.app_key""";

  /** Rejected rows of one reason by application and type. */
  static final String REJECTED_BY_REASON = """
      SELECT a.app_id, r.category, r.name, count(*) AS rejected
        FROM eye_rejected AS r
        JOIN eye_app AS a ON a.app_key = r.app_key
       WHERE r.reason = ?
       GROUP BY r.app_key, r.category, r.name""";

  /** Applications the database knows. */
  static final String APPLICATIONS = "SELECT app_id FROM eye_app ORDER BY app_id";

  /** The newest event id. */
  static final String MAX_EVENT_ID = "SELECT coalesce(max(id), 0) FROM eye_event";
  /** The newest rejected row id. */
  static final String MAX_REJECTED_ID = "SELECT coalesce(max(id), 0) FROM eye_rejected";

  /** Events after an id, newest first, each filter skipped when its parameter is null. */
  static final String TAIL_EVENTS = """
      SELECT e.id, e.event_id, a.app_id, s.session_id, t.category, t.name, e.occurred_at, e.received_at, e.seq, e.data
        FROM eye_event AS e
        JOIN eye_app AS a ON a.app_key = e.app_key
        JOIN eye_session AS s ON s.session_key = e.session_key
        JOIN eye_event_type AS t ON t.type_key = e.type_key
       WHERE e.id > ?
         AND (?2 IS NULL OR a.app_id = ?2) AND (?3 IS NULL OR t.category = ?3)
         AND (?4 IS NULL OR t.name = ?4) AND (?5 IS NULL OR s.session_id = ?5)
       ORDER BY e.id DESC LIMIT %d""".formatted(TAIL_LIMIT);

  /** Rejected rows after an id, newest first, each filter skipped when its parameter is null. */
  static final String TAIL_REJECTED = """
      SELECT r.id, r.event_id, a.app_id, r.session_id, r.category, r.name, r.received_at, r.reason, r.detail, r.raw
        FROM eye_rejected AS r
        JOIN eye_app AS a ON a.app_key = r.app_key
       WHERE r.id > ?
         AND (?2 IS NULL OR a.app_id = ?2) AND (?3 IS NULL OR r.category = ?3)
         AND (?4 IS NULL OR r.name = ?4) AND (?5 IS NULL OR r.session_id = ?5)
       ORDER BY r.id DESC LIMIT %d""".formatted(TAIL_LIMIT);

  private final Path file;
  private Connection connection;

  SqliteConsoleQueries(Path file) {
    this.file = file;
  }

  /** Every row of {@code sql} as column label → value, in order. */
  synchronized List<Map<String, Object>> rows(String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = connection().prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData meta = rs.getMetaData();
        List<Map<String, Object>> out = new ArrayList<>();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            row.put(meta.getColumnLabel(i), rs.getObject(i));
          }
          out.add(row);
        }
        return out;
      }
    } catch (SQLException e) {
      closeConnection();
      throw e;
    }
  }

  /** The single number {@code sql} answers. */
  long number(String sql, Object... params) throws SQLException {
    List<Map<String, Object>> rows = rows(sql, params);
    Object value = rows.isEmpty() ? null : rows.get(0).values().iterator().next();
    return value == null ? 0 : ((Number) value).longValue();
  }

  /** {@code EXPLAIN QUERY PLAN} of {@code sql}: the {@code detail} column of each step. */
  List<String> plan(String sql, Object... params) throws SQLException {
    List<String> steps = new ArrayList<>();
    for (Map<String, Object> row : rows("EXPLAIN QUERY PLAN " + sql, params)) {
      steps.add(String.valueOf(row.get("detail")));
    }
    return steps;
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      SQLiteConfig config = new SQLiteConfig();
      config.setReadOnly(true);
      config.setBusyTimeout(2_000);
      Connection c = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA query_only = ON");
        s.execute("PRAGMA cache_size = -8192");
      }
      connection = c;
    }
    return connection;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // A connection that failed is dropped; the next query opens a new one.
      }
      connection = null;
    }
  }

  @Override
  public synchronized void close() {
    closeConnection();
  }
}
