package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.storage.EventStore;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteSync;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one place the integration tests learn which database they run against. Everything else talks
 * to a real collector over real HTTP and reads the contract relations of PROTOCOL.md §4 with SQL.
 *
 * <p>To run the same tests against another backend, subclass the test classes and override
 * {@link #database()}.
 */
abstract class CollectorTestSupport {

  static final String APP = "shop";
  static final String KEY = "shop-key-1";
  static final String SECRET = "shop-secret-0123456789abcdef";

  @TempDir Path tempDir;

  private final List<Collector> started = new ArrayList<>();

  /** The database of this test class; override to run the same tests against another backend. */
  protected TestDatabase database() {
    return sqlite;
  }

  private final TestDatabase sqlite = new TestDatabase() {
    @Override
    public String db() {
      return tempDir.resolve("eye.db").toString();
    }

    @Override
    public Connection openDatabase() throws SQLException {
      return DriverManager.getConnection("jdbc:sqlite:" + db());
    }

    @Override
    public AutoCloseable holdWrites() throws SQLException {
      Connection c = openDatabase();
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
      }
      return () -> {
        try (Statement s = c.createStatement()) {
          s.execute("ROLLBACK");
        } finally {
          c.close();
        }
      };
    }

    @Override
    public EventStore storeFailingFast() {
      return new SqliteEventStore(Path.of(db()), SqliteSync.FULL, Duration.ofMillis(200));
    }

    @Override
    public EventStore storeWaitingLong() {
      return new SqliteEventStore(Path.of(db()), SqliteSync.FULL, Duration.ofSeconds(60));
    }
  };

  /** {@link TestDatabase#db()} of {@link #database()}. */
  protected final String db() {
    return database().db();
  }

  /** {@link TestDatabase#openDatabase()} of {@link #database()}. */
  protected final Connection openDatabase() throws SQLException {
    return database().openDatabase();
  }

  /** {@link TestDatabase#holdWrites()} of {@link #database()}. */
  protected final AutoCloseable holdWrites() throws SQLException {
    return database().holdWrites();
  }

  /** {@link TestDatabase#storeFailingFast()} of {@link #database()}. */
  protected final EventStore storeFailingFast() {
    return database().storeFailingFast();
  }

  /** {@link TestDatabase#storeWaitingLong()} of {@link #database()}. */
  protected final EventStore storeWaitingLong() {
    return database().storeWaitingLong();
  }

  /** A collector builder on port 0 and {@link #db()} with the test application's key. */
  protected Collector.Builder builder() {
    return Collector.builder().port(0).db(db()).app(APP, KEY, SECRET);
  }

  /** Starts a collector (closed after the test). */
  protected Collector start(Consumer<Collector.Builder> customize) throws Exception {
    Collector.Builder b = builder();
    customize.accept(b);
    Collector c = b.start();
    started.add(c);
    return c;
  }

  /** Starts a collector with the defaults (closed after the test). */
  protected Collector start() throws Exception {
    return start(b -> {});
  }

  @AfterEach
  void closeCollectors() {
    started.forEach(Collector::close);
  }

  // ------------------------------------------------------------------ SQL helpers

  /** Every row of a query as column → value maps, in order. */
  protected List<Map<String, Object>> rows(String sql, Object... params) throws SQLException {
    try (Connection c = openDatabase(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<Map<String, Object>> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= n; i++) {
            row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), rs.getObject(i));
          }
          out.add(row);
        }
        return out;
      }
    }
  }

  /** A single number from a query. */
  protected long count(String sql, Object... params) throws SQLException {
    List<Map<String, Object>> r = rows(sql, params);
    assertThat(r).hasSize(1);
    return ((Number) r.get(0).values().iterator().next()).longValue();
  }

  /** Rows in {@code events} plus rows in {@code rejected_events}. */
  protected long storedRows() throws SQLException {
    return count("SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM rejected_events)");
  }
}
