package io.theeye.collector.storage;

import io.theeye.collector.storage.postgres.PostgresEventStore;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * The one place a {@code --db} value names a backend: a file path is a SQLite database, a {@code
 * jdbc:postgresql:} URL is the PostgreSQL backend. Each backend's own options (SQLite's durability,
 * PostgreSQL's credentials and timeouts) are set on that store's constructor or builder.
 *
 * <pre>{@code
 * EventStore store = EventStores.isPostgres(db)
 *     ? PostgresEventStore.builder(db).user("eye").build()
 *     : new SqliteEventStore(Path.of(db), SqliteSync.NORMAL);
 * }</pre>
 */
public final class EventStores {

  /** The prefix of PostgreSQL JDBC URLs: {@value}. */
  public static final String POSTGRES_PREFIX = "jdbc:postgresql:";

  private EventStores() {}

  /**
   * Creates (but does not open) the store named by {@code db}, with that backend's defaults.
   *
   * @param db a SQLite file path, or a {@code jdbc:postgresql://HOST:PORT/DB} URL (the driver's own
   *     {@code ?user=&password=} parameters work)
   * @throws IllegalArgumentException when {@code db} names a backend that is not available
   */
  public static EventStore create(String db) {
    requireSupported(db);
    return isPostgres(db) ? PostgresEventStore.builder(db).build() : new SqliteEventStore(Path.of(db));
  }

  /** Whether {@code db} is a PostgreSQL JDBC URL (any case of the prefix). */
  public static boolean isPostgres(String db) {
    return db.toLowerCase(Locale.ROOT).startsWith(POSTGRES_PREFIX);
  }

  /**
   * Checks that {@code db} is a SQLite file path or a PostgreSQL URL.
   *
   * @throws IllegalArgumentException for a blank value or a JDBC URL of another database
   */
  public static void requireSupported(String db) {
    Objects.requireNonNull(db, "db");
    if (db.isBlank()) {
      throw new IllegalArgumentException("db must be a file path or a jdbc:postgresql: URL");
    }
    if (!isPostgres(db) && db.toLowerCase(Locale.ROOT).startsWith("jdbc:")) {
      throw new IllegalArgumentException("unsupported database URL " + describe(db)
          + "; use a SQLite file path or a jdbc:postgresql: URL");
    }
  }

  /** {@code db} safe to print: a URL loses its query string (which may carry a password). */
  public static String describe(String db) {
    int query = db.indexOf('?');
    return query < 0 ? db : db.substring(0, query) + "?…";
  }
}
