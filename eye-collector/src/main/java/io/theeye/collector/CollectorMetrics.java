package io.theeye.collector;

import io.theeye.collector.schema.EventType;
import io.theeye.collector.storage.sqlite.SqliteWalStats;
import io.theeye.model.Reason;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * What the collector counts. The default methods do nothing, so a component can take {@link #NOOP}
 * in tests; the Prometheus-backed implementation is exposed at {@code GET /metrics}. Never pass a
 * secret, a key's secret or a raw body to a metric.
 */
public interface CollectorMetrics {

  /** Counts nothing. */
  CollectorMetrics NOOP = new CollectorMetrics() {};

  /** An HTTP answer was sent on {@code path} with {@code status}. */
  default void requestAnswered(String path, int status) {}

  /**
   * The edge closed a connection or refused a request to protect its memory; {@code cause} is a fixed
   * label: {@code slow_body} (the body did not arrive within the body timeout), {@code receive_budget}
   * (too many bytes being received at once), {@code parse_busy} (no parsing slot came free in time).
   */
  default void requestRefused(String cause) {}

  /** A request failed authentication; {@code cause} is a fixed label such as {@code bad_signature}. */
  default void authFailed(String cause) {}

  /**
   * A request authenticated with one of the configured keys ({@code keyId} is a configured key id,
   * never one taken from an unauthenticated request), so an operator sees when an old key is unused.
   */
  default void requestAuthenticated(String appId, String keyId) {}

  /**
   * The configured keys, at startup and after every reload: every series with a fixed set of labels
   * (and those of these applications and keys) is created at zero, so a rate alert works before the
   * first failure.
   */
  default void keysConfigured(List<ApplicationKey> keys) {}

  /** A configuration reload was applied ({@code ok}) or refused whole. */
  default void configReloaded(boolean ok) {}

  /**
   * Accepted events of one type that has no schema (with {@code --unknown-types accept}). The type is
   * the sender's text: fine for a log line, never a metric label (senders could create any number).
   */
  default void eventsOfUnknownType(String appId, EventType type, int count) {}

  /** Events of an authenticated request, before validation. */
  default void eventsReceived(String appId, int count) {}

  /** Events stored. */
  default void eventsAccepted(String appId, int count) {}

  /** Events that were duplicates of stored ones. */
  default void eventsDuplicate(String appId, int count) {}

  /** Rejected events (and malformed bodies) by reason. */
  default void eventsRejected(String appId, Reason reason, int count) {}

  /** The writer committed one transaction of {@code requests} requests and {@code rows} rows. */
  default void writerCommitted(int requests, int rows, long commitNanos) {}

  /** A writer transaction failed and was rolled back, or a sync of committed ones failed. */
  default void writerFailed() {}

  /** One fsync made {@code transactions} committed writer transactions durable. */
  default void writerSynced(int transactions, long syncNanos) {}

  /** One retention step deleted these rows. */
  default void retentionDeleted(int events, int sessions, int rejected) {}

  /** Registers the live queue depth (in events) as a gauge. */
  default void queueDepth(IntSupplier depth) {}

  /** Registers a SQLite store's WAL size and checkpoint counts, read live. */
  default void sqliteWal(SqliteWalStats wal) {}
}
