package io.theeye.collector.storage.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.resilience4j.core.IntervalFunction;
import io.theeye.collector.storage.EventStore;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores events in PostgreSQL, so several collectors behind a load balancer can share one database.
 *
 * <p>Each collector keeps its own single writer thread and commits on its own; the database keeps
 * them correct together. {@code (app_id, event_id)} is a unique constraint and events are inserted
 * with {@code ON CONFLICT DO NOTHING ... RETURNING}, so a duplicate — in the same request, the same
 * transaction, or arriving at two collectors at once — is stored once and counted exactly. Session rows
 * are upserted with increments, aggregated per session per transaction. Both the event inserts and the
 * session upserts take their locks in one fixed key order, so two collectors cannot deadlock.
 *
 * <p>When the database cannot be reached, {@link #write} throws {@link StorageException} (the collector
 * answers {@code 503 storage_unavailable}, never a 202 it cannot keep) and {@link #isWritable()} turns
 * false until a background probe ({@code eye-postgres-probe}, exponential backoff) reaches the database
 * again. A commit whose outcome is unknown (the connection dropped during {@code COMMIT}) is reported
 * as a failure; the client's retry is harmless because the events are deduplicated by {@code event_id}.
 *
 * <p>The schema is created and migrated by {@link #open} (see {@code PostgresSchema}); the contract
 * relations {@code events}, {@code sessions} and {@code rejected_events} are views presenting
 * timestamps as UTC text, over tables that keep them as {@code timestamptz}.
 *
 * <pre>{@code
 * try (PostgresEventStore store = PostgresEventStore.builder("jdbc:postgresql://db:5432/eye")
 *     .user("eye")
 *     .password(System.getenv("EYE_DB_PASSWORD"))
 *     .build()) {
 *   store.open(Set.of("shop"));
 *   List<WriteOutcome> outcomes = store.write(requests);
 * }
 * }</pre>
 */
public final class PostgresEventStore implements EventStore {

  /** How long a connection attempt or a wait for a pooled connection may take: {@value} ms. */
  public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 3_000;
  /** How long {@link #open} keeps trying to reach a database that is still starting: {@value} ms. */
  public static final long DEFAULT_STARTUP_TIMEOUT_MILLIS = 30_000;
  /** How long one write transaction may wait on the network: {@value} ms. */
  public static final long DEFAULT_WRITE_TIMEOUT_MILLIS = 30_000;
  /** The first wait of the reconnect probe after the database was lost: {@value} ms. */
  public static final long DEFAULT_RECONNECT_INITIAL_MILLIS = 250;
  /** The longest wait between reconnect attempts: {@value} ms. */
  public static final long DEFAULT_RECONNECT_MAX_MILLIS = 5_000;

  private static final Logger log = LoggerFactory.getLogger(PostgresEventStore.class);
  private static final String URL_PREFIX = "jdbc:postgresql:";
  private static final Pattern PASSWORD_PARAM =
      Pattern.compile("(?i)([?&;]password=)[^&;#]*");
  private static final Executor DIRECT = Runnable::run;

  private static final String NEXT_IDS =
      "SELECT nextval('eye_events_id_seq') FROM generate_series(1, ?)";
  private static final String INSERT_EVENTS =
      "INSERT INTO eye_events (id, app_id, event_id, session_id, category, name, occurred_at,"
          + " received_at, seq, data)"
          + " SELECT id, app_id, event_id, session_id, category, name, occurred_at, received_at, seq,"
          + " data::jsonb"
          + " FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
          + " ?::timestamptz[], ?::timestamptz[], ?::bigint[], ?::text[]) WITH ORDINALITY"
          + " AS u(id, app_id, event_id, session_id, category, name, occurred_at, received_at, seq,"
          + " data, ord)"
          + " ORDER BY ord"
          + " ON CONFLICT (app_id, event_id) DO NOTHING"
          + " RETURNING id";
  private static final String UPSERT_SESSIONS =
      "INSERT INTO eye_sessions AS s (session_id, first_seen_at, last_seen_at, event_count)"
          + " SELECT session_id, first_seen_at, last_seen_at, event_count"
          + " FROM unnest(?::text[], ?::timestamptz[], ?::timestamptz[], ?::bigint[]) WITH ORDINALITY"
          + " AS u(session_id, first_seen_at, last_seen_at, event_count, ord)"
          + " ORDER BY ord"
          + " ON CONFLICT (session_id) DO UPDATE SET"
          + " first_seen_at = LEAST(s.first_seen_at, EXCLUDED.first_seen_at),"
          + " last_seen_at = GREATEST(s.last_seen_at, EXCLUDED.last_seen_at),"
          + " event_count = s.event_count + EXCLUDED.event_count";
  private static final String INSERT_REJECTED =
      "INSERT INTO eye_rejected_events (received_at, app_id, reason, detail, event_id, session_id,"
          + " category, name, raw)"
          + " SELECT received_at, app_id, reason, detail, event_id, session_id, category, name, raw"
          + " FROM unnest(?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
          + " ?::text[], ?::text[], ?::text[]) WITH ORDINALITY"
          + " AS u(received_at, app_id, reason, detail, event_id, session_id, category, name, raw,"
          + " ord)"
          + " ORDER BY ord";

  private final String description;
  private final long startupTimeoutMillis;
  private final int writeTimeoutMillis;
  private final IntervalFunction reconnectBackoff;
  private final HikariDataSource dataSource;
  private final ScheduledExecutorService probe;
  private final AtomicBoolean available = new AtomicBoolean(false);
  private final AtomicBoolean closed = new AtomicBoolean(false);
  private volatile boolean opened;

  private PostgresEventStore(Builder b) {
    this.description = "PostgreSQL " + redact(b.jdbcUrl) + (b.user == null ? "" : " as " + b.user);
    this.startupTimeoutMillis = b.startupTimeoutMillis;
    this.writeTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, b.writeTimeoutMillis);
    this.reconnectBackoff =
        IntervalFunction.ofExponentialBackoff(b.reconnectInitialMillis, 2.0, b.reconnectMaxMillis);

    HikariConfig config = new HikariConfig();
    config.setPoolName("eye-postgres");
    config.setJdbcUrl(b.jdbcUrl);
    if (b.user != null) {
      config.setUsername(b.user);
    }
    if (b.password != null) {
      config.setPassword(b.password);
    }
    // The writer holds one connection at a time; the reconnect probe may need a second.
    config.setMaximumPoolSize(2);
    config.setMinimumIdle(1);
    config.setAutoCommit(false);
    config.setConnectionTimeout(b.connectTimeoutMillis);
    config.setValidationTimeout(Math.max(250, Math.min(b.connectTimeoutMillis, 5_000)));
    // open() connects (and waits for a starting database) itself, with a clear error.
    config.setInitializationFailTimeout(-1);
    // Defaults only: parameters given in the URL win over these properties.
    config.addDataSourceProperty("connectTimeout",
        Long.toString(Math.max(1, TimeUnit.MILLISECONDS.toSeconds(b.connectTimeoutMillis))));
    config.addDataSourceProperty("tcpKeepAlive", "true");
    config.addDataSourceProperty("ApplicationName", "eye-collector");
    this.dataSource = new HikariDataSource(config);

    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "eye-postgres-probe");
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.probe = executor;
  }

  /**
   * Starts configuring a store for a {@code jdbc:postgresql://HOST:PORT/DB} URL. The driver's own URL
   * parameters work ({@code ?user=&password=&currentSchema=&sslmode=}) and win over the builder's
   * {@link Builder#user}/{@link Builder#password}.
   */
  public static Builder builder(String jdbcUrl) {
    return new Builder(jdbcUrl);
  }

  /** Whether {@code db} (a {@code --db} value) names a PostgreSQL database rather than a SQLite file. */
  public static boolean isPostgresUrl(String db) {
    return db != null && db.startsWith(URL_PREFIX);
  }

  /** The URL with the value of any {@code password=} parameter replaced by {@code ***}: safe to log. */
  public static String redact(String jdbcUrl) {
    return jdbcUrl == null ? null : PASSWORD_PARAM.matcher(jdbcUrl).replaceAll("$1***");
  }

  /**
   * Waits (up to the startup timeout) for the database, creates or migrates the schema under an
   * advisory lock, and records the applications.
   */
  @Override
  public void open(Set<String> applicationIds) throws StorageException {
    Objects.requireNonNull(applicationIds, "applicationIds");
    if (closed.get()) {
      throw new StorageException("the store is closed");
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(startupTimeoutMillis);
    for (int attempt = 1; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        String schema = PostgresSchema.migrate(c, applicationIds);
        available.set(true);
        opened = true;
        log.info("{}: schema \"{}\" at version {}", description, schema, PostgresSchema.LATEST);
        return;
      } catch (SQLException e) {
        long waitMillis = reconnectBackoff.apply(attempt);
        boolean retry = isUnreachable(e)
            && System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis) < deadline;
        if (!retry) {
          throw new StorageException("cannot open " + description + ": " + e.getMessage(), e);
        }
        log.info("{} is not reachable yet ({}); retrying in {} ms", description, e.getMessage(),
            waitMillis);
        try {
          Thread.sleep(waitMillis);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new StorageException("interrupted while waiting for " + description, interrupted);
        }
      }
    }
  }

  /**
   * Commits all requests in one transaction: event ids, events, session upserts, rejected rows.
   * Fails at once while the database is known to be unreachable.
   */
  @Override
  public List<WriteOutcome> write(List<WriteRequest> requests) throws StorageException {
    if (closed.get() || !opened) {
      throw new StorageException(closed.get() ? "the store is closed" : "the store is not open");
    }
    if (!available.get()) {
      throw new StorageException(description + " is unavailable; reconnecting");
    }
    WriteBatch batch = WriteBatch.of(requests, data -> false);
    try {
      return writeOnce(batch);
    } catch (SQLException e) {
      Set<String> refused = isDataError(e) ? findRefusedData(batch) : Set.of();
      if (!refused.isEmpty()) {
        // An event's data that PostgreSQL refuses (SQLite takes it) must not fail the requests it
        // happens to share a transaction with, again on every retry: reject that event instead.
        log.warn("PostgreSQL refused an event's data; storing it as a rejected event", e);
        try {
          return writeOnce(WriteBatch.of(requests, refused::contains));
        } catch (SQLException again) {
          throw failed(again);
        }
      }
      throw failed(e);
    }
  }

  @Override
  public boolean isWritable() {
    return opened && available.get() && !closed.get();
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void recordApplications(Set<String> applicationIds) throws StorageException {
    try (Connection c = dataSource.getConnection()) {
      PostgresSchema.recordApplications(c, applicationIds);
    } catch (SQLException e) {
      throw new StorageException("could not record the applications in " + description + ": " + e.getMessage(), e);
    }
  }

  /** Stops the reconnect probe and closes the pool; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      probe.shutdownNow();
      dataSource.close();
    }
  }

  private List<WriteOutcome> writeOnce(WriteBatch batch) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setNetworkTimeout(DIRECT, writeTimeoutMillis);
      try {
        Set<Long> inserted = insertEvents(c, batch);
        upsertSessions(c, batch.sessionDeltas(inserted));
        insertRejected(c, batch.rejections());
        c.commit();
        return batch.outcomes(inserted);
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      }
    }
  }

  private static Set<Long> insertEvents(Connection c, WriteBatch batch) throws SQLException {
    int n = batch.eventCount();
    if (n == 0) {
      return Set.of();
    }
    long[] ids = new long[n];
    try (PreparedStatement next = c.prepareStatement(NEXT_IDS)) {
      next.setInt(1, n);
      try (ResultSet rs = next.executeQuery()) {
        for (int i = 0; i < n && rs.next(); i++) {
          ids[i] = rs.getLong(1);
        }
      }
    }
    batch.assignIds(ids);

    List<WriteBatch.Pending> events = batch.eventsInKeyOrder();
    Long[] id = new Long[n];
    String[] appId = new String[n];
    String[] eventId = new String[n];
    String[] sessionId = new String[n];
    String[] category = new String[n];
    String[] name = new String[n];
    String[] occurredAt = new String[n];
    String[] receivedAt = new String[n];
    Long[] seq = new Long[n];
    String[] data = new String[n];
    for (int i = 0; i < n; i++) {
      WriteBatch.Pending p = events.get(i);
      id[i] = p.id;
      appId[i] = p.appId;
      eventId[i] = p.event.eventId();
      sessionId[i] = p.event.sessionId();
      category[i] = p.event.category();
      name[i] = p.event.name();
      occurredAt[i] = PgTimestamps.format(p.event.occurredAt());
      receivedAt[i] = PgTimestamps.format(p.receivedAt);
      seq[i] = p.event.seq();
      data[i] = p.event.dataJson();
    }
    Set<Long> inserted = new HashSet<>(n * 2);
    try (PreparedStatement insert = c.prepareStatement(INSERT_EVENTS)) {
      int i = 1;
      insert.setArray(i++, c.createArrayOf("int8", id));
      insert.setArray(i++, c.createArrayOf("text", appId));
      insert.setArray(i++, c.createArrayOf("text", eventId));
      insert.setArray(i++, c.createArrayOf("text", sessionId));
      insert.setArray(i++, c.createArrayOf("text", category));
      insert.setArray(i++, c.createArrayOf("text", name));
      insert.setArray(i++, c.createArrayOf("text", occurredAt));
      insert.setArray(i++, c.createArrayOf("text", receivedAt));
      insert.setArray(i++, c.createArrayOf("int8", seq));
      insert.setArray(i, c.createArrayOf("text", data));
      try (ResultSet rs = insert.executeQuery()) {
        while (rs.next()) {
          inserted.add(rs.getLong(1));
        }
      }
    }
    return inserted;
  }

  private static void upsertSessions(Connection c, List<WriteBatch.SessionDelta> deltas)
      throws SQLException {
    int n = deltas.size();
    if (n == 0) {
      return;
    }
    String[] sessionId = new String[n];
    String[] first = new String[n];
    String[] last = new String[n];
    Long[] count = new Long[n];
    for (int i = 0; i < n; i++) {
      WriteBatch.SessionDelta d = deltas.get(i);
      sessionId[i] = d.sessionId;
      first[i] = PgTimestamps.format(d.first);
      last[i] = PgTimestamps.format(d.last);
      count[i] = d.count;
    }
    try (PreparedStatement upsert = c.prepareStatement(UPSERT_SESSIONS)) {
      upsert.setArray(1, c.createArrayOf("text", sessionId));
      upsert.setArray(2, c.createArrayOf("text", first));
      upsert.setArray(3, c.createArrayOf("text", last));
      upsert.setArray(4, c.createArrayOf("int8", count));
      upsert.executeUpdate();
    }
  }

  private static void insertRejected(Connection c, List<WriteBatch.Rejection> rows)
      throws SQLException {
    int n = rows.size();
    if (n == 0) {
      return;
    }
    String[][] columns = new String[9][n];
    for (int i = 0; i < n; i++) {
      WriteBatch.Rejection r = rows.get(i);
      columns[0][i] = PgTimestamps.format(r.receivedAt());
      columns[1][i] = r.appId();
      columns[2][i] = r.row().reason().code();
      columns[3][i] = r.row().detail() == null ? "" : r.row().detail();
      columns[4][i] = r.row().eventId();
      columns[5][i] = r.row().sessionId();
      columns[6][i] = r.row().category();
      columns[7][i] = r.row().name();
      columns[8][i] = r.row().raw();
    }
    try (PreparedStatement insert = c.prepareStatement(INSERT_REJECTED)) {
      for (int i = 0; i < columns.length; i++) {
        insert.setArray(i + 1, c.createArrayOf("text", columns[i]));
      }
      insert.executeUpdate();
    }
  }

  /**
   * After a data error, finds the events whose data PostgreSQL refuses as {@code jsonb}, one by one
   * (rare, and the batch is bounded).
   */
  private Set<String> findRefusedData(WriteBatch batch) {
    Set<String> refused = new HashSet<>();
    try (Connection c = dataSource.getConnection()) {
      c.setNetworkTimeout(DIRECT, writeTimeoutMillis);
      try (PreparedStatement check = c.prepareStatement("SELECT ?::jsonb")) {
        for (String data : batch.dataTexts()) {
          check.setString(1, data);
          try {
            check.executeQuery().close();
          } catch (SQLException e) {
            if (!isDataError(e)) {
              throw e;
            }
            refused.add(data);
            rollbackQuietly(c);
          }
        }
      } finally {
        rollbackQuietly(c);
      }
    } catch (SQLException e) {
      log.debug("could not check event data against jsonb", e);
    }
    return refused;
  }

  private StorageException failed(SQLException e) {
    if (isUnreachable(e)) {
      markUnavailable(e);
    }
    return new StorageException(isDataError(e) ? StorageException.Kind.DATA : StorageException.Kind.UNAVAILABLE,
        "the write to " + description + " failed: " + e.getMessage(), e);
  }

  /**
   * The database cannot be reached: treat it as unavailable until the probe gets through. A blip
   * costs a few 503s that clients retry; an outage stops writes failing slowly. Other failures (a lock
   * timeout, a constraint) fail only their transaction.
   */
  private void markUnavailable(SQLException cause) {
    if (available.compareAndSet(true, false)) {
      log.warn("{} is unavailable; answering 503 until it is reachable again", description, cause);
      scheduleProbe(1);
    }
  }

  private void scheduleProbe(int attempt) {
    if (closed.get()) {
      return;
    }
    try {
      probe.schedule(() -> probeOnce(attempt), reconnectBackoff.apply(attempt), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("reconnect probe not scheduled: the store is closing", e);
    }
  }

  private void probeOnce(int attempt) {
    if (closed.get()) {
      return;
    }
    try (Connection c = dataSource.getConnection()) {
      if (c.isValid((int) Math.max(1, TimeUnit.MILLISECONDS.toSeconds(writeTimeoutMillis)))) {
        available.set(true);
        log.info("{} is reachable again (attempt {})", description, attempt);
        return;
      }
    } catch (SQLException e) {
      log.debug("{} is still unreachable (attempt {})", description, attempt, e);
    }
    scheduleProbe(attempt + 1);
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      log.debug("rollback failed (the connection is probably gone)", e);
    }
  }

  /** SQLSTATE class 22 (data exception) or 23 (integrity constraint violation): the rows, not the server. */
  static boolean isDataError(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }

  /**
   * The server could not be reached, or is starting or stopping: worth waiting for. The first SQLSTATE
   * in the cause chain decides (the pool's timeout carries its last attempt's); a wrong password or a
   * missing database is not worth waiting for.
   */
  static boolean isUnreachable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        return state.startsWith("08") || state.startsWith("57P") || state.equals("53300");
      }
      if (t instanceof java.io.IOException) {
        return true;
      }
    }
    return e instanceof java.sql.SQLTransientConnectionException;
  }

  /**
   * Configures a {@link PostgresEventStore}. Every setter checks its argument at once.
   */
  public static final class Builder {
    private final String jdbcUrl;
    private String user;
    private String password;
    private long connectTimeoutMillis = DEFAULT_CONNECT_TIMEOUT_MILLIS;
    private long startupTimeoutMillis = DEFAULT_STARTUP_TIMEOUT_MILLIS;
    private long writeTimeoutMillis = DEFAULT_WRITE_TIMEOUT_MILLIS;
    private long reconnectInitialMillis = DEFAULT_RECONNECT_INITIAL_MILLIS;
    private long reconnectMaxMillis = DEFAULT_RECONNECT_MAX_MILLIS;

    private Builder(String jdbcUrl) {
      if (!isPostgresUrl(jdbcUrl)) {
        throw new IllegalArgumentException(
            "jdbcUrl must start with " + URL_PREFIX + ", got " + redact(jdbcUrl));
      }
      this.jdbcUrl = jdbcUrl;
    }

    /** The database user; {@code null} leaves it to the URL or the driver's default. */
    public Builder user(String user) {
      if (user != null && user.isBlank()) {
        throw new IllegalArgumentException("user must not be blank");
      }
      this.user = user;
      return this;
    }

    /** The database password; {@code null} for none (e.g. trust or certificate authentication). */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /** How long to wait for a connection; default {@value #DEFAULT_CONNECT_TIMEOUT_MILLIS} ms. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeoutMillis = positiveMillis(timeout, "connectTimeout", 250);
      return this;
    }

    /**
     * How long {@link #open} waits for a database that is not reachable yet; default {@value
     * #DEFAULT_STARTUP_TIMEOUT_MILLIS} ms. Zero tries once.
     */
    public Builder startupTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "startupTimeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("startupTimeout must not be negative");
      }
      this.startupTimeoutMillis = timeout.toMillis();
      return this;
    }

    /** How long one write may wait on the network; default {@value #DEFAULT_WRITE_TIMEOUT_MILLIS} ms. */
    public Builder writeTimeout(Duration timeout) {
      this.writeTimeoutMillis = positiveMillis(timeout, "writeTimeout", 1);
      return this;
    }

    /**
     * The reconnect probe's backoff: {@code initial}, doubling up to {@code max}; defaults {@value
     * #DEFAULT_RECONNECT_INITIAL_MILLIS} and {@value #DEFAULT_RECONNECT_MAX_MILLIS} ms.
     */
    public Builder reconnectBackoff(Duration initial, Duration max) {
      long i = positiveMillis(initial, "reconnectBackoff initial", 10);
      long m = positiveMillis(max, "reconnectBackoff max", 10);
      if (m < i) {
        throw new IllegalArgumentException("reconnectBackoff max must not be below initial");
      }
      this.reconnectInitialMillis = i;
      this.reconnectMaxMillis = m;
      return this;
    }

    /** Creates the store (and its connection pool); call {@link PostgresEventStore#open} next. */
    public PostgresEventStore build() {
      return new PostgresEventStore(this);
    }

    private static long positiveMillis(Duration d, String name, long min) {
      Objects.requireNonNull(d, name);
      if (d.toMillis() < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + " ms");
      }
      return d.toMillis();
    }

    @Override
    public String toString() {
      return "PostgresEventStore.Builder[" + redact(jdbcUrl) + (user == null ? "" : " as " + user)
          + "]";
    }
  }
}
