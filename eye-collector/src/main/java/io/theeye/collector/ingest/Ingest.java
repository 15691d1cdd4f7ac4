package io.theeye.collector.ingest;

import io.theeye.collector.AckMode;
import io.theeye.collector.CollectorMetrics;
import io.theeye.collector.ingest.EventValidator.Validated;
import io.theeye.collector.schema.EventType;
import io.theeye.collector.schema.SchemaRegistry;
import io.theeye.collector.storage.RejectedRow;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.model.EventCodec;
import io.theeye.model.EventReader;
import io.theeye.model.EyeProtocol;
import io.theeye.model.IngestResult;
import io.theeye.model.MalformedBodyException;
import io.theeye.model.ParsedBatch;
import io.theeye.model.Reason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingestion pipeline without its transport: decode → validate → enqueue → commit → answer. The
 * HTTP edge calls it with an authenticated application and a decompressed body; any other caller (a
 * test, a replay) drives the very same path.
 *
 * <pre>{@code
 * Ingest ingest = new Ingest(EventReader.withDefaults(), validator, writer, metrics, AckMode.DURABLE);
 * ingest.accept("shop", clock.instant(), body)
 *     .thenAccept(answer -> { if (answer instanceof IngestAnswer.Stored s) ... });
 * }</pre>
 *
 * <p>{@link #accept} parses and validates on the calling thread, never blocks on the writer, and never
 * throws for bad input: the returned stage completes on the writer's thread (or at once in
 * {@code queued} mode) with one {@link IngestAnswer}.
 */
public final class Ingest {

  private static final Logger log = LoggerFactory.getLogger(Ingest.class);

  /** Makes the pipeline of a schema set, everything else fixed (a reload swaps the schemas only). */
  @FunctionalInterface
  public interface Factory {
    /** The pipeline validating with {@code schemas}. */
    Ingest create(SchemaRegistry schemas);
  }

  private final EventReader reader;
  private final EventValidator validator;
  private final EventWriter writer;
  private final CollectorMetrics metrics;
  private final AckMode ack;

  /**
   * @param reader the body reader with the configured per-request limits
   * @param validator the per-event checks
   * @param writer the queue in front of the database
   * @param metrics where counts go
   * @param ack when the answer is given: after the commit, or once queued
   */
  public Ingest(EventReader reader, EventValidator validator, EventWriter writer, CollectorMetrics metrics,
      AckMode ack) {
    this.reader = Objects.requireNonNull(reader, "reader");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.ack = Objects.requireNonNull(ack, "ack");
  }

  /**
   * Takes one decompressed request body of an authenticated application.
   *
   * @param appId the application the request authenticated as
   * @param receivedAt the collector's clock when the request arrived
   * @param body the decompressed body
   */
  public CompletionStage<IngestAnswer> accept(String appId, Instant receivedAt, byte[] body) {
    ParsedBatch batch;
    try {
      batch = reader.parse(body);
    } catch (MalformedBodyException e) {
      return malformed(appId, receivedAt, e.getMessage(), body);
    }
    Validated v = validator.validate(appId, receivedAt, batch);
    metrics.eventsReceived(appId, v.received());
    int valid = v.request().events().size();
    // In queued mode only the duplicates inside this request are known before the commit.
    IngestAnswer queued = new IngestAnswer.Stored(new IngestResult(v.received(),
        valid - v.inRequestDuplicates(), v.rejected(), v.inRequestDuplicates()));
    return submit(v.request(), v.rejectedByReason(), v.unknownTypes(), queued, outcome ->
        // A store may turn an event it cannot hold into a rejected row (PostgreSQL refuses U+0000 in
        // text); counting rejected as the rest keeps received = accepted + rejected + duplicates.
        new IngestAnswer.Stored(new IngestResult(v.received(), outcome.accepted(),
            v.received() - outcome.accepted() - outcome.duplicates(), outcome.duplicates())));
  }

  /**
   * Reports a body that could not even be decompressed, as {@link #accept} reports one that is not
   * JSON: recorded as a {@code malformed_body} row, answered {@link IngestAnswer.Malformed}.
   *
   * @param raw the body as received, recorded truncated to {@value EyeProtocol#MAX_RAW_BYTES} bytes
   */
  public CompletionStage<IngestAnswer> malformed(String appId, Instant receivedAt, String message, byte[] raw) {
    RejectedRow row = new RejectedRow(Reason.MALFORMED_BODY, message, null, null, null, null,
        EventCodec.truncateUtf8(raw, EyeProtocol.MAX_RAW_BYTES));
    IngestAnswer answer = new IngestAnswer.Malformed(message);
    return submit(new WriteRequest(appId, receivedAt, List.of(), List.of(row)), Map.of(Reason.MALFORMED_BODY, 1),
        Map.of(), answer, outcome -> answer);
  }

  private CompletionStage<IngestAnswer> submit(WriteRequest request, Map<Reason, Integer> rejected,
      Map<EventType, Integer> unknownTypes, IngestAnswer whenQueued,
      Function<WriteOutcome, IngestAnswer> whenStored) {
    SubmitResult result = writer.submit(request);
    if (result instanceof SubmitResult.Full) {
      return CompletableFuture.completedFuture(new IngestAnswer.Overloaded());
    }
    if (!(result instanceof SubmitResult.Queued q)) {
      return CompletableFuture.completedFuture(new IngestAnswer.ShuttingDown());
    }
    String appId = request.appId();
    CompletableFuture<IngestAnswer> stored = q.committed().handle((outcome, failure) -> {
      if (failure != null) {
        if (ack == AckMode.QUEUED) {
          log.error("a request acknowledged in queued mode could not be committed; its events are lost",
              unwrap(failure));
        } else {
          // The writer already logs its failed transactions, throttled; one line per request would
          // flood the log exactly when the disk is full.
          log.debug("a request could not be committed; answering storage_unavailable", unwrap(failure));
        }
        return new IngestAnswer.StorageUnavailable();
      }
      metrics.eventsAccepted(appId, outcome.accepted());
      metrics.eventsDuplicate(appId, outcome.duplicates());
      unknownTypes.forEach((type, count) -> metrics.eventsOfUnknownType(appId, type, count));
      rejected.forEach((reason, count) -> metrics.eventsRejected(appId, reason, count));
      return whenStored.apply(outcome);
    });
    return ack == AckMode.QUEUED ? CompletableFuture.completedFuture(whenQueued) : stored;
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
