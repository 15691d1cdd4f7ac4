package io.theeye.collector.http;

import io.theeye.collector.ingest.EventWriter;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.function.BooleanSupplier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** {@code GET /health}, {@code GET /ready} and {@code GET /metrics}. */
final class StatusHandlers {

  private static final byte[] HEALTHY = Responses.utf8("{\"status\":\"ok\"}");

  /** The Prometheus text exposition format, version 0.0.4. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private StatusHandlers() {}

  /** 200 while the process can answer at all. */
  static HttpHandler health() {
    return exchange -> Responses.send(exchange, 200, Responses.JSON_TYPE, HEALTHY);
  }

  /**
   * 200 when the database is writable and the queue has room, else 503 naming which is not. The store
   * check may touch the database, so it runs on a worker thread.
   */
  static HttpHandler ready(BooleanSupplier databaseWritable, EventWriter writer) {
    return new HttpHandler() {
      @Override
      public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
          exchange.dispatch(this);
          return;
        }
        boolean writable = databaseWritable.getAsBoolean();
        boolean room = writer.hasRoom();
        Map<String, Object> body = new LinkedHashMap<>();
        if (!(writable && room)) {
          body.put("error", "not_ready");
          body.put("message", !writable && !room ? "the database is not writable and the queue is full"
              : !writable ? "the database is not writable" : "the queue is full");
        }
        body.put("status", writable && room ? "ready" : "not_ready");
        body.put("database_writable", writable);
        body.put("queue_has_room", room);
        body.put("queue_depth", writer.depth());
        body.put("queue_capacity", writer.capacity());
        Responses.json(exchange, writable && room ? 200 : 503, body);
      }
    };
  }

  /** The Prometheus scrape, produced on a worker thread. */
  static HttpHandler metrics(Supplier<String> scrape) {
    return new HttpHandler() {
      @Override
      public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
          exchange.dispatch(this);
          return;
        }
        Responses.send(exchange, 200, PROMETHEUS_TEXT, Responses.utf8(scrape.get()));
      }
    };
  }
}
