package io.theeye.testsupport;


import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * A throw-away schema in the test PostgreSQL server, so concurrent test runs never collide: created
 * on {@link #create()}, dropped with everything in it on {@link #close()}. The server is {@code
 * EYE_TEST_POSTGRES_URL} or {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}; when it does
 * not answer, the test is skipped on a developer's machine and fails under {@code CI=true} (CI starts
 * the server, see {@code .ci/run}, so a silent skip there would hide every PostgreSQL test).
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

  /** Creates a fresh schema; see {@link #requireServer()} for a server that is not reachable. */
  public static PostgresTestSchema create() throws SQLException {
    requireServer();
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

  /**
   * Returns when the test server answers. Otherwise fails the test when the environment variable
   * {@code CI} is {@code true}, and skips it when not: the one place every PostgreSQL test decides.
   */
  public static void requireServer() {
    Requirements.require(reachable(), "PostgreSQL is not reachable at " + server());
  }

  /** The server URL without its parameters, so that no password in it is ever printed. */
  private static String server() {
    int query = SERVER_URL.indexOf('?');
    return query < 0 ? SERVER_URL : SERVER_URL.substring(0, query);
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

  /** Every stored {@code event_id}, through the {@code events} view. */
  public List<String> eventIds() throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Connection c = connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT event_id FROM events")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  /**
   * Sessions whose row disagrees with their stored events (count, first and last {@code occurred_at}),
   * or that exist on one side only: 0 when the session rows are exact.
   */
  public int sessionMismatches() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM sessions s FULL JOIN"
            + " (SELECT session_id, count(*) AS n, min(occurred_at) AS f, max(occurred_at) AS l"
            + " FROM events GROUP BY session_id) e USING (session_id)"
            + " WHERE s.event_count IS DISTINCT FROM e.n OR s.first_seen_at IS DISTINCT FROM e.f"
            + " OR s.last_seen_at IS DISTINCT FROM e.l")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
