package io.theeye.collector.http;

import io.theeye.collector.CollectorMetrics;
import io.theeye.collector.Fatal;
import io.theeye.collector.ingest.Ingest;
import io.theeye.collector.ingest.IngestAnswer;
import io.theeye.model.ErrorCode;
import io.theeye.model.EyeProtocol;
import io.undertow.io.Receiver;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * {@code POST /v1/events}, the transport only. One request, top to bottom, in the protocol's order of
 * checks:
 *
 * <ol>
 *   <li>IO thread: content type and encoding (415); declared size (413 at once, nothing read); then
 *       the body is read with Undertow's non-blocking receiver into a buffer that grows with the bytes
 *       that actually arrive, within the wire limit (413), the body timeout (the connection is closed)
 *       and the edge's budget of bytes being received by all connections at once (503).
 *   <li>Worker thread, holding one of a bounded number of parsing slots (503 when none frees up in
 *       time): signature over the bytes as received (401); bounded gunzip (413); then
 *       {@link Ingest#accept}, which parses, validates and queues.
 *   <li>The answer from {@link Ingest}'s stage, written on the exchange's IO thread.
 * </ol>
 *
 * No thread ever waits for the writer here. An {@link Error} on the worker answers 500; one that means
 * the JVM is failing (an {@link OutOfMemoryError}, see {@link Fatal#isFatal}) also goes to
 * {@link Fatal}, which stops the process.
 */
final class EventsHandler implements HttpHandler {

  private static final Logger log = LoggerFactory.getLogger(EventsHandler.class);

  /** Where slow requests' timings go, at DEBUG: on with {@code EYE_LOG_TIMINGS=DEBUG} (operations.md). */
  private static final Logger timingLog = LoggerFactory.getLogger("io.theeye.collector.timing");
  private static final HttpString KEY_ID = HttpString.tryFromString(EyeProtocol.HEADER_KEY_ID);
  private static final HttpString SIGNATURE = HttpString.tryFromString(EyeProtocol.HEADER_SIGNATURE);
  private static final String UNAUTHORIZED_MESSAGE =
      "the request could not be authenticated: check the key id, the secret, the signature and the clock";
  /** A body's buffer starts at most this large, whatever length it declares. */
  static final int INITIAL_BUFFER_BYTES = 8 << 10;

  /**
   * The keys and the pipeline (with its schemas) as one value, swapped whole by a reload; a request
   * reads it once, so it finishes under the set it was authenticated with.
   */
  record Live(KeyRing keys, Ingest ingest) {}

  private final AtomicReference<Live> live;
  private final CollectorMetrics metrics;
  private final Clock clock;
  private final EdgeLimits limits;
  /** Bytes held by the buffers of bodies being received (or waiting for a parsing slot) now. */
  private final AtomicLong receiving = new AtomicLong();
  private final Semaphore parsing;

  EventsHandler(Live live, CollectorMetrics metrics, Clock clock, EdgeLimits limits) {
    this.live = new AtomicReference<>(live);
    this.metrics = metrics;
    this.clock = clock;
    this.limits = limits;
    this.parsing = new Semaphore(limits.maxConcurrentParses());
  }

  /** From the next request on, authenticates and ingests with {@code next}; requests in flight keep theirs. */
  void swap(Live next) {
    live.set(next);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    Instant receivedAt = clock.instant();
    long startNanos = System.nanoTime();
    HeaderMap headers = exchange.getRequestHeaders();
    if (!MediaTypes.isJson(headers.getFirst(Headers.CONTENT_TYPE))) {
      Responses.error(exchange, ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type must be application/json (a charset=utf-8 parameter is allowed)");
      return;
    }
    MediaTypes.Encoding encoding = MediaTypes.encoding(headers.get(Headers.CONTENT_ENCODING));
    if (encoding == null) {
      Responses.error(exchange, ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "Content-Encoding must be gzip or absent");
      return;
    }
    long declared = exchange.getRequestContentLength();
    if (declared > limits.maxBodyBytes()) {
      tooLargeOnTheWire(exchange);
      return;
    }
    // Undertow enforces the limit as it reads a chunked body, so nothing past it is buffered.
    exchange.setMaxEntitySize(limits.maxBodyBytes());
    Body body = new Body(declared > 0 ? (int) Math.min(declared, INITIAL_BUFFER_BYTES) : INITIAL_BUFFER_BYTES);
    if (!body.reserve(body.bytes.length)) {
      refuseReceiving(exchange);
      return;
    }
    exchange.addExchangeCompleteListener((ex, next) -> {
      body.release();
      next.proceed();
    });
    // A body must arrive whole within the body timeout, however slowly its bytes trickle in: a read
    // timeout alone would let one byte a second hold a connection forever.
    XnioExecutor.Key deadline = exchange.getIoThread().executeAfter(() -> {
      if (!body.complete) {
        metrics.requestRefused("slow_body");
        log.debug("closing a connection whose body did not arrive within {} ms", limits.bodyTimeout().toMillis());
        IoUtils.safeClose(exchange.getConnection());
        body.release();
      }
    }, limits.bodyTimeout().toMillis(), TimeUnit.MILLISECONDS);
    // receivePartialBytes, not receiveFullBytes: Undertow 2.3's receiveFullBytes copies the body one
    // byte at a time into a synchronized ByteArrayOutputStream (the IO threads' hottest frame under
    // load); the chunks here are copied in bulk into one array.
    exchange.getRequestReceiver().receivePartialBytes((ex, chunk, last) -> {
      int appended = body.append(chunk, limits.maxBodyBytes());
      if (appended != Body.APPENDED) {
        body.complete = true;
        deadline.remove();
        ex.getRequestReceiver().pause();
        if (appended == Body.TOO_LARGE) {
          tooLargeOnTheWire(ex);
        } else {
          refuseReceiving(ex);
        }
        return;
      }
      if (last) {
        body.complete = true;
        deadline.remove();
        byte[] bytes = body.bytes();
        long readNanos = System.nanoTime();
        ex.dispatch(() -> authenticateAndIngest(ex, bytes, encoding, receivedAt,
            new Timing(startNanos, readNanos)));
      }
    }, (ex, e) -> {
      body.complete = true;
      deadline.remove();
      readFailed(ex, e);
    });
  }

  /**
   * A request body as it arrives, in one array that grows with the bytes received, never past the
   * wire limit; its capacity is reserved from the edge's receiving budget.
   */
  private final class Body {
    static final int APPENDED = 0;
    static final int TOO_LARGE = 1;
    static final int NO_BUDGET = 2;

    private byte[] bytes;
    private int size;
    private long reserved;
    /** Read, refused or failed: the body timeout has nothing left to do. Only the IO thread touches it. */
    boolean complete;

    Body(int initial) {
      bytes = new byte[initial];
    }

    synchronized boolean reserve(long n) {
      if (receiving.addAndGet(n) > limits.maxReceivingBytes()) {
        receiving.addAndGet(-n);
        return false;
      }
      reserved += n;
      return true;
    }

    synchronized void release() {
      receiving.addAndGet(-reserved);
      reserved = 0;
    }

    /** Adds a chunk: {@link #APPENDED}, or why not. */
    int append(byte[] chunk, int limit) {
      if (chunk.length > limit - size) {
        return TOO_LARGE;
      }
      if (size + chunk.length > bytes.length) {
        int grown = Math.min(limit, Math.max(size + chunk.length, 2 * bytes.length));
        if (!reserve(grown - bytes.length)) {
          return NO_BUDGET;
        }
        bytes = Arrays.copyOf(bytes, grown);
      }
      System.arraycopy(chunk, 0, bytes, size, chunk.length);
      size += chunk.length;
      return APPENDED;
    }

    byte[] bytes() {
      return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }
  }

  private void tooLargeOnTheWire(HttpServerExchange exchange) {
    // The rest of the body is never read: close the connection after answering instead of draining it.
    exchange.setPersistent(false);
    Responses.error(exchange, ErrorCode.PAYLOAD_TOO_LARGE,
        "the request body is larger than " + limits.maxBodyBytes() + " bytes on the wire (the wire limit)");
  }

  private void refuseReceiving(HttpServerExchange exchange) {
    metrics.requestRefused("receive_budget");
    exchange.setPersistent(false);
    Responses.unavailable(exchange, ErrorCode.OVERLOADED, "the collector is receiving "
        + limits.maxReceivingBytes() + " bytes of request bodies at once (its receiving budget);"
        + " nothing of this request was stored; retry later", Responses.RETRY_OVERLOADED_SECONDS);
  }

  private void readFailed(HttpServerExchange exchange, IOException e) {
    if (e instanceof Receiver.RequestToLargeException || e instanceof RequestTooBigException) {
      tooLargeOnTheWire(exchange);
      return;
    }
    // The sender went away or broke the framing; there is nobody to answer.
    log.debug("reading a request body failed", e);
    exchange.setPersistent(false);
    exchange.endExchange();
  }

  /** On a worker thread: everything after the body is read. */
  private void authenticateAndIngest(HttpServerExchange exchange, byte[] body, MediaTypes.Encoding encoding,
      Instant receivedAt, Timing timing) {
    timing.dispatched = System.nanoTime();
    boolean slot = false;
    Live now = live.get();
    Ingest ingest = now.ingest();
    try {
      HeaderMap headers = exchange.getRequestHeaders();
      KeyRing.Authentication auth = now.keys().authenticate(headers.getFirst(KEY_ID), headers.getFirst(SIGNATURE), body);
      if (!auth.ok()) {
        metrics.authFailed(auth.failure().label);
        Responses.error(exchange, ErrorCode.UNAUTHORIZED, UNAUTHORIZED_MESSAGE);
        return;
      }
      metrics.requestAuthenticated(auth.appId(), auth.keyId());
      // Decompressing and parsing hold memory in proportion to the decoded body: only so many at once.
      slot = parsing.tryAcquire(limits.parseWait().toMillis(), TimeUnit.MILLISECONDS);
      if (!slot) {
        metrics.requestRefused("parse_busy");
        Responses.unavailable(exchange, ErrorCode.OVERLOADED, "the collector is busy parsing "
            + limits.maxConcurrentParses() + " requests; nothing of this request was stored; retry later",
            Responses.RETRY_OVERLOADED_SECONDS);
        return;
      }
      CompletionStage<IngestAnswer> answer;
      if (encoding == MediaTypes.Encoding.GZIP) {
        byte[] decoded;
        try {
          decoded = BoundedGzip.decode(body, limits.maxDecodedBytes());
        } catch (BoundedGzip.TooLargeException e) {
          Responses.error(exchange, ErrorCode.PAYLOAD_TOO_LARGE, "the request body decompresses to more than "
              + limits.maxDecodedBytes() + " bytes (the decompressed limit)");
          return;
        } catch (IOException e) {
          answer = ingest.malformed(auth.appId(), receivedAt,
              "the gzip body cannot be decompressed: " + e.getMessage(), body);
          answer.whenComplete((a, failure) -> answer(exchange, a, failure));
          return;
        }
        answer = ingest.accept(auth.appId(), receivedAt, decoded);
      } else {
        answer = ingest.accept(auth.appId(), receivedAt, body);
      }
      timing.queued = System.nanoTime();
      answer.whenComplete((a, failure) -> {
        timing.stored = System.nanoTime();
        answer(exchange, a, failure, timing);
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      Responses.unavailable(exchange, ErrorCode.SHUTTING_DOWN,
          "the collector is shutting down; nothing of this request was stored; retry later",
          Responses.RETRY_UNAVAILABLE_SECONDS);
    } catch (RuntimeException | Error e) {
      log.error("unexpected failure while ingesting a request; nothing of it was queued", e);
      try {
        exchange.setPersistent(false);
        Responses.error(exchange, ErrorCode.INTERNAL_ERROR, "an unexpected error occurred; nothing was stored");
      } catch (RuntimeException | Error again) {
        IoUtils.safeClose(exchange.getConnection());
      }
      if (Fatal.isFatal(e)) {
        Fatal.stop((VirtualMachineError) e);
      }
    } finally {
      if (slot) {
        parsing.release();
      }
    }
  }

  /**
   * Where one request's time went, from its first byte to its answer, logged at DEBUG when the whole is
   * slower than {@value #SLOW_REQUEST_NANOS} ns: to tell a slow commit from a slow hand-off or a pause.
   */
  private static final class Timing {
    final long start;
    final long read;
    long dispatched;
    long queued;
    long stored;

    Timing(long start, long read) {
      this.start = start;
      this.read = read;
    }

    void logIfSlow() {
      long now = System.nanoTime();
      if (now - start > SLOW_REQUEST_NANOS && timingLog.isDebugEnabled()) {
        timingLog.debug("a request took {} ms: body {}, to a worker {}, checked and queued {}, stored {},"
            + " to the IO thread {}", ms(now - start), ms(read - start), ms(dispatched - read),
            ms(queued - dispatched), ms(stored - queued), ms(now - stored));
      }
    }

    private static String ms(long nanos) {
      return String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e6);
    }
  }

  /** A request slower than this, first byte to answer, is logged at DEBUG with its {@link Timing}. */
  private static final long SLOW_REQUEST_NANOS = 8_000_000;

  /** Turns the pipeline's answer into a status, on the exchange's IO thread. */
  private void answer(HttpServerExchange exchange, IngestAnswer answer, Throwable failure) {
    answer(exchange, answer, failure, null);
  }

  private void answer(HttpServerExchange exchange, IngestAnswer answer, Throwable failure, Timing timing) {
    Runnable send = () -> {
      if (timing != null) {
        timing.logIfSlow();
      }
      if (failure != null) {
        log.error("the ingest pipeline failed a request", failure);
        Responses.error(exchange, ErrorCode.INTERNAL_ERROR, "an unexpected error occurred; nothing was stored");
      } else if (answer instanceof IngestAnswer.Stored s) {
        Responses.json(exchange, 202, s.result());
      } else if (answer instanceof IngestAnswer.Malformed m) {
        Responses.error(exchange, ErrorCode.MALFORMED_BODY, m.message());
      } else if (answer instanceof IngestAnswer.Overloaded) {
        Responses.unavailable(exchange, ErrorCode.OVERLOADED,
            "the collector's queue is full; nothing of this request was stored; retry later",
            Responses.RETRY_OVERLOADED_SECONDS);
      } else if (answer instanceof IngestAnswer.ShuttingDown) {
        Responses.unavailable(exchange, ErrorCode.SHUTTING_DOWN,
            "the collector is shutting down; nothing of this request was stored; retry later",
            Responses.RETRY_UNAVAILABLE_SECONDS);
      } else {
        Responses.unavailable(exchange, ErrorCode.STORAGE_UNAVAILABLE,
            "the database could not store this request; nothing of it was stored; retry later",
            Responses.RETRY_UNAVAILABLE_SECONDS);
      }
    };
    if (exchange.isInIoThread()) {
      send.run();
    } else {
      exchange.getIoThread().execute(send);
    }
  }
}
