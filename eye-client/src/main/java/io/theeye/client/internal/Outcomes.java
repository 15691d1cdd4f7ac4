package io.theeye.client.internal;

import io.theeye.client.EyeListener;
import io.theeye.client.EyeListener.Delivery;
import io.theeye.client.EyeListener.Failure;
import io.theeye.client.EyeListener.FailureReason;
import io.theeye.client.FlushResult;
import io.theeye.model.IngestResult;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;

/**
 * Where each batch's outcome is recorded. A batch ends exactly once ({@link Batch#finish()}), on
 * whichever thread learns it — an OkHttp thread for an answer, the retry scheduler, the closing
 * thread — and that thread only notes the {@link Ending} and hands the batch to the sender thread.
 * The sender then {@linkplain #report reports} it: counts, logs a failure, tells the listener. So the
 * listener always runs on the client's own thread, never on OkHttp's.
 */
final class Outcomes {

  private static final Logger log = ClientCore.LOG;

  private final Counters counters;
  private final EyeListener listener;
  private final boolean listening;
  /** Batches that ended and are not yet reported, in the order they ended. */
  private final Queue<Batch> ended = new ConcurrentLinkedQueue<>();
  private volatile Runnable wake = () -> {};

  Outcomes(Counters counters, EyeListener listener) {
    this.counters = counters;
    this.listener = listener;
    this.listening = listener != EyeListener.NONE;
  }

  /** How a batch ended: {@code result} when delivered, else the failure's details. */
  record Ending(IngestResult result, FailureReason reason, int status, String code, String message,
      Throwable cause, boolean quiet, boolean kept) {

    boolean delivered() {
      return result != null;
    }

    /** This ending's share of a flush's result, for a batch of {@code n} events. */
    FlushResult asFlushResult(int n) {
      if (result != null) {
        return new FlushResult(n, result.accepted(), result.duplicates(), result.rejected(), 0, 0);
      }
      return kept ? new FlushResult(0, 0, 0, 0, 0, n) : new FlushResult(0, 0, 0, 0, n, 0);
    }
  }

  /** Whether anyone listens; without a listener, events need not keep what only it would be told. */
  boolean listening() {
    return listening;
  }

  /** Runs {@code wake} whenever a batch ends, so the sender thread reports it soon. */
  void onEnded(Runnable wake) {
    this.wake = wake;
  }

  /** An attempt is about to go out: its events count as sent, and after the first also as retried. */
  void attempted(Batch batch, int attempt) {
    counters.sent.add(batch.size());
    if (attempt > 1) {
      counters.retried.add(batch.size());
    }
  }

  /** The collector acknowledged the batch. From any thread; false if it had already ended. */
  boolean delivered(Batch batch, IngestResult result) {
    return end(batch, new Ending(result, null, 0, null, null, null, false, false));
  }

  /** A batch that was sent, or was to be, is given up on. From any thread. */
  boolean failed(Batch batch, FailureReason reason, int status, String code, String message,
      Throwable cause) {
    return end(batch, new Ending(null, reason, status, code, message, cause, false, false));
  }

  /**
   * With an outbox: the batch's retry budget ran out, but its events stay in the outbox to be sent
   * again later; not a failure.
   */
  boolean kept(Batch batch, int status, String message) {
    return end(batch, new Ending(null, FailureReason.RETRIES_EXHAUSTED, status, null, message, null, true,
        true));
  }

  /**
   * A batch in flight is given up on because the client is closing; from the outbox, it stays there
   * for the next run.
   */
  boolean abandoned(Batch batch) {
    if (batch.fromOutbox()) {
      return kept(batch, 0, "the client was closed before the collector acknowledged them");
    }
    return failed(batch, FailureReason.CLOSED, 0, null,
        "the client was closed before the collector acknowledged them", null);
  }

  /**
   * Events still queued when the sender stopped: never sent, counted failed without a log line each.
   * Not handed to the sender (it is stopping, and they took no slot): the caller reports them.
   */
  boolean unsent(Batch batch) {
    if (!batch.finish()) {
      return false;
    }
    batch.ending = new Ending(null, FailureReason.CLOSED, 0, null,
        "the client was closed before they were sent", null, true, false);
    return true;
  }

  private boolean end(Batch batch, Ending ending) {
    if (!batch.finish()) {
      return false;
    }
    batch.ending = ending;
    ended.offer(batch);
    wake.run();
    return true;
  }

  /** The next batch that ended and is not yet reported, or {@code null}. */
  Batch nextEnded() {
    return ended.poll();
  }

  /** On the sender thread: counts the batch's ending, logs a failure, tells the listener. */
  void report(Batch batch) {
    Ending e = batch.ending;
    int n = batch.size();
    if (e.delivered()) {
      counters.acknowledged.add(n);
      counters.accepted.add(e.result().accepted());
      counters.duplicates.add(e.result().duplicates());
      counters.rejected.add(e.result().rejected());
      if (listening) {
        try {
          listener.onDelivered(new Delivery(batch.tracked(), e.result(), batch.attempts));
        } catch (RuntimeException ex) {
          log.warn("the listener's onDelivered threw", ex);
        }
      }
      return;
    }
    if (e.kept()) {
      log.warn("{} event(s) not delivered yet; they stay in the outbox and are sent again later: {}", n,
          e.message());
      return;
    }
    counters.failed.add(n);
    if (!e.quiet()) {
      if (e.reason() == FailureReason.CLOSED) {
        log.debug("{} event(s) not delivered: {}", n, e.message());
      } else if (e.cause() != null) {
        log.warn("{} event(s) not delivered: {}", n, e.message(), e.cause());
      } else {
        log.warn("{} event(s) not delivered: {}", n, e.message());
      }
    }
    if (listening) {
      try {
        listener.onFailed(new Failure(batch.tracked(), e.reason(), e.status(), e.code(), e.message(),
            e.cause(), batch.attempts));
      } catch (RuntimeException ex) {
        log.warn("the listener's onFailed threw", ex);
      }
    }
  }
}
