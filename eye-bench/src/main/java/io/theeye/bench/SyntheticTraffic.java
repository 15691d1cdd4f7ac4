package io.theeye.bench;

import io.theeye.collector.storage.EventRow;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.model.Uuid7;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Generates plausible event traffic for benchmarks and for preloading a database: several applications,
 * a pool of concurrently active sessions that each live for a few dozen events before a new one takes
 * their place, the event types of the product brief and a few more, small JSON payloads, UUIDv7 event
 * ids and per-session sequence numbers. Timestamps come from a simulated clock that advances by a fixed
 * step per event, so a long history can be generated in the past.
 *
 * <pre>{@code
 * SyntheticTraffic traffic = new SyntheticTraffic(42, Instant.now().minus(Duration.ofDays(1)),
 *     Duration.ofMillis(10));
 * WriteRequest request = traffic.nextRequest(100);
 * }</pre>
 *
 * <p>Not thread-safe: use one instance per generating thread.
 */
public final class SyntheticTraffic {

  /** The applications the traffic comes from. */
  public static final List<String> APP_IDS = List.of("bench-shop", "bench-blog", "bench-admin");

  /** Sessions active at once: {@value}. */
  public static final int ACTIVE_SESSIONS = 1_000;

  private static final String[][] TYPES = {
      {"page interaction", "pageview"},
      {"page interaction", "pageview"},
      {"page interaction", "pageview"},
      {"page interaction", "cta click"},
      {"page interaction", "cta click"},
      {"form interaction", "submit"},
      {"page interaction", "scroll"},
      {"media", "play"},
      {"error", "client error"},
  };
  private static final String[] HOSTS = {"www.ca.com", "shop.ca.com", "blog.ca.com"};
  private static final String[] PATHS = {"/", "/products", "/products/42", "/cart", "/checkout",
      "/blog/2021/01/hello", "/about", "/search"};

  private final SplittableRandom random;
  private final long stepNanos;
  private Instant clock;
  private final String[] sessionIds;
  private final long[] sessionSeq;
  private final int[] sessionLeft;

  /**
   * Traffic starting at {@code start}, with every session and payload drawn from {@code seed}.
   *
   * @param seed makes the sessions, types and payloads reproducible (event ids are always fresh)
   * @param start the simulated time of the first event
   * @param step how far the simulated clock advances per event
   */
  public SyntheticTraffic(long seed, Instant start, Duration step) {
    this(seed, start, step, ACTIVE_SESSIONS);
  }

  /**
   * Traffic as {@link #SyntheticTraffic(long, Instant, Duration)} with {@code activeSessions} sessions
   * active at once instead of {@value #ACTIVE_SESSIONS}.
   */
  public SyntheticTraffic(long seed, Instant start, Duration step, int activeSessions) {
    if (activeSessions < 1) {
      throw new IllegalArgumentException("activeSessions must be at least 1");
    }
    this.sessionIds = new String[activeSessions];
    this.sessionSeq = new long[activeSessions];
    this.sessionLeft = new int[activeSessions];
    this.random = new SplittableRandom(seed);
    this.clock = Objects.requireNonNull(start, "start");
    if (step.isNegative()) {
      throw new IllegalArgumentException("step must not be negative");
    }
    this.stepNanos = step.toNanos();
    for (int i = 0; i < activeSessions; i++) {
      newSession(i);
    }
  }

  /** The simulated time the next event will get. */
  public Instant clock() {
    return clock;
  }

  /**
   * The next request: {@code events} valid events from one application, received at the simulated time
   * of its last event, with no rejected rows.
   */
  public WriteRequest nextRequest(int events) {
    if (events < 0) {
      throw new IllegalArgumentException("events must not be negative");
    }
    String appId = APP_IDS.get(random.nextInt(APP_IDS.size()));
    List<EventRow> rows = new ArrayList<>(events);
    for (int i = 0; i < events; i++) {
      rows.add(nextEvent());
    }
    return new WriteRequest(appId, clock, rows, List.of());
  }

  /** The next event of a random active session. */
  public EventRow nextEvent() {
    int s = random.nextInt(sessionIds.length);
    if (sessionLeft[s] == 0) {
      newSession(s);
    }
    sessionLeft[s]--;
    String[] type = TYPES[random.nextInt(TYPES.length)];
    String data = "{\"host\":\"" + HOSTS[random.nextInt(HOSTS.length)] + "\",\"path\":\""
        + PATHS[random.nextInt(PATHS.length)] + "\""
        + switch (type[1]) {
          case "cta click" -> ",\"element\":\"chat bubble\"";
          case "submit" -> ",\"form\":{\"first_name\":\"John\",\"last_name\":\"Doe\"}";
          case "scroll" -> ",\"depth\":" + random.nextInt(100);
          default -> "";
        }
        + "}";
    EventRow row = new EventRow(Uuid7.next(), sessionIds[s], type[0], type[1], clock,
        sessionSeq[s]++, data);
    clock = clock.plusNanos(stepNanos);
    return row;
  }

  private void newSession(int s) {
    sessionIds[s] = new UUID(random.nextLong(), random.nextLong()).toString();
    sessionSeq[s] = 0;
    sessionLeft[s] = 5 + random.nextInt(36);
  }
}
