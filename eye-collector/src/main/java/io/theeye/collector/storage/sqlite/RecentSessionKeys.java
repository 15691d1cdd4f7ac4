package io.theeye.collector.storage.sqlite;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The integer keys of the sessions seen in the last few seconds, so that the writer looks up a busy
 * session's key once, not for every event.
 *
 * <p>Two generations of a plain map: lookups go to the current one, then to the previous one (a hit
 * there moves the entry to the current one). Every {@link #GENERATION_NANOS} ns, or once the current
 * one holds {@link #GENERATION_SIZE} entries, the previous one is dropped and the current one becomes
 * the previous one. A session that sends again within a generation stays; one that does not is
 * forgotten within two generations, and its next event costs one indexed lookup.
 *
 * <p>Why not a large LRU map: it kept each of up to 100,000 sessions for as long as 100,000 newer ones
 * took to arrive, a minute or more when sessions are short (most visits are one or two page views).
 * Those entries outlived several young collections, and each collection copied them again: young pauses
 * of 9–14 ms at 1,000 events/s, which delayed every request they met. Entries here die within two
 * generations, mostly before the next young collection, and those pauses fell to 2–3 ms.
 *
 * <p>Not thread-safe: only the writer uses it.
 */
final class RecentSessionKeys {

  /** How long a generation lasts at most: {@value} ns (2 s). */
  static final long GENERATION_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** Entries of one generation at most: {@value}. */
  static final int GENERATION_SIZE = 50_000;

  private final LongSupplier ticker;
  private Map<String, Long> current = new HashMap<>();
  private Map<String, Long> previous = new HashMap<>();
  private long generationStart;

  RecentSessionKeys() {
    this(System::nanoTime);
  }

  /** With {@code ticker} as the clock (nanoseconds, as {@link System#nanoTime}), for tests. */
  RecentSessionKeys(LongSupplier ticker) {
    this.ticker = ticker;
    this.generationStart = ticker.getAsLong();
  }

  /** The key of {@code sessionId} if it was seen lately, else null. */
  Long get(String sessionId) {
    Long key = current.get(sessionId);
    if (key == null) {
      key = previous.get(sessionId);
      if (key != null) {
        put(sessionId, key);
      }
    }
    return key;
  }

  /** Remembers the key of a session that exists in the database (committed). */
  void put(String sessionId, long key) {
    if (current.size() >= GENERATION_SIZE) {
      nextGeneration();
    }
    current.put(sessionId, key);
  }

  /** Remembers several. */
  void putAll(Map<String, Long> keys) {
    keys.forEach(this::put);
  }

  /** Called before each transaction: starts the next generation when this one has lasted long enough. */
  void tick() {
    if (ticker.getAsLong() - generationStart >= GENERATION_NANOS) {
      nextGeneration();
    }
  }

  /** Forgets everything (a session may have been deleted, or a transaction failed). */
  void clear() {
    current = new HashMap<>();
    previous = new HashMap<>();
    generationStart = ticker.getAsLong();
  }

  /** Entries held, both generations (a moved entry may count twice). */
  int size() {
    return current.size() + previous.size();
  }

  private void nextGeneration() {
    previous = current;
    current = new HashMap<>();
    generationStart = ticker.getAsLong();
  }
}
