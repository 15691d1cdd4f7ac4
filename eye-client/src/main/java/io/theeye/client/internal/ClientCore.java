package io.theeye.client.internal;

import io.theeye.client.DropReason;
import io.theeye.client.EyeCounters;
import io.theeye.client.FlushResult;
import io.theeye.client.OutboxStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's machinery behind {@code EyeClient}, and its lifecycle: it wires the parts together,
 * starts the sender thread, and shuts them down in order. Internal, not for public use.
 *
 * <p>How an event travels: {@link Intake} (the caller's thread) validates, serializes once, reserves
 * room in the client's {@link Budget} (events and bytes, covering everything from the queue to the
 * last retry) and offers the event to a lock-free queue. The {@link Batcher}, on the sender thread
 * {@code eye-client-sender}, drains the queue into batches, assembles and gzips each body once and
 * hands it to the {@link HttpExporter}, which signs and sends each attempt on OkHttp's threads and
 * schedules retries. {@link Outcomes} counts each batch's outcome and tells the listener; then the
 * batch's room in the budget is given back.
 */
public final class ClientCore {

  /** The one logger of the client's parts: users configure the client under its public name. */
  static final Logger LOG = StderrFallbackLogger.orSlf4j("io.theeye.client.EyeClient");

  /** How long, beyond the close timeout, {@link #close} gives the sender to wind up: {@value} ms. */
  static final long SENDER_STOP_MILLIS = 5_000;

  private final Counters counters = new Counters();
  private final DropReporter drops = new DropReporter(counters, LOG);
  private final Budget budget;
  private final Outcomes outcomes;
  private final HttpExporter exporter;
  private final Batcher batcher;
  private final Intake intake;
  private final Outbox outbox;

  private final AtomicBoolean closeStarted = new AtomicBoolean();
  private final CompletableFuture<Long> closeResult = new CompletableFuture<>();

  /** Builds the client's machinery and starts its sender thread. */
  public ClientCore(ClientConfig config) {
    // First, so that a directory held by another client fails the build before any thread starts.
    this.outbox = config.outboxDir() == null ? null : Outbox.open(config);
    this.budget = new Budget(config);
    this.outcomes = new Outcomes(counters, config.listener());
    this.exporter = new HttpExporter(config, outcomes);
    this.batcher = new Batcher(config, budget, drops, outcomes, exporter, outbox);
    this.intake = new Intake(config, counters, drops, budget, batcher, outbox, outcomes.listening());
    batcher.start();
  }

  /** The outbox's status, if the client has one. */
  public Optional<OutboxStatus> outboxStatus() {
    return outbox == null ? Optional.empty() : Optional.of(outbox.status());
  }

  /** The HTTP client in use (for tests of its settings). */
  public OkHttpClient httpClient() {
    return exporter.httpClient();
  }

  /**
   * Accepts one event or drops it; see {@code EyeClient.track}. Never blocks; throws only in strict mode.
   *
   * @param eventId the caller's id, or {@code null} for a new UUIDv7
   * @param timestamp when it occurred, or {@code null} for now
   */
  public boolean track(String eventId, String sessionId, String category, String name,
      Map<String, ?> data, Instant timestamp) {
    return intake.track(eventId, sessionId, category, name, data, timestamp);
  }

  /** Counts (and in strict mode throws for) an event refused before it reached {@link #track}. */
  public boolean refuse(DropReason reason, String detail) {
    return intake.refuse(reason, detail);
  }

  /** A future that completes once everything offered before it is delivered or given up on. */
  public CompletableFuture<FlushResult> flush() {
    CompletableFuture<FlushResult> flushed = batcher.flush();
    return flushed != null ? flushed : closeResult.thenApply(n -> FlushResult.EMPTY);
  }

  /** A snapshot of the counters. */
  public EyeCounters counters() {
    return counters.snapshot(budget.pendingEvents());
  }

  /** Whether close() has begun. */
  public boolean isClosed() {
    return intake.isClosed();
  }

  /**
   * Shuts the client down without blocking: stops intake, gives everything accepted up to {@code
   * timeout} to be delivered, gives up on the rest, and releases threads and connections. Runs once;
   * later calls get the first call's result.
   *
   * @return a future of the number of events accepted over the client's life that were not delivered;
   *     it never completes exceptionally
   */
  public CompletableFuture<Long> shutdown(Duration timeout) {
    if (closeStarted.compareAndSet(false, true)) {
      begin(timeout);
    }
    return closeResult.copy();
  }

  /**
   * {@link #shutdown(Duration)}, waiting for it: the call that starts it waits up to {@code timeout}
   * plus the sender's {@value #SENDER_STOP_MILLIS} ms to stop, a later call up to {@code timeout}.
   *
   * @return the number of events accepted over the client's life that were not delivered; if the
   *     shutdown has not finished in time, those failed so far plus those still held
   */
  public long close(Duration timeout) {
    boolean first = closeStarted.compareAndSet(false, true);
    long wait = Saturating.nanos(timeout);
    if (first) {
      begin(timeout);
      wait = Saturating.add(wait, TimeUnit.MILLISECONDS.toNanos(SENDER_STOP_MILLIS));
    }
    try {
      return closeResult.get(wait, TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      if (first) {
        LOG.warn("closing: the sender thread did not stop within {} ms", SENDER_STOP_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return counters.failed.sum() + budget.pendingEvents();
  }

  /** Stop intake → drain (bounded) → stop the sender, which then calls {@link #release()}. */
  private void begin(Duration timeout) {
    intake.close();
    flush().copy()
        .orTimeout(Saturating.nanos(timeout), TimeUnit.NANOSECONDS)
        .whenComplete((v, t) -> {
          if (t instanceof TimeoutException) {
            LOG.warn("closing: the collector did not acknowledge everything within {}; giving up on {} "
                + "event(s)", timeout, budget.pendingEvents());
          } else if (t != null) {
            LOG.warn("closing: waiting for the last batches failed", t);
          }
          batcher.stop(this::release);
        });
  }

  /** On the sender thread, once its loop has ended: give up on what is left, then free everything. */
  private void release() {
    try {
      exporter.abandonAll(batcher.outstanding());
      // Events that raced past intake's check into the queue after the sender's last drain.
      batcher.drainLeftovers();
      batcher.closeOutbox();
      exporter.shutdown();
      drops.reportNow();
    } finally {
      long undelivered = counters.failed.sum();
      if (undelivered > 0) {
        LOG.warn("closed; {} event(s) tracked by this client were not delivered", undelivered);
      }
      closeResult.complete(undelivered);
    }
  }
}
