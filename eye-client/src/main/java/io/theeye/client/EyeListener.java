package io.theeye.client;

import io.theeye.model.IngestResult;
import java.util.List;

/**
 * Hears how each batch of events ended: delivered to the collector, or not delivered and why.
 *
 * <p>Every event {@link EyeClient#track} accepts ends in exactly one of the two callbacks (events
 * refused by {@code track} are counted in {@link EyeCounters#dropped()} instead). Callbacks run one at
 * a time on the client's own sender thread, {@code eye-client-sender} — never on OkHttp's threads nor
 * on the caller's — so they need no locking of their own; but while one runs the client sends nothing,
 * so keep them short and never block in them. An exception thrown by a callback is logged and
 * otherwise ignored.
 *
 * <pre>{@code
 * EyeClient eye = EyeClient.builder()
 *     ...
 *     .listener(new EyeListener() {
 *       @Override public void onFailed(Failure failure) {
 *         log.warn("{} events not delivered: {}", failure.events().size(), failure.message());
 *       }
 *     })
 *     .build();
 * }</pre>
 */
public interface EyeListener {

  /** A listener that ignores everything; the default. */
  EyeListener NONE = new EyeListener() {};

  /**
   * The collector acknowledged a batch with a {@code 202}. Events it counted as {@code duplicates} were
   * already stored (by an earlier attempt or another sender); events it counted as {@code rejected} are
   * recorded in its {@code rejected_events} table with their reason.
   */
  default void onDelivered(Delivery delivery) {}

  /** A batch will not be delivered: see {@link Failure#reason()}. */
  default void onFailed(Failure failure) {}

  /**
   * A batch the collector acknowledged.
   *
   * @param events the batch's events, in the order they were tracked
   * @param result the collector's counts for the batch
   * @param attempts how many requests it took (1 when the first one succeeded)
   */
  record Delivery(List<TrackedEvent> events, IngestResult result, int attempts) {}

  /**
   * A batch the client gave up on.
   *
   * @param events the batch's events, in the order they were tracked
   * @param reason why the client gave up
   * @param status the HTTP status of the last answer, or 0 when there was none (an I/O error)
   * @param errorCode the collector's error code from the last answer (e.g. {@code unauthorized}), or
   *     {@code null} when there was no error body
   * @param message a sentence for humans (never contains the secret)
   * @param cause the last I/O error, or {@code null}
   * @param attempts how many requests were made (0 when the batch was never sent)
   */
  record Failure(List<TrackedEvent> events, FailureReason reason, int status, String errorCode,
      String message, Throwable cause, int attempts) {}

  /** Why a batch was not delivered. */
  enum FailureReason {
    /**
     * The collector refused the batch with an answer that retrying cannot change (400, 401, 413, 415
     * or another non-retryable status); {@link Failure#errorCode()} says which.
     */
    REFUSED,
    /**
     * Every attempt failed with a retryable error (an I/O error, 408, 429, 500, 502, 503, 504) until
     * the batch's retry budget ran out.
     */
    RETRIES_EXHAUSTED,
    /**
     * The client was closed before the batch was acknowledged (the close timeout ran out). The
     * collector may or may not have stored some of it.
     */
    CLOSED
  }
}
