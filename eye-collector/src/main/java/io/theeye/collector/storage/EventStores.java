package io.theeye.collector.storage;

import io.theeye.collector.storage.postgres.PostgresEventStore;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteSync;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * The one place a {@code --db} value becomes an {@link EventStore}: a file path is a SQLite database, a
 * {@code jdbc:postgresql:} URL is the PostgreSQL backend.
 */
public final class EventStores {

  /** The prefix of PostgreSQL JDBC URLs: {@value}. */
  public static final String POSTGRES_PREFIX = "jdbc:postgresql:";

  private EventStores() {}

  /**
   * Creates (but does not open) the store named by {@code db}, without database credentials.
   *
   * @see #create(String, SqliteSync, String, String)
   */
  public static EventStore create(String db, SqliteSync sync) {
    return create(db, sync, null, null);
  }

  /**
   * Creates (but does not open) the store named by {@code db}.
   *
   * @param db a SQLite file path, or a {@code jdbc:postgresql://HOST:PORT/DB} URL
   * @param sync SQLite's commit durability; ignored by other backends
   * @param user the PostgreSQL user, or {@code null} (the URL's {@code user=}, or the driver's default);
   *     ignored by SQLite
   * @param password the PostgreSQL password, or {@code null}; ignored by SQLite
   * @throws IllegalArgumentException when {@code db} names a backend that is not available
   */
  public static EventStore create(String db, SqliteSync sync, String user, String password) {
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(sync, "sync");
    if (db.isBlank()) {
      throw new IllegalArgumentException("db must be a file path or a jdbc:postgresql: URL");
    }
    if (db.toLowerCase(Locale.ROOT).startsWith(POSTGRES_PREFIX)) {
      return PostgresEventStore.builder(db).user(user).password(password).build();
    }
    if (db.toLowerCase(Locale.ROOT).startsWith("jdbc:")) {
      throw new IllegalArgumentException("unsupported database URL " + describe(db)
          + "; use a SQLite file path or a jdbc:postgresql: URL");
    }
    return new SqliteEventStore(Path.of(db), sync);
  }

  /** {@code db} safe to print: a URL loses its query string (which may carry a password). */
  public static String describe(String db) {
    int query = db.indexOf('?');
    return query < 0 ? db : db.substring(0, query) + "?…";
  }
}
