package io.theeye.collector.storage.sqlite;

import io.theeye.collector.storage.EventRow;
import io.theeye.collector.storage.EventStore;
import io.theeye.collector.storage.RejectedRow;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.model.Timestamps;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Stores events in one SQLite file in WAL mode: the collector's default backend.
 *
 * <p>The protocol's relations ({@code events}, {@code sessions}, {@code rejected_events},
 * {@code applications}) are views over narrow tables keyed by integers ({@code eye_event},
 * {@code eye_session}, {@code eye_event_type}, {@code eye_app}, {@code eye_rejected}); see
 * {@code docs/storage.md}. Uniqueness of {@code (app, event_id)}, the session aggregates' invariants and
 * every reference are constraints of the schema, so no other writer can break them either.
 *
 * <p>One {@link #write} is one {@code BEGIN IMMEDIATE} transaction: events are inserted with {@code ON
 * CONFLICT DO NOTHING} on {@code (app, event_id)}, so the first occurrence of an id is accepted and every
 * later one (in the same request, a later request, or a later transaction) counts as a duplicate; a
 * session seen for the first time then gets its row, if any of its events was inserted. A session's
 * count, earliest and latest {@code occurred_at} are not stored: the {@code sessions} view derives them
 * from the session index, so they are exact whoever writes. Readers on other connections see the data as of the last commit and never
 * block the writer.
 *
 * <p>With {@link SqliteSync#FULL} the store {@linkplain #syncsSeparately() syncs separately}: SQLite
 * commits with {@code synchronous=NORMAL} (the WAL is written, not fsynced, so the file is always
 * consistent) and {@link #sync()} fsyncs the WAL file, which makes every transaction committed before
 * it durable — what {@code synchronous=FULL} does inside each commit, moved off the writer thread, so
 * that one fsync can cover several commits and the next transaction need not wait for it.
 *
 * <pre>{@code
 * try (EventStore store = new SqliteEventStore(Path.of("eye.db"), SqliteSync.FULL)) {
 *   store.open(Set.of("shop"));
 *   List<WriteOutcome> outcomes = store.write(requests);
 * }
 * }</pre>
 *
 * <p>Not thread-safe for writes: only the collector's writer thread calls {@link #write}; {@link
 * #isWritable()} and {@link #describe()} may be called from any thread.
 */
public final class SqliteEventStore implements EventStore {

  /** How long a write waits for another connection's write lock before failing: {@value} ms. */
  public static final long DEFAULT_BUSY_TIMEOUT_MILLIS = 5_000;

  /** Event types whose integer key is remembered between transactions: {@value}. */
  static final int TYPE_CACHE_SIZE = 10_000;

  /** After a failed write, {@link #isWritable()} reports false for this long (unless a write succeeds). */
  static final long UNWRITABLE_AFTER_FAILURE_NANOS = Duration.ofSeconds(5).toNanos();

  /** Page cache per connection, in KiB (negative {@code cache_size} = KiB): 64 MiB, off the Java heap. */
  private static final int CACHE_KIB = 64 * 1024;

  /**
   * The WAL size above which the checkpoint thread restarts the WAL (holding the writer's next
   * transaction back briefly, with a bounded wait for readers), and to which the file is cut back when
   * it restarts: {@value} bytes (64 MiB), unless the constructor says otherwise. Checkpoints run on their own thread ({@link SqliteCheckpointer}); the writer's connection
   * never checkpoints ({@code wal_autocheckpoint=0}), so no commit waits for one.
   */
  public static final long DEFAULT_WAL_LIMIT_BYTES = 64L << 20;

  /** The smallest WAL limit a store takes: {@value} bytes (1 MiB). */
  public static final long MIN_WAL_LIMIT_BYTES = 1L << 20;

  // SQLite's primary result codes for failures caused by the data written.
  private static final int SQLITE_CONSTRAINT = 19;
  private static final int SQLITE_MISMATCH = 20;
  private static final int SQLITE_RANGE = 25;

  private static final Logger LOG = LoggerFactory.getLogger(SqliteEventStore.class);

  private static final String INSERT_EVENT = "INSERT INTO eye_event"
      + " (app_key, event_id, session_key, type_key, occurred_at, received_at, seq, data)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app_key, event_id) DO NOTHING";
  private static final String INSERT_SESSION = "INSERT INTO eye_session (session_key, session_id) VALUES (?, ?)";
  private static final String INSERT_REJECTED = "INSERT INTO eye_rejected"
      + " (received_at, app_key, reason, detail, event_id, session_id, category, name, raw)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final Path file;
  private final SqliteSync sync;
  private final Duration busyTimeout;
  private final long walLimitBytes;

  private final Map<String, Long> appKeys = new HashMap<>();
  private final Map<TypeName, Long> typeKeys = lru(TYPE_CACHE_SIZE);
  private final RecentSessionKeys sessionKeys = new RecentSessionKeys();

  private Connection connection;
  private Statement control;
  private PreparedStatement insertEvent;
  private PreparedStatement selectSession;
  private PreparedStatement maxSessionKey;
  private PreparedStatement insertSession;
  private PreparedStatement selectType;
  private PreparedStatement insertType;
  private PreparedStatement selectApp;
  private PreparedStatement insertApp;
  private PreparedStatement insertRejected;
  private volatile SqliteCheckpointer checkpointer;
  /**
   * Held around every transaction of this connection, and by the checkpoint thread while it restarts the
   * WAL; fair, so that a restart waits for the transaction in progress only.
   */
  private final ReentrantLock transactions = new ReentrantLock(true);
  /** Transactions ended (committed or not), for {@link #sync} to tell whether one ended meanwhile. */
  private volatile long commits;

  /** The WAL file, opened on the first {@link #sync()}; guarded by {@link #syncLock}. */
  private FileChannel wal;
  private final Object syncLock = new Object();

  private volatile boolean opened;
  private volatile boolean closed;
  private volatile long lastFailureNanos;
  private volatile boolean lastWriteFailed;

  /**
   * A store on {@code file} (created when missing) with {@link SqliteSync#FULL} commits, waiting up to
   * {@value #DEFAULT_BUSY_TIMEOUT_MILLIS} ms for another connection's write lock.
   *
   * @param file the database file
   */
  public SqliteEventStore(Path file) {
    this(file, SqliteSync.FULL);
  }

  /**
   * A store on {@code file} (created when missing), waiting up to {@value #DEFAULT_BUSY_TIMEOUT_MILLIS}
   * ms for another connection's write lock.
   *
   * @param file the database file
   * @param sync how durable each commit is
   */
  public SqliteEventStore(Path file, SqliteSync sync) {
    this(file, sync, Duration.ofMillis(DEFAULT_BUSY_TIMEOUT_MILLIS));
  }

  /**
   * A store on {@code file} (created when missing).
   *
   * @param file the database file
   * @param sync how durable each commit is
   * @param busyTimeout how long a write waits for another connection's write lock before it fails
   */
  public SqliteEventStore(Path file, SqliteSync sync, Duration busyTimeout) {
    this(file, sync, busyTimeout, DEFAULT_WAL_LIMIT_BYTES);
  }

  /**
   * A store on {@code file} (created when missing) whose WAL is held near {@code walLimitBytes}.
   *
   * @param file the database file
   * @param sync how durable each commit is
   * @param busyTimeout how long a write waits for another connection's write lock before it fails
   * @param walLimitBytes the WAL size above which the checkpoint thread restarts the WAL, and to which
   *     the file is cut back when it restarts; at least {@value #MIN_WAL_LIMIT_BYTES}
   */
  public SqliteEventStore(Path file, SqliteSync sync, Duration busyTimeout, long walLimitBytes) {
    if (walLimitBytes < MIN_WAL_LIMIT_BYTES) {
      throw new IllegalArgumentException("walLimitBytes must be at least " + MIN_WAL_LIMIT_BYTES + ", was "
          + walLimitBytes);
    }
    this.walLimitBytes = walLimitBytes;
    this.file = Objects.requireNonNull(file, "file");
    this.sync = Objects.requireNonNull(sync, "sync");
    this.busyTimeout = Objects.requireNonNull(busyTimeout, "busyTimeout");
    if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("busyTimeout must be between 0 and " + Integer.MAX_VALUE + " ms");
    }
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  /**
   * Opens the file, switches it to WAL, creates or migrates the schema and records {@code
   * applicationIds} in {@code applications}.
   *
   * @throws StorageException when the file cannot be opened or written, or was written by a newer
   *     collector
   */
  @Override
  public synchronized void open(Set<String> applicationIds) throws StorageException {
    if (closed) {
      throw new StorageException("the store on " + file + " is closed");
    }
    if (opened) {
      throw new IllegalStateException("the store on " + file + " is already open");
    }
    Objects.requireNonNull(applicationIds, "applicationIds");
    Path directory = file.toAbsolutePath().getParent();
    if (directory != null && !Files.isDirectory(directory)) {
      // SQLite would only say SQLITE_CANTOPEN; the directory is not created for the operator.
      throw new StorageException("cannot open database " + file + ": directory " + directory
          + (Files.exists(directory) ? " is not a directory" : " does not exist"));
    }
    try {
      SQLiteConfig config = new SQLiteConfig();
      config.setBusyTimeout((int) busyTimeout.toMillis());
      connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
      control = connection.createStatement();
      // journal_mode and page_size must come before the first table; cache_size and mmap are
      // per-connection, the rest is persistent or per-connection and cheap to repeat.
      control.execute("PRAGMA page_size = 4096");
      try (ResultSet rs = control.executeQuery("PRAGMA journal_mode = WAL")) {
        if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
          throw new SQLException("could not switch " + file + " to WAL mode");
        }
      }
      // FULL: commits are synced by sync(), on the collector's sync thread.
      control.execute("PRAGMA synchronous = " + (syncsSeparately() ? "NORMAL" : sync.pragmaValue()));
      control.execute("PRAGMA foreign_keys = ON");
      control.execute("PRAGMA cache_size = -" + CACHE_KIB);
      control.execute("PRAGMA temp_store = MEMORY");
      // A WAL that grew (readers held it) is cut back to this size when it restarts.
      control.execute("PRAGMA journal_size_limit = " + walLimitBytes);
      // The checkpoint thread copies the WAL into the file; no commit of this connection ever does.
      control.execute("PRAGMA wal_autocheckpoint = 0");
      int before = SqliteSchema.migrate(connection);
      if (before != SqliteSchema.latestVersion()) {
        LOG.info("SQLite schema of {} migrated from version {} to {}", file, before,
            SqliteSchema.latestVersion());
      }
      prepareStatements();
      insertApplications(new TreeSet<>(applicationIds));
      checkpointer = new SqliteCheckpointer(file, syncsSeparately() ? "NORMAL" : sync.pragmaValue(),
          walLimitBytes, transactions);
      opened = true;
    } catch (SQLException e) {
      closeQuietly();
      throw new StorageException("could not open the SQLite database " + file + ": " + e.getMessage(), e);
    }
  }

  private void prepareStatements() throws SQLException {
    insertEvent = connection.prepareStatement(INSERT_EVENT);
    selectSession = connection.prepareStatement(
        "SELECT session_key FROM eye_session WHERE session_id = ?");
    maxSessionKey = connection.prepareStatement("SELECT coalesce(max(session_key), 0) FROM eye_session");
    insertSession = connection.prepareStatement(INSERT_SESSION);
    selectType = connection.prepareStatement(
        "SELECT type_key FROM eye_event_type WHERE category = ? AND name = ?");
    insertType = connection.prepareStatement(
        "INSERT INTO eye_event_type (category, name) VALUES (?, ?) RETURNING type_key");
    selectApp = connection.prepareStatement("SELECT app_key FROM eye_app WHERE app_id = ?");
    insertApp = connection.prepareStatement("INSERT INTO eye_app (app_id) VALUES (?) RETURNING app_key");
    insertRejected = connection.prepareStatement(INSERT_REJECTED);
  }

  @Override
  public synchronized void recordApplications(Set<String> applicationIds) throws StorageException {
    if (!opened || closed) {
      throw new StorageException("the store on " + file + (closed ? " is closed" : " is not open"));
    }
    try {
      insertApplications(new TreeSet<>(applicationIds));
    } catch (SQLException e) {
      throw new StorageException(kindOf(e), "could not record the applications in " + file + ": " + e.getMessage(), e);
    }
  }

  private void insertApplications(Set<String> applicationIds) throws SQLException {
    transactions.lock();
    try {
      control.execute("BEGIN IMMEDIATE");
      insertApplicationsInTransaction(applicationIds);
    } finally {
      transactions.unlock();
    }
  }

  private void insertApplicationsInTransaction(Set<String> applicationIds) throws SQLException {
    try {
      Transaction tx = new Transaction();
      for (String appId : applicationIds) {
        appKey(appId, tx);
      }
      control.execute("COMMIT");
      appKeys.putAll(tx.newApps);
    } catch (SQLException e) {
      rollbackQuietly(e);
      throw e;
    }
  }

  /**
   * Writes every request's events, new sessions and rejected rows in one {@code BEGIN IMMEDIATE}
   * transaction. The first copy of an {@code (app, event_id)} is accepted, every later one (in this call
   * or any earlier) is a duplicate; a new session is recorded only if one of its events was inserted.
   *
   * @return one outcome per request, in order
   * @throws StorageException when anything fails; then nothing of the call was committed
   */
  @Override
  public synchronized List<WriteOutcome> write(List<WriteRequest> requests) throws StorageException {
    checkOpen();
    if (requests.isEmpty()) {
      return List.of();
    }
    return inTransaction(tx -> writeInTransaction(requests, tx));
  }

  private void checkOpen() throws StorageException {
    if (!opened || closed) {
      throw new StorageException("the store on " + file + (closed ? " is closed" : " is not open"));
    }
  }

  /** Work inside one write transaction. */
  @FunctionalInterface
  private interface TransactionWork<T> {
    T run(Transaction tx) throws SQLException;
  }

  /**
   * Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction; remembers the keys it created once it
   * committed; on failure rolls back and forgets every remembered key.
   */
  private <T> T inTransaction(TransactionWork<T> work) throws StorageException {
    transactions.lock();
    SqliteCheckpointer c = checkpointer;
    try {
      return inTransactionLocked(work);
    } finally {
      commits++;
      transactions.unlock();
      if (c != null && !syncsSeparately()) {
        // Each commit is synced by itself: nothing is left to sync.
        c.writerQuiet();
      }
    }
  }

  private <T> T inTransactionLocked(TransactionWork<T> work) throws StorageException {
    sessionKeys.tick();
    Transaction tx = new Transaction();
    try {
      control.execute("BEGIN IMMEDIATE");
      T result = work.run(tx);
      control.execute("COMMIT");
      appKeys.putAll(tx.newApps);
      typeKeys.putAll(tx.newTypes);
      sessionKeys.putAll(tx.insertedSessions);
      lastWriteFailed = false;
      return result;
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly(e);
      clearBatches();
      // A key remembered from an earlier transaction may have been deleted by another connection
      // (retention, a manual fix): start from the database again.
      typeKeys.clear();
      sessionKeys.clear();
      appKeys.clear();
      lastFailureNanos = System.nanoTime();
      lastWriteFailed = true;
      throw new StorageException(kindOf(e),
          "could not write to the SQLite database " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * One rejected row to replay: its {@code rejected_events.id} and the request holding the one event it
   * now validates as (with its original application, receipt time and event id).
   */
  public record Replay(long rejectedId, WriteRequest request) {
    /** Checks that the request holds exactly one event and no rejected row. */
    public Replay {
      Objects.requireNonNull(request, "request");
      if (request.events().size() != 1 || !request.rejected().isEmpty()) {
        throw new IllegalArgumentException("a replay holds exactly one event");
      }
    }
  }

  /** What became of one {@link Replay}. */
  public enum ReplayOutcome {
    /** Stored as a new event; its rejected row is marked. */
    STORED,
    /** An event with its application and event id was stored already; its rejected row is marked. */
    ALREADY_STORED,
    /** Its rejected row was marked replayed already (by another replay): nothing was done. */
    ALREADY_REPLAYED
  }

  /**
   * Marks each rejected row replayed ({@code replayed_at}, {@code replayed_event_id}) and stores its
   * event, in one transaction: a row another replay marked first is left alone, and an event already
   * stored counts as a duplicate, so replaying twice, or two replays at once, store nothing twice.
   *
   * @return one outcome per replay, in order
   */
  public synchronized List<ReplayOutcome> writeReplayed(List<Replay> replays, Instant replayedAt)
      throws StorageException {
    checkOpen();
    if (replays.isEmpty()) {
      return List.of();
    }
    String at = Timestamps.format(replayedAt);
    return inTransaction(tx -> {
      List<Replay> unmarked = new ArrayList<>();
      boolean[] marked = new boolean[replays.size()];
      try (PreparedStatement mark = connection.prepareStatement("UPDATE eye_rejected"
          + " SET replayed_at = ?, replayed_event_id = ? WHERE id = ? AND replayed_at IS NULL")) {
        for (int i = 0; i < replays.size(); i++) {
          Replay replay = replays.get(i);
          mark.setString(1, at);
          mark.setString(2, replay.request().events().get(0).eventId());
          mark.setLong(3, replay.rejectedId());
          marked[i] = mark.executeUpdate() == 1;
          if (marked[i]) {
            unmarked.add(replay);
          }
        }
      }
      List<WriteOutcome> written = writeInTransaction(unmarked.stream().map(Replay::request).toList(), tx);
      List<ReplayOutcome> outcomes = new ArrayList<>(replays.size());
      int next = 0;
      for (boolean m : marked) {
        outcomes.add(!m ? ReplayOutcome.ALREADY_REPLAYED
            : written.get(next++).accepted() == 1 ? ReplayOutcome.STORED : ReplayOutcome.ALREADY_STORED);
      }
      return outcomes;
    });
  }

  @Override
  public boolean supportsRetention() {
    return true;
  }

  /**
   * Deletes the oldest events in storage order ({@code id}, which grows with {@code received_at}) while
   * they were received before {@code eventsBefore}, then the sessions none of whose events is left (so
   * the {@code sessions} view stays exact: its aggregates are derived from the events that remain),
   * then rejected rows received before {@code rejectedBefore}; one transaction, at most {@code maxRows}
   * of each. The freed pages are reused by later writes.
   */
  @Override
  public synchronized Expired deleteExpired(Instant eventsBefore, Instant rejectedBefore, int maxRows)
      throws StorageException {
    checkOpen();
    Expired expired = inTransaction(tx -> {
      int events = 0;
      int sessions = 0;
      int rejected = 0;
      if (eventsBefore != null) {
        String cutoff = Timestamps.format(eventsBefore);
        List<Long> ids = new ArrayList<>();
        Set<Long> sessionsTouched = new TreeSet<>();
        try (PreparedStatement oldest = connection.prepareStatement(
            "SELECT id, session_key, received_at FROM eye_event ORDER BY id LIMIT ?")) {
          oldest.setInt(1, maxRows);
          try (ResultSet rs = oldest.executeQuery()) {
            while (rs.next() && rs.getString(3).compareTo(cutoff) < 0) {
              ids.add(rs.getLong(1));
              sessionsTouched.add(rs.getLong(2));
            }
          }
        }
        events = deleteEach("DELETE FROM eye_event WHERE id = ?", ids);
        sessions = deleteEach("DELETE FROM eye_session WHERE session_key = ?1"
            + " AND NOT EXISTS (SELECT 1 FROM eye_event WHERE session_key = ?1)", sessionsTouched);
      }
      if (rejectedBefore != null) {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM eye_rejected WHERE id IN"
            + " (SELECT id FROM eye_rejected WHERE received_at < ? ORDER BY received_at LIMIT ?)")) {
          delete.setString(1, Timestamps.format(rejectedBefore));
          delete.setInt(2, maxRows);
          rejected = delete.executeUpdate();
        }
      }
      return new Expired(events, sessions, rejected);
    });
    if (expired.sessions() > 0) {
      // The cache may name a session just deleted; an event of it would reference a missing row.
      sessionKeys.clear();
    }
    return expired;
  }

  private int deleteEach(String sql, java.util.Collection<Long> keys) throws SQLException {
    if (keys.isEmpty()) {
      return 0;
    }
    int deleted = 0;
    try (PreparedStatement delete = connection.prepareStatement(sql)) {
      for (long key : keys) {
        delete.setLong(1, key);
        deleted += delete.executeUpdate();
      }
    }
    return deleted;
  }

  /** A row of {@code rejected_events} not yet replayed, as a replay reads it. */
  public record StoredRejection(long id, String appId, Instant receivedAt, String reason, String raw) {}

  /**
   * Which rejected rows a replay takes; every part is optional ({@code null}).
   *
   * @param reason the original reason code
   * @param appId the application
   * @param category the event type's category (with {@code name})
   * @param name the event type's name
   * @param since received at or after
   * @param until received before
   */
  public record RejectionFilter(String reason, String appId, String category, String name, Instant since,
      Instant until) {}

  /**
   * Up to {@code limit} rows not yet replayed that match {@code filter}, with ids above {@code afterId}, in
   * id order (the order they were received). A short read, outside any write transaction.
   */
  public synchronized List<StoredRejection> rejectedToReplay(RejectionFilter filter, long afterId, int limit)
      throws StorageException {
    checkOpen();
    StringBuilder sql = new StringBuilder("SELECT r.id, a.app_id, r.received_at, r.reason, r.raw"
        + " FROM eye_rejected AS r JOIN eye_app AS a ON a.app_key = r.app_key"
        + " WHERE r.id > ? AND r.replayed_at IS NULL");
    List<Object> params = new ArrayList<>();
    params.add(afterId);
    if (filter.reason() != null) {
      sql.append(" AND r.reason = ?");
      params.add(filter.reason());
    }
    if (filter.appId() != null) {
      sql.append(" AND a.app_id = ?");
      params.add(filter.appId());
    }
    if (filter.category() != null) {
      sql.append(" AND r.category = ? AND r.name = ?");
      params.add(filter.category());
      params.add(filter.name());
    }
    if (filter.since() != null) {
      sql.append(" AND r.received_at >= ?");
      params.add(Timestamps.format(filter.since()));
    }
    if (filter.until() != null) {
      sql.append(" AND r.received_at < ?");
      params.add(Timestamps.format(filter.until()));
    }
    sql.append(" ORDER BY r.id LIMIT ?");
    params.add(limit);
    try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) {
        select.setObject(i + 1, params.get(i));
      }
      List<StoredRejection> rows = new ArrayList<>();
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          rows.add(new StoredRejection(rs.getLong(1), rs.getString(2), Timestamps.parse(rs.getString(3)),
              rs.getString(4), rs.getString(5)));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new StorageException(kindOf(e), "could not read rejected rows of " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * SQLite's primary result codes CONSTRAINT, MISMATCH and RANGE mean the rows written were refused
   * (so does a bug-like runtime exception while binding them); anything else (BUSY, FULL, IOERR, ...)
   * means the database cannot be written now.
   */
  static StorageException.Kind kindOf(Exception e) {
    if (e instanceof SQLException sql) {
      int primary = sql.getErrorCode() & 0xFF;
      return primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_RANGE
          ? StorageException.Kind.DATA : StorageException.Kind.UNAVAILABLE;
    }
    return StorageException.Kind.DATA;
  }

  private List<WriteOutcome> writeInTransaction(List<WriteRequest> requests, Transaction tx)
      throws SQLException {
    int eventCount = 0;
    int rejectedCount = 0;
    for (WriteRequest request : requests) {
      eventCount += request.events().size();
      rejectedCount += request.rejected().size();
    }
    long[] sessionOf = new long[eventCount];
    int i = 0;
    for (WriteRequest request : requests) {
      long app = appKey(request.appId(), tx);
      String receivedAt = Timestamps.format(request.receivedAt());
      for (EventRow event : request.events()) {
        long session = sessionKey(event.sessionId(), tx);
        long type = typeKey(event.category(), event.name(), tx);
        insertEvent.setLong(1, app);
        insertEvent.setString(2, event.eventId());
        insertEvent.setLong(3, session);
        insertEvent.setLong(4, type);
        insertEvent.setString(5, Timestamps.format(event.occurredAt()));
        insertEvent.setString(6, receivedAt);
        if (event.seq() == null) {
          insertEvent.setNull(7, Types.INTEGER);
        } else {
          insertEvent.setLong(7, event.seq());
        }
        insertEvent.setString(8, event.dataJson());
        insertEvent.addBatch();
        sessionOf[i] = session;
        i++;
      }
    }
    int[] changes = eventCount == 0 ? new int[0] : insertEvent.executeBatch();

    List<WriteOutcome> outcomes = new ArrayList<>(requests.size());
    i = 0;
    for (WriteRequest request : requests) {
      int accepted = 0;
      for (int end = i + request.events().size(); i < end; i++) {
        if (changes[i] > 0) {
          accepted++;
          String newSessionId = tx.newSessionIds.get(sessionOf[i]);
          if (newSessionId != null) {
            tx.insertedSessions.putIfAbsent(newSessionId, sessionOf[i]);
          }
        }
      }
      outcomes.add(new WriteOutcome(accepted, request.events().size() - accepted));
    }
    writeSessions(tx);
    if (rejectedCount > 0) {
      writeRejected(requests, tx);
    }
    return outcomes;
  }

  /**
   * Inserts the rows of the sessions first seen in this transaction that got an event (their events'
   * deferred foreign keys are satisfied at commit).
   */
  private void writeSessions(Transaction tx) throws SQLException {
    if (tx.insertedSessions.isEmpty()) {
      return;
    }
    for (Map.Entry<String, Long> entry : tx.insertedSessions.entrySet()) {
      insertSession.setLong(1, entry.getValue());
      insertSession.setString(2, entry.getKey());
      insertSession.addBatch();
    }
    insertSession.executeBatch();
  }

  private void writeRejected(List<WriteRequest> requests, Transaction tx) throws SQLException {
    for (WriteRequest request : requests) {
      if (request.rejected().isEmpty()) {
        continue;
      }
      long app = appKey(request.appId(), tx);
      String receivedAt = Timestamps.format(request.receivedAt());
      for (RejectedRow row : request.rejected()) {
        insertRejected.setString(1, receivedAt);
        insertRejected.setLong(2, app);
        insertRejected.setString(3, row.reason() == null ? null : row.reason().code());
        insertRejected.setString(4, row.detail());
        insertRejected.setString(5, row.eventId());
        insertRejected.setString(6, row.sessionId());
        insertRejected.setString(7, row.category());
        insertRejected.setString(8, row.name());
        insertRejected.setString(9, row.raw());
        insertRejected.addBatch();
      }
    }
    insertRejected.executeBatch();
  }

  /** The integer key of a session; a session first seen in this transaction gets the next free key. */
  private long sessionKey(String sessionId, Transaction tx) throws SQLException {
    Long key = sessionKeys.get(sessionId);
    if (key != null) {
      return key;
    }
    key = tx.newSessions.get(sessionId);
    if (key != null) {
      return key;
    }
    selectSession.setString(1, sessionId);
    try (ResultSet rs = selectSession.executeQuery()) {
      if (rs.next()) {
        key = rs.getLong(1);
        // Committed before this transaction began, so safe to remember even if this one rolls back.
        sessionKeys.put(sessionId, key);
        return key;
      }
    }
    // The row is inserted after the events, with the exact aggregates of those actually inserted (its
    // foreign key is deferred); the write lock makes max + 1 ours until commit.
    if (tx.nextSessionKey == 0) {
      try (ResultSet rs = maxSessionKey.executeQuery()) {
        rs.next();
        tx.nextSessionKey = rs.getLong(1) + 1;
      }
    }
    key = tx.nextSessionKey++;
    tx.newSessions.put(sessionId, key);
    tx.newSessionIds.put(key, sessionId);
    return key;
  }

  private long typeKey(String category, String name, Transaction tx) throws SQLException {
    TypeName typeName = new TypeName(category, name);
    Long key = typeKeys.get(typeName);
    if (key == null) {
      key = tx.newTypes.get(typeName);
    }
    if (key != null) {
      return key;
    }
    selectType.setString(1, category);
    selectType.setString(2, name);
    try (ResultSet rs = selectType.executeQuery()) {
      if (rs.next()) {
        key = rs.getLong(1);
        typeKeys.put(typeName, key);
        return key;
      }
    }
    insertType.setString(1, category);
    insertType.setString(2, name);
    try (ResultSet rs = insertType.executeQuery()) {
      rs.next();
      key = rs.getLong(1);
    }
    tx.newTypes.put(typeName, key);
    return key;
  }

  private long appKey(String appId, Transaction tx) throws SQLException {
    Long key = appKeys.get(appId);
    if (key == null) {
      key = tx.newApps.get(appId);
    }
    if (key != null) {
      return key;
    }
    selectApp.setString(1, appId);
    try (ResultSet rs = selectApp.executeQuery()) {
      if (rs.next()) {
        key = rs.getLong(1);
        appKeys.put(appId, key);
        return key;
      }
    }
    insertApp.setString(1, appId);
    try (ResultSet rs = insertApp.executeQuery()) {
      rs.next();
      key = rs.getLong(1);
    }
    tx.newApps.put(appId, key);
    return key;
  }

  private void rollbackQuietly(Exception cause) {
    if (control == null) {
      return;
    }
    try {
      control.execute("ROLLBACK");
    } catch (SQLException e) {
      // "no transaction is active" when BEGIN or COMMIT itself failed: nothing to undo.
      cause.addSuppressed(e);
    }
  }

  private void clearBatches() {
    for (PreparedStatement statement : new PreparedStatement[] {
        insertEvent, insertSession, insertRejected}) {
      try {
        if (statement != null) {
          statement.clearBatch();
        }
      } catch (SQLException e) {
        LOG.debug("could not clear a statement batch", e);
      }
    }
  }

  /** True for {@link SqliteSync#FULL}: {@link #sync()} fsyncs what {@link #write} committed. */
  @Override
  public boolean syncsSeparately() {
    return sync == SqliteSync.FULL;
  }

  /**
   * Fsyncs the WAL file, so every transaction committed before the call survives a power loss. SQLite
   * keeps the WAL file (truncating it at most) while this store's connection is open, and copies
   * checkpointed pages into the database file with an fsync of its own.
   *
   * @throws StorageException when the store is closed or the fsync fails
   */
  @Override
  public void sync() throws StorageException {
    if (!syncsSeparately()) {
      return;
    }
    synchronized (syncLock) {
      if (!opened || closed) {
        throw new StorageException("the store on " + file + (closed ? " is closed" : " is not open"));
      }
      try {
        long commitsBefore = commits;
        if (wal == null) {
          wal = FileChannel.open(Path.of(file.toAbsolutePath() + "-wal"), StandardOpenOption.WRITE);
        }
        wal.force(false);
        SqliteCheckpointer c = checkpointer;
        if (c != null && commits == commitsBefore && !transactions.isLocked()) {
          // Nothing committed since this sync began and no transaction running: a quiet moment.
          c.writerQuiet();
        }
      } catch (IOException e) {
        lastFailureNanos = System.nanoTime();
        lastWriteFailed = true;
        throw new StorageException("could not sync the SQLite WAL of " + file + ": " + e, e);
      }
    }
  }

  /**
   * False once the store is closed, and for a few seconds after a failed write (unless a later write
   * succeeded), so {@code GET /ready} turns away traffic while the disk is full or the file is locked,
   * and lets it back to try again.
   */
  @Override
  public boolean isWritable() {
    if (!opened || closed) {
      return false;
    }
    return !lastWriteFailed || System.nanoTime() - lastFailureNanos > UNWRITABLE_AFTER_FAILURE_NANOS;
  }

  /**
   * The WAL and its checkpoints, live, for metrics: the WAL file's size, and the checkpoints the
   * store's checkpoint thread ran (all zero before {@link #open}; the size is 0 after {@link #close}).
   */
  public SqliteWalStats walStats() {
    return new SqliteWalStats() {
      @Override
      public long walBytes() {
        return closed ? 0 : ofCheckpointer(SqliteCheckpointer::walBytes);
      }

      @Override
      public long passiveCheckpoints() {
        return ofCheckpointer(SqliteCheckpointer::passiveCheckpoints);
      }

      @Override
      public long restarts() {
        return ofCheckpointer(SqliteCheckpointer::restarts);
      }

      @Override
      public long restartsRefused() {
        return ofCheckpointer(SqliteCheckpointer::restartsRefused);
      }

      @Override
      public long checkpointFailures() {
        return ofCheckpointer(SqliteCheckpointer::failures);
      }
    };
  }

  private long ofCheckpointer(ToLongFunction<SqliteCheckpointer> figure) {
    SqliteCheckpointer c = checkpointer;
    return c == null ? 0 : figure.applyAsLong(c);
  }

  /** For the startup line, e.g. {@code SQLite /var/lib/eye/eye.db (WAL, synchronous=full)}. */
  @Override
  public String describe() {
    return "SQLite " + file.toAbsolutePath() + " (WAL, synchronous=" + sync + ")";
  }

  /** Closes the connection; the last connection to close checkpoints the WAL into the file. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly();
  }

  private void closeQuietly() {
    SqliteCheckpointer c = checkpointer;
    if (c != null) {
      // Before the writer's connection: the last connection to close checkpoints the WAL away.
      c.close();
    }
    synchronized (syncLock) {
      if (wal != null) {
        try {
          wal.close();
        } catch (IOException e) {
          LOG.debug("could not close the WAL file's channel", e);
        }
        wal = null;
      }
    }
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("could not close the SQLite database {} cleanly", file, e);
    }
  }

  /** The same as {@link #describe()}. */
  @Override
  public String toString() {
    return describe();
  }

  private static <K> Map<K, Long> lru(int maxSize) {
    return new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Long> eldest) {
        return size() > maxSize;
      }
    };
  }

  private record TypeName(String category, String name) {}

  /** Keys created inside the current transaction: remembered only once it commits. */
  private static final class Transaction {
    final Map<String, Long> newApps = new HashMap<>();
    final Map<TypeName, Long> newTypes = new HashMap<>();
    final Map<String, Long> newSessions = new HashMap<>();
    final Map<Long, String> newSessionIds = new HashMap<>();
    final Map<String, Long> insertedSessions = new HashMap<>();
    long nextSessionKey;
  }
}
