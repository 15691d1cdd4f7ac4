package io.theeye.client.internal;

import io.theeye.client.EyeListener;
import io.theeye.client.EyeListener.Delivery;
import io.theeye.client.EyeListener.Failure;
import io.theeye.client.EyeListener.FailureReason;
import io.theeye.model.IngestResult;
import org.slf4j.Logger;

/**
 * Where each batch's outcome is recorded: it is counted, logged when it failed, and told to the
 * listener. Every method reports a batch at most once ({@link Batch#finish()}) and says whether this
 * call was the one that did; giving back what the batch held is the caller's business.
 */
final class Outcomes {

  private static final Logger log = ClientCore.LOG;

  private final Counters counters;
  private final EyeListener listener;
  private final boolean listening;

  Outcomes(Counters counters, EyeListener listener) {
    this.counters = counters;
    this.listener = listener;
    this.listening = listener != EyeListener.NONE;
  }

  /** Whether anyone listens; without a listener, events need not keep what only it would be told. */
  boolean listening() {
    return listening;
  }

  /** An attempt is about to go out: its events count as sent, and after the first also as retried. */
  void attempted(Batch batch, int attempt) {
    counters.sent.add(batch.size());
    if (attempt > 1) {
      counters.retried.add(batch.size());
    }
  }

  /** The collector acknowledged the batch. */
  boolean delivered(Batch batch, IngestResult result) {
    if (!batch.finish()) {
      return false;
    }
    int n = batch.size();
    counters.acknowledged.add(n);
    counters.accepted.add(result.accepted());
    counters.duplicates.add(result.duplicates());
    counters.rejected.add(result.rejected());
    if (listening) {
      try {
        listener.onDelivered(new Delivery(batch.tracked(), result, batch.attempts));
      } catch (RuntimeException e) {
        log.warn("the listener's onDelivered threw", e);
      }
    }
    return true;
  }

  /** A batch that was sent, or was to be, is given up on. */
  boolean failed(Batch batch, FailureReason reason, int status, String code, String message,
      Throwable cause) {
    if (!batch.finish()) {
      return false;
    }
    counters.failed.add(batch.size());
    if (reason == FailureReason.CLOSED) {
      log.debug("{} event(s) not delivered: {}", batch.size(), message);
    } else if (cause != null) {
      log.warn("{} event(s) not delivered: {}", batch.size(), message, cause);
    } else {
      log.warn("{} event(s) not delivered: {}", batch.size(), message);
    }
    notifyFailed(batch, reason, status, code, message, cause);
    return true;
  }

  /** A batch in flight is given up on because the client is closing. */
  boolean abandoned(Batch batch) {
    return failed(batch, FailureReason.CLOSED, 0, null,
        "the client was closed before the collector acknowledged them", null);
  }

  /** Events still queued when the sender stopped: never sent, counted failed without a log line each. */
  boolean unsent(Batch batch) {
    if (!batch.finish()) {
      return false;
    }
    counters.failed.add(batch.size());
    notifyFailed(batch, FailureReason.CLOSED, 0, null, "the client was closed before they were sent", null);
    return true;
  }

  private void notifyFailed(Batch batch, FailureReason reason, int status, String code, String message,
      Throwable cause) {
    if (listening) {
      try {
        listener.onFailed(new Failure(batch.tracked(), reason, status, code, message, cause,
            batch.attempts));
      } catch (RuntimeException e) {
        log.warn("the listener's onFailed threw", e);
      }
    }
  }
}
