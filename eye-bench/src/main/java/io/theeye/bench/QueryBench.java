package io.theeye.bench;

import io.theeye.model.Timestamps;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * The analysts' use-case queries of PROTOCOL.md §4, run as an analyst would (a separate read-only
 * connection, every row fetched and every column read), each many times with realistic parameters: a
 * real session id drawn from the database, and 1-minute and 1-hour windows at random places in the
 * stored history.
 */
final class QueryBench {

  static final String SESSION = "SELECT * FROM events WHERE session_id = ? ORDER BY occurred_at, seq, id";
  static final String CATEGORY_RANGE = "SELECT * FROM events WHERE category = ? AND occurred_at BETWEEN ? AND ?";
  static final String RANGE = "SELECT * FROM events WHERE occurred_at BETWEEN ? AND ?";

  /** One query's figures. */
  record Timing(String name, String sql, int runs, double meanRows, double medianMs, double p99Ms, String plan) {}

  private final String jdbcUrl;
  private final SplittableRandom random = new SplittableRandom(11);

  QueryBench(Path db) {
    this.jdbcUrl = "jdbc:sqlite:file:" + db + "?mode=ro";
  }

  /** On the database at a JDBC URL: a SQLite one, or a {@code jdbc:postgresql:} one. */
  QueryBench(String jdbcUrl) {
    this.jdbcUrl = jdbcUrl;
  }

  /**
   * Runs every query {@code runs} times ({@code longRuns} for the 1-hour windows, which return hundreds
   * of thousands of rows) over history between {@code from} and {@code to}.
   */
  List<Timing> run(int runs, int longRuns, Instant from, Instant to) throws SQLException {
    List<Timing> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      List<String> sessions = sampleSessions(c, 200);
      String category = "page interaction";
      out.add(time(c, "session_timeline", SESSION, runs, () -> new Object[] {pick(sessions)}));
      for (Duration window : new Duration[] {Duration.ofMinutes(1), Duration.ofHours(1)}) {
        int n = window.toMinutes() > 1 ? longRuns : runs;
        String label = window.toMinutes() > 1 ? "1h" : "1min";
        out.add(time(c, "category_" + label, CATEGORY_RANGE, n, () -> {
          String[] r = window(from, to, window);
          return new Object[] {category, r[0], r[1]};
        }));
        out.add(time(c, "range_" + label, RANGE, n, () -> {
          String[] r = window(from, to, window);
          return new Object[] {r[0], r[1]};
        }));
        out.add(time(c, "range_" + label + "_first_100", RANGE + " ORDER BY occurred_at LIMIT 100", n, () -> {
          String[] r = window(from, to, window);
          return new Object[] {r[0], r[1]};
        }));
      }
    }
    return out;
  }

  private Timing time(Connection c, String name, String sql, int runs, java.util.function.Supplier<Object[]> params)
      throws SQLException {
    Histogram micros = new Histogram(3);
    long rows = 0;
    String plan = plan(c, sql, params.get());
    try (PreparedStatement q = c.prepareStatement(sql)) {
      for (int run = 0; run < runs; run++) {
        Object[] p = params.get();
        for (int i = 0; i < p.length; i++) {
          q.setObject(i + 1, p[i]);
        }
        long start = System.nanoTime();
        try (ResultSet rs = q.executeQuery()) {
          int columns = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int col = 1; col <= columns; col++) {
              rs.getObject(col);
            }
            rows++;
          }
        }
        micros.recordValue((System.nanoTime() - start) / 1000);
      }
    }
    return new Timing(name, sql, runs, (double) rows / runs, micros.getValueAtPercentile(50) / 1000.0,
        micros.getValueAtPercentile(99) / 1000.0, plan);
  }

  /** EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (PostgreSQL), one line: the proof that an index answers it. */
  private String plan(Connection c, String sql, Object[] params) throws SQLException {
    boolean postgres = jdbcUrl.startsWith("jdbc:postgresql:");
    try (PreparedStatement q = c.prepareStatement((postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql)) {
      for (int i = 0; i < params.length; i++) {
        q.setObject(i + 1, params[i]);
      }
      StringBuilder b = new StringBuilder();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          if (b.length() > 0) {
            b.append(" | ");
          }
          b.append(postgres ? rs.getString(1).strip() : rs.getString("detail"));
        }
      }
      return b.toString();
    }
  }

  /** Real session ids, from events spread over the table. */
  private List<String> sampleSessions(Connection c, int n) throws SQLException {
    List<String> out = new ArrayList<>();
    long maxId;
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT max(id) FROM events")) {
      rs.next();
      maxId = rs.getLong(1);
    }
    try (PreparedStatement q = c.prepareStatement("SELECT session_id FROM events WHERE id >= ? ORDER BY id LIMIT 1")) {
      for (int i = 0; i < n; i++) {
        q.setLong(1, 1 + random.nextLong(Math.max(1, maxId)));
        try (ResultSet rs = q.executeQuery()) {
          if (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
    }
    if (out.isEmpty()) {
      throw new SQLException("the database holds no event to draw a session from");
    }
    return out;
  }

  private String pick(List<String> values) {
    return values.get(random.nextInt(values.size()));
  }

  private String[] window(Instant from, Instant to, Duration width) {
    long span = Math.max(1, to.getEpochSecond() - from.getEpochSecond() - width.getSeconds());
    Instant start = from.plusSeconds(random.nextLong(span));
    return new String[] {Timestamps.format(start), Timestamps.format(start.plus(width))};
  }
}
