package io.theeye.collector.storage.postgres;

import io.theeye.collector.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and migrates the schema in the connection's current schema (the first existing entry of
 * {@code search_path}, e.g. set with {@code ?currentSchema=eye} in the URL).
 *
 * <p>Versions are recorded in {@code eye_schema_version}; each migration runs in its own transaction
 * with its version row. The whole check-and-migrate runs under a session-level {@code
 * pg_advisory_lock} keyed by the schema name, so collectors starting at once against an empty
 * database migrate one after the other: the first creates everything, the others find it done. If the
 * connection drops mid-migration, the server releases the lock and rolls the migration back.
 */
final class PostgresSchema {

  private static final Logger log = LoggerFactory.getLogger(PostgresSchema.class);

  /** First key of the two-key advisory lock: "EYE1". */
  private static final int LOCK_NAMESPACE = 0x45594531;

  /** Migrations in order; a migration, once released, is never edited: add the next one. */
  static final List<Migration> MIGRATIONS = List.of(
      new Migration(1, "contract relations", "V1__contract_relations.sql"));

  /** The version this code creates. */
  static final int LATEST = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

  private PostgresSchema() {}

  /**
   * Brings the schema up to {@link #LATEST} and records the applications. Leaves {@code c} in
   * auto-commit mode.
   *
   * @return the schema name migrated
   */
  static String migrate(Connection c, Set<String> applicationIds) throws SQLException, StorageException {
    c.setAutoCommit(true);
    String schema = currentSchema(c);
    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_lock(?, ?)")) {
      lock.setInt(1, LOCK_NAMESPACE);
      lock.setInt(2, schema.hashCode());
      lock.execute();
    }
    try {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS eye_schema_version ("
            + "version integer PRIMARY KEY, description text NOT NULL, "
            + "applied_at timestamptz NOT NULL DEFAULT now())");
      }
      int current = currentVersion(c);
      if (current > LATEST) {
        throw new StorageException("the PostgreSQL schema \"" + schema + "\" is at version " + current
            + ", newer than this collector knows (" + LATEST + "); upgrade the collector");
      }
      for (Migration m : MIGRATIONS) {
        if (m.version() > current) {
          apply(c, m);
          log.info("PostgreSQL schema \"{}\" migrated to version {} ({})", schema, m.version(),
              m.description());
        }
      }
      recordApplications(c, applicationIds);
    } finally {
      try (PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
        unlock.setInt(1, LOCK_NAMESPACE);
        unlock.setInt(2, schema.hashCode());
        unlock.execute();
      }
    }
    return schema;
  }

  /** The version recorded in {@code eye_schema_version}, 0 for none. */
  static int currentVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM eye_schema_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static String currentSchema(Connection c) throws SQLException, StorageException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_schema(), current_setting('search_path')")) {
      rs.next();
      String schema = rs.getString(1);
      if (schema == null) {
        throw new StorageException("no schema of the search_path \"" + rs.getString(2)
            + "\" exists in this PostgreSQL database; create it (CREATE SCHEMA ...) or name an "
            + "existing one with ?currentSchema= in the URL");
      }
      return schema;
    }
  }

  private static void apply(Connection c, Migration m) throws SQLException {
    String sql = m.load();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement();
        PreparedStatement record = c.prepareStatement(
            "INSERT INTO eye_schema_version (version, description) VALUES (?, ?)")) {
      s.execute(sql);
      record.setInt(1, m.version());
      record.setString(2, m.description());
      record.executeUpdate();
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  static void recordApplications(Connection c, Set<String> applicationIds) throws SQLException {
    if (applicationIds.isEmpty()) {
      return;
    }
    try (PreparedStatement insert = c.prepareStatement(
        "INSERT INTO applications (app_id) SELECT unnest(?::text[]) ON CONFLICT DO NOTHING")) {
      Array ids = c.createArrayOf("text", applicationIds.stream().sorted().toArray());
      insert.setArray(1, ids);
      insert.executeUpdate();
      ids.free();
    }
  }

  /** One schema version: its SQL script, a classpath resource beside this class. */
  record Migration(int version, String description, String resource) {

    String load() {
      try (InputStream in = PostgresSchema.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("migration script " + resource + " is missing from the jar");
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read migration script " + resource, e);
      }
    }
  }
}
