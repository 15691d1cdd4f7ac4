package io.theeye.bench;

import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteSync;
import java.nio.file.Path;
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
import java.util.Set;

/**
 * Fills a SQLite database with synthetic events through the collector's own storage code ({@link
 * SqliteEventStore}), for benchmarks that need a large database to start from.
 *
 * <pre>{@code
 * long events = SqlitePreload.preload(Path.of("bench.db"), 10_000_000, SqliteSync.NORMAL, 42);
 * }</pre>
 *
 * <p>The generated history ({@link SyntheticTraffic}: three applications, a thousand concurrent
 * sessions, 10 ms between events) ends one hour before now, so traffic sent afterwards with current
 * timestamps sorts after it.
 */
public final class SqlitePreload {

  /** Events per generated request: {@value}. */
  public static final int EVENTS_PER_REQUEST = 1_000;

  /** Requests per transaction: {@value}. */
  public static final int REQUESTS_PER_TRANSACTION = 20;

  private static final Duration STEP = Duration.ofMillis(10);

  private SqlitePreload() {}

  /**
   * Adds events to {@code file} (created when missing) until it holds at least {@code targetEvents}.
   *
   * @param file the database
   * @param targetEvents how many events the database should hold
   * @param sync {@link SqliteSync#NORMAL} is enough for a preload and faster
   * @param seed makes the sessions and payloads reproducible
   * @return the number of events in the database afterwards
   * @throws StorageException when the database cannot be written
   */
  public static long preload(Path file, long targetEvents, SqliteSync sync, long seed)
      throws StorageException {
    return preload(file, targetEvents, sync, seed, Instant.now().minus(Duration.ofHours(1)), STEP);
  }

  /**
   * As {@link #preload(Path, long, SqliteSync, long)}, with the generated history ending at {@code end}
   * and {@code step} between its events: {@code n} missing events span {@code n × step} before {@code
   * end}, and each request's {@code received_at} is the time of its last event (what retention reads).
   *
   * @param end the simulated time at which the added history ends
   * @param step how far the simulated clock advances per event
   */
  public static long preload(Path file, long targetEvents, SqliteSync sync, long seed, Instant end, Duration step)
      throws StorageException {
    long present = countEvents(file);
    long missing = targetEvents - present;
    if (missing <= 0) {
      return present;
    }
    Instant start = end.minus(step.multipliedBy(missing));
    SyntheticTraffic traffic = new SyntheticTraffic(seed + present, start, step);
    try (SqliteEventStore store = new SqliteEventStore(file, sync)) {
      store.open(new HashSet<>(SyntheticTraffic.APP_IDS));
      long written = 0;
      while (written < missing) {
        List<WriteRequest> requests = new ArrayList<>(REQUESTS_PER_TRANSACTION);
        for (int r = 0; r < REQUESTS_PER_TRANSACTION && written < missing; r++) {
          int n = (int) Math.min(EVENTS_PER_REQUEST, missing - written);
          requests.add(traffic.nextRequest(n));
          written += n;
        }
        store.write(requests);
      }
    }
    return countEvents(file);
  }

  /** The number of events in {@code file}, or 0 when it has no schema yet. */
  public static long countEvents(Path file) throws StorageException {
    if (!file.toFile().exists()) {
      return 0;
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        Statement s = c.createStatement()) {
      Set<String> tables = new HashSet<>();
      try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      if (!tables.contains("eye_event")) {
        return 0;
      }
      // Nothing is deleted from a preload (retention is off while it is built), so the largest id is the
      // count, without a full scan.
      try (ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM eye_event")) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new StorageException("could not count the events in " + file + ": " + e.getMessage(), e);
    }
  }
}
