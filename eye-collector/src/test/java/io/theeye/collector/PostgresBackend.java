package io.theeye.collector;

import io.theeye.collector.storage.EventStore;
import io.theeye.collector.storage.postgres.PostgresEventStore;
import io.theeye.testsupport.PostgresTestSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The PostgreSQL side of the integration tests: a fresh schema per test (dropped after the test's
 * collectors are closed), and PostgreSQL's {@link TestDatabase}. A test class runs against PostgreSQL
 * by registering this extension and returning it from {@code database()}; the test is skipped when the
 * server is not reachable.
 */
final class PostgresBackend implements TestDatabase, BeforeEachCallback, AfterEachCallback {

  /** In every URL: trust authentication ignores it, and no output may ever show it. */
  static final String DB_PASSWORD = "pg-password-never-printed-7d3";

  private PostgresTestSchema schema;

  @Override
  public void beforeEach(ExtensionContext context) throws SQLException {
    schema = PostgresTestSchema.create();
  }

  @Override
  public void afterEach(ExtensionContext context) throws SQLException {
    if (schema != null) {
      schema.close();
    }
  }

  /** The {@code --db} URL of the test's schema. */
  @Override
  public String db() {
    return schema.url() + "&password=" + DB_PASSWORD;
  }

  @Override
  public Connection openDatabase() throws SQLException {
    return schema.connect();
  }

  /**
   * Blocks the collector's writes (its transaction waits on a table lock) until closed. Only after a
   * collector created the schema.
   */
  @Override
  public AutoCloseable holdWrites() throws SQLException {
    Connection c = schema.connect();
    try (Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("LOCK TABLE eye_events, eye_sessions, eye_rejected_events IN EXCLUSIVE MODE");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return () -> {
      try {
        c.rollback();
      } finally {
        c.close();
      }
    };
  }

  /** A store that gives up after 200 ms waiting for a lock (PostgreSQL's {@code lock_timeout}). */
  @Override
  public EventStore storeFailingFast() {
    return PostgresEventStore.builder(db() + "&options=-c%20lock_timeout%3D200")
        .startupTimeout(Duration.ZERO)
        .build();
  }

  /** A store that waits up to a minute on a held lock: the test decides when the writer goes on. */
  @Override
  public EventStore storeWaitingLong() {
    return PostgresEventStore.builder(db())
        .startupTimeout(Duration.ZERO)
        .writeTimeout(Duration.ofSeconds(60))
        .build();
  }
}
