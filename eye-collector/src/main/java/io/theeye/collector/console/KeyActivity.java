package io.theeye.collector.console;

import io.theeye.collector.ApplicationKey;
import io.theeye.model.EyeProtocol;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests to {@code POST /v1/events} by key id and status, and each key's last request time, kept in
 * memory since the collector started: what shows a key rotation finishing. Only configured key ids get
 * their own row; any other {@code X-Eye-Key-Id} counts under {@value #UNKNOWN_KEY}, a request without one
 * under {@value #NO_KEY}, so a sender cannot grow the table. A reload that adds keys adds their rows
 * ({@link #keysConfigured}); a key it removes keeps its row, so its last request stays visible.
 *
 * <p>Internal, not for public use: the collector wraps its ingestion handler with {@link #wrap}.
 */
public final class KeyActivity {

  /** The row of requests naming a key id that is not configured: {@value}. */
  public static final String UNKNOWN_KEY = "(unknown key id)";
  /** The row of requests without a key id: {@value}. */
  public static final String NO_KEY = "(no key id)";

  /** Replaced whole (copy on write) by {@link #keysConfigured}; read without a lock on every request. */
  private volatile Map<String, Activity> byKeyId = Map.of();
  private volatile Map<String, String> appByKeyId = Map.of();
  private final Clock clock;

  /** One row per configured key, plus the two catch-all rows. */
  public KeyActivity(List<ApplicationKey> keys, Clock clock) {
    this.clock = clock;
    keysConfigured(keys);
  }

  /**
   * The keys now configured (at start, and after each reload): a new key id gets its row; the rows of
   * keys already known keep their counts, and so do those of keys no longer configured.
   */
  public synchronized void keysConfigured(List<ApplicationKey> keys) {
    Map<String, Activity> rows = new LinkedHashMap<>();
    Map<String, String> apps = new LinkedHashMap<>(appByKeyId);
    for (ApplicationKey key : keys) {
      rows.put(key.keyId(), byKeyId.getOrDefault(key.keyId(), new Activity()));
      apps.put(key.keyId(), key.appId());
    }
    byKeyId.forEach((keyId, activity) -> {
      if (!keyId.equals(UNKNOWN_KEY) && !keyId.equals(NO_KEY)) {
        rows.putIfAbsent(keyId, activity);
      }
    });
    rows.put(UNKNOWN_KEY, byKeyId.getOrDefault(UNKNOWN_KEY, new Activity()));
    rows.put(NO_KEY, byKeyId.getOrDefault(NO_KEY, new Activity()));
    appByKeyId = java.util.Collections.unmodifiableMap(apps);
    byKeyId = java.util.Collections.unmodifiableMap(rows);
  }

  /** {@code next}, counting each answered {@code POST /v1/events} under its key id and status. */
  public HttpHandler wrap(HttpHandler next) {
    return exchange -> {
      if (EyeProtocol.EVENTS_PATH.equals(exchange.getRequestPath())) {
        Activity activity = activityOf(exchange);
        exchange.addExchangeCompleteListener((ex, done) -> {
          activity.record(ex.getStatusCode(), clock.millis());
          done.proceed();
        });
      }
      next.handleRequest(exchange);
    };
  }

  private Activity activityOf(HttpServerExchange exchange) {
    String keyId = exchange.getRequestHeaders().getFirst(EyeProtocol.HEADER_KEY_ID);
    if (keyId == null || keyId.isEmpty()) {
      return byKeyId.get(NO_KEY);
    }
    Map<String, Activity> rows = byKeyId;
    Activity known = rows.get(keyId);
    return known == null || keyId.equals(UNKNOWN_KEY) || keyId.equals(NO_KEY) ? rows.get(UNKNOWN_KEY) : known;
  }

  /** One row per key id: {@code app_id} (null for the catch-all rows), {@code key_id}, {@code last_request_at}, {@code requests_by_status}. */
  public List<Map<String, Object>> snapshot() {
    List<Map<String, Object>> rows = new ArrayList<>();
    Map<String, String> apps = appByKeyId;
    byKeyId.forEach((keyId, activity) -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("app_id", apps.get(keyId));
      row.put("key_id", keyId);
      long last = activity.lastMillis;
      row.put("last_request_at", last == 0 ? null : Instant.ofEpochMilli(last).toString());
      Map<String, Long> byStatus = new TreeMap<>();
      activity.byStatus.forEach((status, count) -> byStatus.put(Integer.toString(status), count.sum()));
      row.put("requests_by_status", byStatus);
      rows.add(row);
    });
    return rows;
  }

  private static final class Activity {
    final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    volatile long lastMillis;

    void record(int status, long nowMillis) {
      byStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
      lastMillis = nowMillis;
    }
  }
}
