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
 * under {@value #NO_KEY}, so a sender cannot grow the table.
 *
 * <p>Internal, not for public use: the collector wraps its ingestion handler with {@link #wrap}.
 */
public final class KeyActivity {

  /** The row of requests naming a key id that is not configured: {@value}. */
  public static final String UNKNOWN_KEY = "(unknown key id)";
  /** The row of requests without a key id: {@value}. */
  public static final String NO_KEY = "(no key id)";

  private final Map<String, Activity> byKeyId = new LinkedHashMap<>();
  private final Map<String, String> appByKeyId = new LinkedHashMap<>();
  private final Clock clock;

  /** One row per configured key, plus the two catch-all rows. */
  public KeyActivity(List<ApplicationKey> keys, Clock clock) {
    this.clock = clock;
    for (ApplicationKey key : keys) {
      byKeyId.put(key.keyId(), new Activity());
      appByKeyId.put(key.keyId(), key.appId());
    }
    byKeyId.put(UNKNOWN_KEY, new Activity());
    byKeyId.put(NO_KEY, new Activity());
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
    Activity known = byKeyId.get(keyId);
    return known == null || keyId.equals(UNKNOWN_KEY) || keyId.equals(NO_KEY) ? byKeyId.get(UNKNOWN_KEY) : known;
  }

  /** One row per key id: {@code app_id} (null for the catch-all rows), {@code key_id}, {@code last_request_at}, {@code requests_by_status}. */
  public List<Map<String, Object>> snapshot() {
    List<Map<String, Object>> rows = new ArrayList<>();
    byKeyId.forEach((keyId, activity) -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("app_id", appByKeyId.get(keyId));
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
