package io.theeye.collector.storage.sqlite;

import io.theeye.collector.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import org.sqlite.SQLiteConfig;

/**
 * A consistent copy of a live collector database with SQLite's {@code VACUUM INTO}: one read
 * transaction, so the copy holds exactly what was committed when it began, and the collector's writer
 * is never blocked (WAL readers do not block writers). The copy is compact (no free pages) and a plain
 * database file without a WAL, ready to be put in place of the original.
 *
 * <pre>{@code
 * SqliteBackup.Result r = SqliteBackup.copy(Path.of("/var/lib/eye/eye.db"), Path.of("/backups/eye.db"));
 * }</pre>
 */
public final class SqliteBackup {

  /**
   * What the copy holds.
   *
   * @param events rows of {@code events} in the copy
   * @param bytes the copy's size
   * @param check the copy's {@code PRAGMA quick_check}: {@code ok} when sound
   */
  public record Result(long events, long bytes, String check) {}

  private SqliteBackup() {}

  /**
   * Copies {@code database} to {@code copy}, which must not exist: first into {@code copy.partial} in
   * the same directory, then renamed, so a failed backup leaves no half copy under the final name.
   *
   * @throws StorageException when the database cannot be read or the copy written
   */
  public static Result copy(Path database, Path copy) throws StorageException {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(copy, "copy");
    if (!Files.isRegularFile(database)) {
      throw new StorageException("there is no database file " + database);
    }
    if (Files.exists(copy)) {
      throw new StorageException(copy + " exists already; a backup never overwrites a file");
    }
    Path partial = copy.resolveSibling(copy.getFileName() + ".partial");
    try {
      Files.deleteIfExists(partial);
      try (Connection c = open(database); PreparedStatement vacuum = c.prepareStatement("VACUUM INTO ?")) {
        vacuum.setString(1, partial.toAbsolutePath().toString());
        vacuum.execute();
      }
      Result result;
      try (Connection c = open(partial); Statement s = c.createStatement()) {
        result = new Result(single(s, "SELECT count(*) FROM eye_event"), Files.size(partial),
            singleText(s, "PRAGMA quick_check"));
      }
      Files.move(partial, copy, StandardCopyOption.ATOMIC_MOVE);
      return result;
    } catch (SQLException | IOException e) {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw new StorageException("could not back up " + database + " to " + copy + ": " + e.getMessage(), e);
    }
  }

  private static Connection open(Path file) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout((int) SqliteEventStore.DEFAULT_BUSY_TIMEOUT_MILLIS);
    return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
  }

  private static long single(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String singleText(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
