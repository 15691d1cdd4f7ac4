package io.theeye.collector.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.theeye.collector.schema.EventSchema;
import io.theeye.collector.schema.EventType;
import io.theeye.collector.schema.SchemaRegistry;
import io.theeye.model.Reason;
import io.theeye.model.Timestamps;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's JSON API under {@code /api/}: {@code overview}, {@code errors}, {@code applications},
 * {@code types}, {@code tail}. Read-only; every answer is computed on a worker thread of the admin
 * listener, never on the ingestion port's threads.
 */
final class ConsoleApi implements HttpHandler, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleApi.class);
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final String VERSION = readVersion();
  /** The errors page's default window: the last {@value} hours. */
  static final long DEFAULT_ERROR_HOURS = 24;
  private static final String OVERVIEW = "/api/overview";
  private static final java.util.Set<String> PATHS =
      java.util.Set.of(OVERVIEW, "/api/errors", "/api/applications", "/api/types", "/api/tail");

  private final ConsoleSources sources;
  private final IngestHistory history;
  private final SqliteConsoleQueries queries;

  ConsoleApi(ConsoleSources sources) {
    this.sources = sources;
    this.history = new IngestHistory(sources.registry(), sources.clock());
    this.queries = sources.sqliteFile() == null ? null : new SqliteConsoleQueries(sources.sqliteFile());
  }

  /** The collector's version, from the build. */
  static String version() {
    return VERSION;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (exchange.isInIoThread()) {
      exchange.dispatch(this);
      return;
    }
    String path = exchange.getRelativePath();
    if (!PATHS.contains(path)) {
      send(exchange, 404, Map.of("error", "not_found", "message", "no such console endpoint: " + abbreviate(path)));
      return;
    }
    if (queries == null && !path.equals(OVERVIEW)) {
      send(exchange, 501, Map.of("error", "not_implemented", "message",
          "this console page reads SQLite, and this collector stores in " + sources.storeDescription()
              + "; query the contract relations with SQL, or use /metrics, instead"));
      return;
    }
    try {
      Object body = switch (path) {
        case OVERVIEW -> overview();
        case "/api/errors" -> errors(exchange);
        case "/api/applications" -> applications();
        case "/api/types" -> types();
        default -> tail(exchange);
      };
      send(exchange, 200, body);
    } catch (BadParameter e) {
      send(exchange, 400, Map.of("error", "bad_parameter", "message", e.getMessage()));
    } catch (SQLException e) {
      LOG.warn("a console query failed", e);
      send(exchange, 503, Map.of("error", "database_unavailable", "message",
          "the console could not read the database: " + e.getMessage()));
    }
  }

  // ------------------------------------------------------------------ overview

  private Map<String, Object> overview() {
    Map<String, Object> body = new LinkedHashMap<>();
    Instant now = sources.clock().instant();
    body.put("version", VERSION);
    body.put("started_at", sources.started().toString());
    body.put("uptime_seconds", Duration.between(sources.started(), now).toSeconds());
    body.put("store", sources.storeDescription());
    body.put("database_bytes", databaseBytes());
    body.put("queue_depth", gauge("eye.queue.depth"));
    body.put("queue_capacity", gauge("eye.queue.capacity"));
    body.put("commit", commitLatency());
    Map<String, Long> totals = new LinkedHashMap<>();
    totals.put("accepted", history.total("eye.events.accepted"));
    totals.put("rejected", history.total("eye.events.rejected"));
    totals.put("duplicates", history.total("eye.events.duplicates"));
    body.put("totals_since_start", totals);
    IngestHistory.Series series = history.series();
    Map<String, Object> chart = new LinkedHashMap<>();
    chart.put("first_second", series.firstSecond());
    chart.put("accepted", series.accepted());
    chart.put("rejected", series.rejected());
    chart.put("duplicates", series.duplicates());
    body.put("per_second", chart);
    return body;
  }

  private Long gauge(String name) {
    Gauge gauge = sources.registry().find(name).gauge();
    return gauge == null ? null : (long) gauge.value();
  }

  private Map<String, Object> commitLatency() {
    Map<String, Object> out = new LinkedHashMap<>();
    Timer timer = sources.registry().find("eye.writer.commit").timer();
    if (timer == null) {
      return out;
    }
    HistogramSnapshot snapshot = timer.takeSnapshot();
    out.put("count", snapshot.count());
    for (ValueAtPercentile p : snapshot.percentileValues()) {
      out.put("p" + Math.round(p.percentile() * 100) + "_ms", p.value(TimeUnit.MILLISECONDS));
    }
    return out;
  }

  /** The SQLite file plus its WAL, or null for PostgreSQL. */
  private Long databaseBytes() {
    Path file = sources.sqliteFile();
    if (file == null) {
      return null;
    }
    long bytes = 0;
    for (Path p : List.of(file, Path.of(file + "-wal"))) {
      try {
        bytes += Files.size(p);
      } catch (IOException ignored) {
        // No WAL yet.
      }
    }
    return bytes;
  }

  // ------------------------------------------------------------------ errors

  private Map<String, Object> errors(HttpServerExchange exchange) throws SQLException {
    Instant now = sources.clock().instant();
    Instant to = instant(exchange, "to", now.plusSeconds(1));
    Instant from = instant(exchange, "from", to.minus(Duration.ofHours(DEFAULT_ERROR_HOURS)));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("from", from.toString());
    body.put("to", to.toString());
    body.put("groups", queries.rows(SqliteConsoleQueries.ERRORS, Timestamps.format(from), Timestamps.format(to)));
    return body;
  }

  private static Instant instant(HttpServerExchange exchange, String name, Instant otherwise) {
    String value = parameter(exchange, name);
    if (value == null) {
      return otherwise;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new BadParameter(name + " must be an ISO-8601 instant such as 2026-01-01T09:00:00Z, was '"
          + abbreviate(value) + "'");
    }
  }

  // ------------------------------------------------------------------ applications

  private Map<String, Object> applications() throws SQLException {
    Map<String, Map<String, Object>> apps = new LinkedHashMap<>();
    for (Map<String, Object> row : queries.rows(SqliteConsoleQueries.APPLICATIONS)) {
      app(apps, (String) row.get("app_id"));
    }
    List<Map<String, Object>> otherKeys = new ArrayList<>();
    for (Map<String, Object> key : sources.activity().snapshot()) {
      String appId = (String) key.remove("app_id");
      if (appId == null) {
        otherKeys.add(key);
      } else {
        keysOf(app(apps, appId)).add(key);
      }
    }
    SchemaRegistry schemas = sources.schemas().get();
    for (Map<String, Object> type : queries.rows(SqliteConsoleQueries.TYPES)) {
      String category = (String) type.get("category");
      String name = (String) type.get("name");
      if (schemas.find(category, name).isPresent()) {
        continue;
      }
      for (Map<String, Object> row : queries.rows(SqliteConsoleQueries.EVENTS_OF_TYPE_BY_APP, type.get("type_key"))) {
        unknownType(app(apps, (String) row.get("app_id")), category, name).put("events", row.get("events"));
      }
    }
    for (Map<String, Object> row : queries.rows(SqliteConsoleQueries.REJECTED_BY_REASON, Reason.UNKNOWN_EVENT_TYPE.code())) {
      unknownType(app(apps, (String) row.get("app_id")), (String) row.get("category"), (String) row.get("name"))
          .put("rejected", row.get("rejected"));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("applications", new ArrayList<>(apps.values()));
    body.put("other_requests", otherKeys);
    return body;
  }

  private static Map<String, Object> app(Map<String, Map<String, Object>> apps, String appId) {
    return apps.computeIfAbsent(appId, id -> {
      Map<String, Object> app = new LinkedHashMap<>();
      app.put("app_id", id);
      app.put("keys", new ArrayList<Map<String, Object>>());
      app.put("unknown_types", new LinkedHashMap<String, Map<String, Object>>());
      return app;
    });
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> keysOf(Map<String, Object> app) {
    return (List<Map<String, Object>>) app.get("keys");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> unknownType(Map<String, Object> app, String category, String name) {
    Map<String, Map<String, Object>> types = (Map<String, Map<String, Object>>) app.get("unknown_types");
    return types.computeIfAbsent(category + "/" + name, k -> {
      Map<String, Object> type = new LinkedHashMap<>();
      type.put("category", category);
      type.put("name", name);
      type.put("events", 0);
      type.put("rejected", 0);
      return type;
    });
  }

  // ------------------------------------------------------------------ types

  private Map<String, Object> types() throws SQLException {
    SchemaRegistry schemas = sources.schemas().get();
    Map<EventType, Map<String, Object>> byType = new LinkedHashMap<>();
    for (EventType type : schemas.types()) {
      byType.put(type, typeRow(type, schemas));
    }
    for (Map<String, Object> row : queries.rows(SqliteConsoleQueries.TYPES)) {
      EventType type = new EventType((String) row.get("category"), (String) row.get("name"));
      byType.computeIfAbsent(type, t -> typeRow(t, schemas))
          .put("events", queries.number(SqliteConsoleQueries.EVENTS_OF_TYPE, row.get("type_key")));
    }
    for (Map<String, Object> type : byType.values()) {
      long rejected = queries.number(SqliteConsoleQueries.REJECTED_OF_TYPE, type.get("category"), type.get("name"));
      long events = ((Number) type.get("events")).longValue();
      type.put("rejected", rejected);
      type.put("rejection_share", events + rejected == 0 ? null : (double) rejected / (events + rejected));
    }
    return Map.of("types", new ArrayList<>(byType.values()));
  }

  private static Map<String, Object> typeRow(EventType type, SchemaRegistry schemas) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("category", type.category());
    row.put("name", type.name());
    EventSchema schema = schemas.find(type.category(), type.name()).orElse(null);
    row.put("schema_source", schema == null ? null : schema.source());
    row.put("schema", schema == null ? null : schema.document());
    row.put("events", 0L);
    return row;
  }

  // ------------------------------------------------------------------ tail

  private Map<String, Object> tail(HttpServerExchange exchange) throws SQLException {
    long newestEvent = queries.number(SqliteConsoleQueries.MAX_EVENT_ID);
    long newestRejected = queries.number(SqliteConsoleQueries.MAX_REJECTED_ID);
    long afterEvent = Math.max(longParameter(exchange, "after_event", 0), newestEvent - SqliteConsoleQueries.TAIL_WINDOW);
    long afterRejected = Math.max(longParameter(exchange, "after_rejected", 0),
        newestRejected - SqliteConsoleQueries.TAIL_WINDOW);
    Object[] filters = {parameter(exchange, "app"), parameter(exchange, "category"), parameter(exchange, "name"),
        parameter(exchange, "session")};
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("events", queries.rows(SqliteConsoleQueries.TAIL_EVENTS, with(afterEvent, filters)));
    body.put("rejected", queries.rows(SqliteConsoleQueries.TAIL_REJECTED, with(afterRejected, filters)));
    body.put("last_event_id", newestEvent);
    body.put("last_rejected_id", newestRejected);
    return body;
  }

  private static Object[] with(long first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private static long longParameter(HttpServerExchange exchange, String name, long otherwise) {
    String value = parameter(exchange, name);
    if (value == null) {
      return otherwise;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new BadParameter(name + " must be an integer, was '" + abbreviate(value) + "'");
    }
  }

  /** A query parameter, or null when absent or empty. */
  private static String parameter(HttpServerExchange exchange, String name) {
    Deque<String> values = exchange.getQueryParameters().get(name);
    String value = values == null ? null : values.peekFirst();
    return value == null || value.isEmpty() ? null : value;
  }

  private static String abbreviate(String value) {
    return value.length() > 100 ? value.substring(0, 100) + "…" : value;
  }

  private static void send(HttpServerExchange exchange, int status, Object body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
  }

  private static String readVersion() {
    try (InputStream in = ConsoleApi.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** A query parameter that cannot be used: answered 400. */
  private static final class BadParameter extends RuntimeException {
    BadParameter(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public void close() {
    history.close();
    if (queries != null) {
      queries.close();
    }
  }
}
