package io.theeye.collector.storage;

import java.util.List;
import java.util.Set;

/**
 * Where events end up: SQLite by default, PostgreSQL for several collectors sharing one database.
 *
 * <p>Only the collector's single writer thread calls {@link #write}; {@link #isWritable()} may be
 * called from any thread. Implementations keep the contract relations of the protocol (§4) —
 * {@code events}, {@code sessions}, {@code rejected_events}, {@code applications} — and enforce
 * {@code (app_id, event_id)} uniqueness and exact session rows in the schema itself.
 */
public interface EventStore extends AutoCloseable {

  /**
   * Creates or migrates the schema and records the configured applications. Safe to call when another
   * collector does the same against the same database at the same time.
   */
  void open(Set<String> applicationIds) throws StorageException;

  /**
   * Records applications added by a configuration reload in {@code applications} (those already there
   * stay); callable from any thread once the store is open. The default records nothing: a store
   * that writes an application's row with its first event may keep it.
   */
  default void recordApplications(Set<String> applicationIds) throws StorageException {}

  /**
   * Commits every request's events, session updates and rejected rows in one transaction, in order.
   * Either everything is committed or nothing is. The commit is durable when this returns, or, for a
   * store that {@link #syncsSeparately()}, once a later {@link #sync()} returns.
   *
   * @return one outcome per request, in the same order
   */
  List<WriteOutcome> write(List<WriteRequest> requests) throws StorageException;

  /**
   * Whether {@link #write} commits without waiting for stable storage and leaves that to {@link #sync()},
   * so that the writer can commit the next transaction while the previous one is being synced.
   */
  default boolean syncsSeparately() {
    return false;
  }

  /**
   * Makes every transaction {@link #write} committed before this call durable on stable storage. A
   * no-op unless {@link #syncsSeparately()}; then it is called from a thread of its own, concurrently
   * with {@link #write}, and never after {@link #close()}.
   */
  default void sync() throws StorageException {}

  /**
   * Rows deleted by one {@link #deleteExpired} step.
   *
   * @param events events deleted
   * @param sessions sessions deleted because none of their events is left
   * @param rejected rejected rows deleted
   */
  record Expired(int events, int sessions, int rejected) {
    /** Every kind together. */
    public int total() {
      return events + sessions + rejected;
    }
  }

  /** Whether {@link #deleteExpired} is implemented (retention). */
  default boolean supportsRetention() {
    return false;
  }

  /**
   * One small retention step, in one transaction: deletes up to {@code maxRows} events received before
   * {@code eventsBefore} (the oldest first; the sessions left without events go with them) and up to
   * {@code maxRows} rejected rows received before {@code rejectedBefore}; a {@code null} bound deletes
   * nothing of its kind. Called by the writer thread between its transactions.
   *
   * @return what was deleted; fewer than {@code maxRows} of a kind means that kind is caught up
   */
  default Expired deleteExpired(java.time.Instant eventsBefore, java.time.Instant rejectedBefore, int maxRows)
      throws StorageException {
    throw new UnsupportedOperationException(describe() + " has no retention");
  }

  /** Whether a write is expected to succeed now (used by {@code GET /ready}); cheap. */
  boolean isWritable();

  /** A human description for the startup line, never containing a password. */
  String describe();

  /** Closes the database; idempotent. */
  @Override
  void close();
}
