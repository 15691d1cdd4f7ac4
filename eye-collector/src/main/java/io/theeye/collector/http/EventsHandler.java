package io.theeye.collector.http;

import io.theeye.collector.CollectorMetrics;
import io.theeye.collector.config.AckMode;
import io.theeye.collector.ingest.EventValidator;
import io.theeye.collector.ingest.EventValidator.Validated;
import io.theeye.collector.ingest.EventWriter;
import io.theeye.collector.ingest.SubmitResult;
import io.theeye.collector.storage.RejectedRow;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.model.ErrorCode;
import io.theeye.model.EventCodec;
import io.theeye.model.EyeProtocol;
import io.theeye.model.IngestResult;
import io.theeye.model.MalformedBodyException;
import io.theeye.model.ParsedBatch;
import io.theeye.model.Reason;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/events}. One request, top to bottom, in the protocol's order of checks:
 *
 * <ol>
 *   <li>IO thread: content type and encoding (415); declared size (413 at once, nothing read); then
 *       the body is read with Undertow's non-blocking receiver, which stops past the wire limit (413).
 *   <li>Worker thread: signature over the bytes as received (401); bounded gunzip (413); parse (400,
 *       recorded as a rejected row); per-event validation — all in parallel across requests, never on
 *       the writer thread.
 *   <li>The writer's queue: full (503 {@code overloaded}) or stopping (503 {@code shutting_down}), else
 *       queued; in {@code durable} mode the 202 is sent from the commit's completion, on the
 *       exchange's IO thread; in {@code queued} mode at once.
 * </ol>
 *
 * No thread ever waits for another here: the worker returns as soon as the request is queued.
 */
final class EventsHandler implements HttpHandler {

  private static final Logger log = LoggerFactory.getLogger(EventsHandler.class);
  private static final HttpString KEY_ID = HttpString.tryFromString(EyeProtocol.HEADER_KEY_ID);
  private static final HttpString SIGNATURE = HttpString.tryFromString(EyeProtocol.HEADER_SIGNATURE);
  private static final String UNAUTHORIZED_MESSAGE =
      "the request could not be authenticated: check the key id, the secret, the signature and the clock";

  private final KeyRing keys;
  private final EventCodec codec;
  private final EventValidator validator;
  private final EventWriter writer;
  private final CollectorMetrics metrics;
  private final AckMode ack;
  private final Clock clock;
  private final int maxBodyBytes;
  private final int maxDecodedBytes;

  EventsHandler(KeyRing keys, EventCodec codec, EventValidator validator, EventWriter writer,
      CollectorMetrics metrics, AckMode ack, Clock clock, int maxBodyBytes, int maxDecodedBytes) {
    this.keys = keys;
    this.codec = codec;
    this.validator = validator;
    this.writer = writer;
    this.metrics = metrics;
    this.ack = ack;
    this.clock = clock;
    this.maxBodyBytes = maxBodyBytes;
    this.maxDecodedBytes = maxDecodedBytes;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    Instant receivedAt = clock.instant();
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
    if (declared > maxBodyBytes) {
      tooLargeOnTheWire(exchange);
      return;
    }
    // Undertow enforces the limit as it reads a chunked body, so nothing past it is buffered.
    exchange.setMaxEntitySize(maxBodyBytes);
    // receivePartialBytes, not receiveFullBytes: Undertow 2.3's receiveFullBytes copies the body one
    // byte at a time into a synchronized ByteArrayOutputStream (the IO threads' hottest frame under
    // load); the chunks here are copied in bulk into one array of the declared length.
    Body body = new Body(declared > 0 ? (int) declared : 8192);
    exchange.getRequestReceiver().receivePartialBytes((ex, chunk, last) -> {
      if (!body.append(chunk, maxBodyBytes)) {
        ex.getRequestReceiver().pause();
        tooLargeOnTheWire(ex);
        return;
      }
      if (last) {
        byte[] bytes = body.bytes();
        ex.dispatch(() -> ingest(ex, bytes, encoding, receivedAt));
      }
    }, this::readFailed);
  }

  /** A request body as it arrives, in one array; at most the wire limit. */
  private static final class Body {
    private byte[] bytes;
    private int size;

    Body(int expected) {
      bytes = new byte[expected];
    }

    /** Adds a chunk; false when the body would pass {@code limit} bytes. */
    boolean append(byte[] chunk, int limit) {
      if (chunk.length > limit - size) {
        return false;
      }
      if (size + chunk.length > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(size + chunk.length, 2 * bytes.length)));
      }
      System.arraycopy(chunk, 0, bytes, size, chunk.length);
      size += chunk.length;
      return true;
    }

    byte[] bytes() {
      return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }
  }

  private void tooLargeOnTheWire(HttpServerExchange exchange) {
    // The rest of the body is never read: close the connection after answering instead of draining it.
    exchange.setPersistent(false);
    Responses.error(exchange, ErrorCode.PAYLOAD_TOO_LARGE,
        "the request body is larger than " + maxBodyBytes + " bytes on the wire");
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
  private void ingest(HttpServerExchange exchange, byte[] body, MediaTypes.Encoding encoding, Instant receivedAt) {
    try {
      HeaderMap headers = exchange.getRequestHeaders();
      KeyRing.Authentication auth = keys.authenticate(headers.getFirst(KEY_ID), headers.getFirst(SIGNATURE), body);
      if (!auth.ok()) {
        metrics.authFailed(auth.failure().label);
        Responses.error(exchange, ErrorCode.UNAUTHORIZED, UNAUTHORIZED_MESSAGE);
        return;
      }
      String appId = auth.appId();

      byte[] decoded = body;
      if (encoding == MediaTypes.Encoding.GZIP) {
        try {
          decoded = BoundedGzip.decode(body, maxDecodedBytes);
        } catch (BoundedGzip.TooLargeException e) {
          Responses.error(exchange, ErrorCode.PAYLOAD_TOO_LARGE,
              "the request body decompresses to more than " + maxDecodedBytes + " bytes");
          return;
        } catch (IOException e) {
          malformed(exchange, appId, receivedAt, "the gzip body cannot be decompressed: " + e.getMessage(), body);
          return;
        }
      }

      ParsedBatch batch;
      try {
        batch = codec.parse(decoded);
      } catch (MalformedBodyException e) {
        malformed(exchange, appId, receivedAt, e.getMessage(), decoded);
        return;
      }
      metrics.eventsReceived(appId, batch.events().size());
      Validated validated = validator.validate(appId, receivedAt, batch);
      submit(exchange, validated);
    } catch (RuntimeException e) {
      log.error("unexpected failure while ingesting a request; nothing of it was queued", e);
      Responses.error(exchange, ErrorCode.INTERNAL_ERROR, "an unexpected error occurred; nothing was stored");
    }
  }

  /** A body that is unusable as a whole: record it (authenticated senders only), then answer 400. */
  private void malformed(HttpServerExchange exchange, String appId, Instant receivedAt, String message, byte[] body) {
    RejectedRow row = new RejectedRow(Reason.MALFORMED_BODY, message, null, null, null, null,
        EventCodec.truncateUtf8(body, EyeProtocol.MAX_RAW_BYTES));
    WriteRequest request = new WriteRequest(appId, receivedAt, List.of(), List.of(row));
    enqueue(exchange, request, committed -> {
      if (ack == AckMode.QUEUED) {
        Responses.error(exchange, ErrorCode.MALFORMED_BODY, message);
      }
      answerWhenStored(exchange, appId, committed, Map.of(Reason.MALFORMED_BODY, 1),
          outcome -> Responses.error(exchange, ErrorCode.MALFORMED_BODY, message));
    });
  }

  private void submit(HttpServerExchange exchange, Validated v) {
    String appId = v.request().appId();
    enqueue(exchange, v.request(), committed -> {
      int valid = v.request().events().size();
      if (ack == AckMode.QUEUED) {
        // Only duplicates inside this request are known before the commit.
        int duplicates = v.inRequestDuplicates();
        Responses.json(exchange, 202, new IngestResult(v.received(), valid - duplicates, v.rejected(), duplicates));
      }
      answerWhenStored(exchange, appId, committed, v.rejectedByReason(), outcome -> {
        // A store may turn an event it cannot hold into a rejected row (PostgreSQL refuses U+0000 in
        // text); counting rejected as the rest keeps received = accepted + rejected + duplicates.
        Responses.json(exchange, 202, new IngestResult(v.received(), outcome.accepted(),
            v.received() - outcome.accepted() - outcome.duplicates(), outcome.duplicates()));
      });
    });
  }

  /** Offers the request to the writer; on success hands its commit future to {@code queued}. */
  private void enqueue(HttpServerExchange exchange, WriteRequest request,
      Consumer<CompletableFuture<WriteOutcome>> queued) {
    SubmitResult result = writer.submit(request);
    if (result instanceof SubmitResult.Queued q) {
      queued.accept(q.committed());
    } else if (result instanceof SubmitResult.Full) {
      Responses.unavailable(exchange, ErrorCode.OVERLOADED,
          "the collector's queue is full; nothing of this request was stored; retry later",
          Responses.RETRY_OVERLOADED_SECONDS);
    } else {
      Responses.unavailable(exchange, ErrorCode.SHUTTING_DOWN,
          "the collector is shutting down; nothing of this request was stored; retry later",
          Responses.RETRY_UNAVAILABLE_SECONDS);
    }
  }

  /**
   * Counts what the commit stored (accepted, duplicates, rejected rows) and, in {@code durable} mode, answers from it. The writer thread
   * completes the future; the answer is written on the exchange's own IO thread so the writer never
   * touches a socket.
   */
  private void answerWhenStored(HttpServerExchange exchange, String appId,
      CompletableFuture<WriteOutcome> committed, Map<Reason, Integer> rejected, Consumer<WriteOutcome> answer) {
    committed.whenComplete((outcome, failure) -> {
      if (failure == null) {
        metrics.eventsAccepted(appId, outcome.accepted());
        metrics.eventsDuplicate(appId, outcome.duplicates());
        rejected.forEach((reason, count) -> metrics.eventsRejected(appId, reason, count));
      }
      if (ack != AckMode.DURABLE) {
        if (failure != null) {
          log.error("a request acknowledged in queued mode could not be committed; its events are lost",
              unwrap(failure));
        }
        return;
      }
      exchange.getIoThread().execute(() -> {
        if (failure == null) {
          answer.accept(outcome);
        } else {
          // The writer already logs its failed transactions, throttled; one line per request would
          // flood the log exactly when the disk is full.
          log.debug("a request could not be committed; answering 503 storage_unavailable", unwrap(failure));
          Responses.unavailable(exchange, ErrorCode.STORAGE_UNAVAILABLE,
              "the database could not store this request; nothing of it was stored; retry later",
              Responses.RETRY_UNAVAILABLE_SECONDS);
        }
      });
    });
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
