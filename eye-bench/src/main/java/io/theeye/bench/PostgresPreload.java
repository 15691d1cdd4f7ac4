package io.theeye.bench;

import io.theeye.collector.storage.EventRow;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.collector.storage.postgres.PgTimestamps;
import io.theeye.collector.storage.postgres.PostgresEventStore;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * Fills a PostgreSQL schema with synthetic events for benchmarks that need a large database to start
 * from: the same history as {@code SqlitePreload} ({@link SyntheticTraffic}: three applications, a
 * thousand concurrent sessions, 10 ms between events, ending an hour before now), loaded with {@code
 * COPY} while the secondary indexes and constraints of {@code eye_events} are dropped, then rebuilt —
 * minutes for ten million events instead of the better part of an hour through the store.
 *
 * <pre>{@code
 * long events = PostgresPreload.preload("jdbc:postgresql://127.0.0.1/test?currentSchema=eye_bench",
 *     "postgres", null, 10_000_000, 42);
 * }</pre>
 *
 * <p>Only for a database no collector is writing to: the indexes are missing while it loads.
 */
public final class PostgresPreload {

  private static final Duration STEP = Duration.ofMillis(10);

  private PostgresPreload() {}

  /**
   * Adds events until the schema holds at least {@code targetEvents}, creating the schema's tables
   * first if needed.
   *
   * @param jdbcUrl the database, with {@code currentSchema} naming an existing schema
   * @param user the user, or {@code null}
   * @param password the password, or {@code null}
   * @param targetEvents how many events the schema should hold
   * @param seed makes the sessions and payloads reproducible
   * @return the number of events afterwards
   * @throws StorageException when the database cannot be written
   */
  public static long preload(String jdbcUrl, String user, String password, long targetEvents, long seed)
      throws StorageException {
    try (PostgresEventStore store = PostgresEventStore.builder(jdbcUrl).user(user).password(password).build()) {
      store.open(new HashSet<>(SyntheticTraffic.APP_IDS));
    }
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    try (Connection c = DriverManager.getConnection(jdbcUrl, props); Statement s = c.createStatement()) {
      long present = count(s, "SELECT count(*) FROM eye_events");
      long missing = targetEvents - present;
      if (missing <= 0) {
        return present;
      }
      long lastId = count(s, "SELECT coalesce(max(id), 0) FROM eye_events");
      List<String> rebuild = dropSecondaryIndexes(s);
      Instant start = Instant.now().minus(Duration.ofHours(1)).minus(STEP.multipliedBy(missing));
      copyEvents(c, new SyntheticTraffic(seed + present, start, STEP), missing);
      s.execute("SET maintenance_work_mem = '256MB'");
      for (String ddl : rebuild) {
        s.execute(ddl);
      }
      s.execute("INSERT INTO eye_sessions AS x (session_id, first_seen_at, last_seen_at, event_count)"
          + " SELECT session_id, min(occurred_at), max(occurred_at), count(*) FROM eye_events"
          + " WHERE id > " + lastId + " GROUP BY session_id"
          + " ON CONFLICT (session_id) DO UPDATE SET"
          + " first_seen_at = LEAST(x.first_seen_at, EXCLUDED.first_seen_at),"
          + " last_seen_at = GREATEST(x.last_seen_at, EXCLUDED.last_seen_at),"
          + " event_count = x.event_count + EXCLUDED.event_count");
      s.execute("VACUUM ANALYZE eye_events");
      s.execute("VACUUM ANALYZE eye_sessions");
      return count(s, "SELECT count(*) FROM eye_events");
    } catch (SQLException | IOException e) {
      throw new StorageException("could not preload " + PostgresEventStore.redact(jdbcUrl) + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Drops the unique and foreign-key constraints and the indexes of {@code eye_events} other than its
   * primary key, returning the statements that rebuild them.
   */
  private static List<String> dropSecondaryIndexes(Statement s) throws SQLException {
    List<String> drop = new ArrayList<>();
    List<String> rebuild = new ArrayList<>();
    try (ResultSet rs = s.executeQuery("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        + " WHERE conrelid = 'eye_events'::regclass AND contype IN ('u', 'f') ORDER BY contype DESC")) {
      while (rs.next()) {
        drop.add("ALTER TABLE eye_events DROP CONSTRAINT " + rs.getString(1));
        rebuild.add("ALTER TABLE eye_events ADD CONSTRAINT " + rs.getString(1) + " " + rs.getString(2));
      }
    }
    try (ResultSet rs = s.executeQuery("SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)"
        + " FROM pg_index i WHERE i.indrelid = 'eye_events'::regclass AND NOT i.indisprimary"
        + " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)")) {
      while (rs.next()) {
        drop.add("DROP INDEX " + rs.getString(1));
        rebuild.add(rs.getString(2));
      }
    }
    for (String ddl : drop) {
      s.execute(ddl);
    }
    // Unique constraint first (it is also an index), foreign key last (it validates every row once).
    rebuild.sort((a, b) -> Integer.compare(rank(a), rank(b)));
    return rebuild;
  }

  private static int rank(String ddl) {
    return ddl.contains("UNIQUE") ? 0 : ddl.contains("FOREIGN KEY") ? 2 : 1;
  }

  private static void copyEvents(Connection c, SyntheticTraffic traffic, long events)
      throws SQLException, IOException {
    String copy = "COPY eye_events (app_id, event_id, session_id, category, name, occurred_at,"
        + " received_at, seq, data) FROM STDIN";
    PGConnection pg = c.unwrap(PGConnection.class);
    try (Writer out = new BufferedWriter(new OutputStreamWriter(new PGCopyOutputStream(pg, copy, 1 << 20),
        StandardCharsets.UTF_8), 1 << 20)) {
      long written = 0;
      while (written < events) {
        int n = (int) Math.min(1_000, events - written);
        WriteRequest request = traffic.nextRequest(n);
        String received = PgTimestamps.format(request.receivedAt());
        for (EventRow e : request.events()) {
          field(out, request.appId()).write('\t');
          field(out, e.eventId()).write('\t');
          field(out, e.sessionId()).write('\t');
          field(out, e.category()).write('\t');
          field(out, e.name()).write('\t');
          out.write(PgTimestamps.format(e.occurredAt()));
          out.write('\t');
          out.write(received);
          out.write('\t');
          out.write(e.seq() == null ? "\\N" : e.seq().toString());
          out.write('\t');
          field(out, e.dataJson()).write('\n');
        }
        written += n;
      }
    }
  }

  /** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
  private static Writer field(Writer out, String value) throws IOException {
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      switch (ch) {
        case '\\' -> out.write("\\\\");
        case '\t' -> out.write("\\t");
        case '\n' -> out.write("\\n");
        case '\r' -> out.write("\\r");
        default -> out.write(ch);
      }
    }
    return out;
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
