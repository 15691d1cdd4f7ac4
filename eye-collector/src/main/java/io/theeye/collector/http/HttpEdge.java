package io.theeye.collector.http;

import io.theeye.collector.CollectorMetrics;
import io.theeye.collector.ApplicationKey;
import io.theeye.collector.ingest.EventWriter;
import io.theeye.collector.ingest.Ingest;
import io.theeye.model.ErrorCode;
import io.theeye.model.EyeProtocol;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import io.undertow.util.Headers;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The collector's HTTP surface as one Undertow handler: {@code POST /v1/events}, {@code GET /health},
 * {@code GET /ready}, {@code GET /metrics}; JSON 404 and 405 for anything else; and a drain gate that
 * answers 503 {@code shutting_down} once the collector stops.
 *
 * <p>Internal, not for public use: {@code io.theeye.collector.Collector} builds and owns it.
 */
public final class HttpEdge {

  /** The metrics path. */
  public static final String METRICS_PATH = "/metrics";
  /** The liveness path. */
  public static final String HEALTH_PATH = "/health";
  /** The readiness path. */
  public static final String READY_PATH = "/ready";

  private static final Set<String> KNOWN_PATHS =
      Set.of(EyeProtocol.EVENTS_PATH, HEALTH_PATH, READY_PATH, METRICS_PATH);

  private final DrainGate gate;
  private final EventsHandler events;
  private final Clock clock;
  private final Duration signatureWindow;

  /**
   * Everything the edge needs.
   *
   * @param keys the configured application keys
   * @param ingest the pipeline behind {@code POST /v1/events}
   * @param writer the queue in front of the database, for {@code /ready}
   * @param databaseWritable whether the database takes writes now, for {@code /ready}
   * @param metrics where counts go
   * @param scrape produces the {@code /metrics} text
   * @param clock the collector's clock (receipt time, signature window)
   * @param signatureWindow the replay window
   * @param limits what requests may hold before and while they are parsed
   */
  public record Settings(List<ApplicationKey> keys, Ingest ingest, EventWriter writer,
      BooleanSupplier databaseWritable, CollectorMetrics metrics, Supplier<String> scrape, Clock clock,
      Duration signatureWindow, EdgeLimits limits) {

    /** Checks every part is present. */
    public Settings {
      Objects.requireNonNull(keys, "keys");
      Objects.requireNonNull(ingest, "ingest");
      Objects.requireNonNull(writer, "writer");
      Objects.requireNonNull(databaseWritable, "databaseWritable");
      Objects.requireNonNull(metrics, "metrics");
      Objects.requireNonNull(scrape, "scrape");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(signatureWindow, "signatureWindow");
      Objects.requireNonNull(limits, "limits");
    }
  }

  private final HttpHandler root;

  /** Builds the handler chain. */
  public HttpEdge(Settings s) {
    this.clock = s.clock();
    this.signatureWindow = s.signatureWindow();
    this.events = new EventsHandler(live(s.keys(), s.ingest()), s.metrics(), s.clock(), s.limits());
    RoutingHandler routes = Handlers.routing()
        // A sender that asks "Expect: 100-continue" gets its 100 only when the body is read, i.e. not
        // when the headers alone already earned a 415 or 413.
        .post(EyeProtocol.EVENTS_PATH, new HttpContinueReadHandler(events))
        .get(HEALTH_PATH, StatusHandlers.health())
        .get(READY_PATH, StatusHandlers.ready(s.databaseWritable(), s.writer()))
        .get(METRICS_PATH, StatusHandlers.metrics(s.scrape()))
        .setFallbackHandler(HttpEdge::notFound)
        .setInvalidMethodHandler(HttpEdge::methodNotAllowed);
    this.gate = new DrainGate(routes);
    CollectorMetrics metrics = s.metrics();
    // Outermost, so that the drain gate's 503s are counted too.
    this.root = exchange -> {
      String path = KNOWN_PATHS.contains(exchange.getRequestPath()) ? exchange.getRequestPath() : "other";
      exchange.addExchangeCompleteListener((ex, next) -> {
        metrics.requestAnswered(path, ex.getStatusCode());
        next.proceed();
      });
      gate.handleRequest(exchange);
    };
  }

  private EventsHandler.Live live(List<ApplicationKey> keys, Ingest ingest) {
    return new EventsHandler.Live(new KeyRing(keys, clock, signatureWindow), Objects.requireNonNull(ingest, "ingest"));
  }

  /**
   * Authenticates new requests with {@code keys} and ingests them with {@code ingest}, atomically;
   * requests already authenticated finish with the previous pair.
   *
   * @throws IllegalArgumentException when a key id is configured twice; nothing is swapped then
   */
  public void swap(List<ApplicationKey> keys, Ingest ingest) {
    events.swap(live(keys, ingest));
  }

  /** The root handler to give Undertow. */
  public HttpHandler handler() {
    return root;
  }

  /** Stops taking requests: every new one is answered 503 {@code shutting_down}. */
  public void close() {
    gate.close();
  }

  /**
   * Waits, on the calling thread, until no request is in flight.
   *
   * @return whether that happened within {@code timeout}
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return gate.awaitIdle(timeout);
  }

  /** Requests in flight now. */
  public int inFlight() {
    return gate.active();
  }

  private static void notFound(HttpServerExchange exchange) {
    String path = exchange.getRequestPath();
    Responses.error(exchange, ErrorCode.NOT_FOUND,
        "no such endpoint: " + (path.length() > 200 ? path.substring(0, 200) + "…" : path));
  }

  private static void methodNotAllowed(HttpServerExchange exchange) {
    String allowed = EyeProtocol.EVENTS_PATH.equals(exchange.getRequestPath()) ? "POST" : "GET";
    exchange.getResponseHeaders().put(Headers.ALLOW, allowed);
    Responses.error(exchange, ErrorCode.METHOD_NOT_ALLOWED,
        exchange.getRequestMethod() + " is not allowed on " + exchange.getRequestPath() + "; use " + allowed);
  }
}
