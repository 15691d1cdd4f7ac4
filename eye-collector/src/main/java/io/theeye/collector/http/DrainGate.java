package io.theeye.collector.http;

import io.theeye.model.ErrorCode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.time.Duration;

/**
 * The outermost handler: counts requests in flight and, once {@link #close() closed}, answers every new
 * request {@code 503 shutting_down} with {@code Retry-After} while the ones already in flight finish.
 * (Undertow's {@code GracefulShutdownHandler} does the counting too, but answers a bare 503 without
 * the JSON body and {@code Retry-After} the protocol requires.)
 */
final class DrainGate implements HttpHandler {

  private final HttpHandler next;
  private final Object lock = new Object();
  private int active;
  private volatile boolean closed;

  DrainGate(HttpHandler next) {
    this.next = next;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (closed) {
      Responses.unavailable(exchange, ErrorCode.SHUTTING_DOWN,
          "the collector is shutting down; retry later", Responses.RETRY_UNAVAILABLE_SECONDS);
      return;
    }
    synchronized (lock) {
      active++;
    }
    exchange.addExchangeCompleteListener((ex, nextListener) -> {
      try {
        nextListener.proceed();
      } finally {
        synchronized (lock) {
          if (--active == 0) {
            lock.notifyAll();
          }
        }
      }
    });
    next.handleRequest(exchange);
  }

  /** Stops taking requests: from now on every new one is answered 503 {@code shutting_down}. */
  void close() {
    closed = true;
  }

  /** Whether {@link #close()} was called. */
  boolean isClosed() {
    return closed;
  }

  /**
   * Waits (on the calling thread, never an IO thread) until no request is in flight.
   *
   * @return whether that happened within {@code timeout}
   */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (active > 0) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        lock.wait(Math.max(1, remaining / 1_000_000));
      }
      return true;
    }
  }

  /** Requests in flight now. */
  int active() {
    synchronized (lock) {
      return active;
    }
  }
}
