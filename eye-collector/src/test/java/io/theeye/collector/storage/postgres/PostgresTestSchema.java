package io.theeye.collector.storage.postgres;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

/**
 * A throw-away schema in the test PostgreSQL server, so concurrent test runs never collide: created
 * on {@link #create()}, dropped with everything in it on {@link #close()}. The server is {@code
 * EYE_TEST_POSTGRES_URL} or {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}; when it does
 * not answer, the test is skipped (CI starts it, see {@code .ci/run}).
 */
public final class PostgresTestSchema implements AutoCloseable {

  /** The server the tests use. */
  public static final String SERVER_URL = System.getenv().getOrDefault("EYE_TEST_POSTGRES_URL",
      "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private final String schema;
  private final String url;

  private PostgresTestSchema(String schema) {
    this.schema = schema;
    this.url = SERVER_URL + (SERVER_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** Creates a fresh schema, or skips the test when the server is not reachable. */
  public static PostgresTestSchema create() throws SQLException {
    assumeTrue(reachable(), "PostgreSQL is not reachable at " + PostgresEventStore.redact(SERVER_URL));
    PostgresTestSchema s =
        new PostgresTestSchema("eye_test_" + UUID.randomUUID().toString().replace("-", ""));
    s.execute("CREATE SCHEMA " + s.schema);
    return s;
  }

  /** The JDBC URL of the schema: {@code --db} for a collector. */
  public String url() {
    return url;
  }

  /** The schema's name. */
  public String name() {
    return schema;
  }

  /** A new connection whose search_path is the schema; the caller closes it. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url);
  }

  /** Runs SQL in the schema. */
  public void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(SERVER_URL); Statement s = c.createStatement()) {
      s.execute("SET search_path = " + schema);
      s.execute(sql);
    }
  }

  /** Drops the schema and everything in it. */
  @Override
  public void close() throws SQLException {
    execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  private static boolean reachable() {
    Properties props = new Properties();
    props.setProperty("connectTimeout", "2");
    props.setProperty("loginTimeout", "3");
    try (Connection c = DriverManager.getConnection(SERVER_URL, props)) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }
}
