package io.theeye.client.internal;

import io.theeye.client.DropReason;
import io.theeye.client.EyeCounters;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
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
  static final Logger LOG = LoggerFactory.getLogger("io.theeye.client.EyeClient");

  private static final long SENDER_JOIN_MILLIS = 5_000;

  private final Counters counters = new Counters();
  private final DropReporter drops = new DropReporter(counters, LOG);
  private final Budget budget;
  private final Outcomes outcomes;
  private final HttpExporter exporter;
  private final Batcher batcher;
  private final Intake intake;

  private final AtomicBoolean closeStarted = new AtomicBoolean();
  private final CompletableFuture<Long> closeResult = new CompletableFuture<>();

  /** Builds the client's machinery and starts its sender thread. */
  public ClientCore(ClientConfig config) {
    this.budget = new Budget(config);
    this.outcomes = new Outcomes(counters, config.listener());
    this.exporter = new HttpExporter(config, outcomes);
    this.batcher = new Batcher(config, budget, drops, outcomes, exporter);
    this.intake = new Intake(config, counters, drops, budget, batcher, outcomes.listening());
    batcher.start();
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
  public CompletableFuture<Void> flush() {
    CompletableFuture<Void> flushed = batcher.flush();
    return flushed != null ? flushed : closeResult.thenApply(n -> null);
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
   * Stops intake, waits up to {@code timeout} for everything accepted to be delivered, gives up on the
   * rest, and releases threads. Idempotent.
   *
   * @return the number of events accepted over the client's life that were not delivered
   */
  public long close(Duration timeout) {
    if (!closeStarted.compareAndSet(false, true)) {
      return awaitClose(timeout);
    }
    long deadline = System.nanoTime() + Saturating.nanos(timeout);
    intake.close();
    CompletableFuture<Void> flushed = flush();
    try {
      flushed.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      LOG.warn("closing: the collector did not acknowledge everything within {}; giving up on {} event(s)",
          timeout, budget.pendingEvents());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.warn("closing: waiting for the last batches failed", e);
    }
    batcher.stop();
    joinSender();
    exporter.abandonAll(batcher.outstanding());
    batcher.drainLeftovers();
    exporter.shutdown();
    drops.reportNow();
    long undelivered = counters.failed.sum();
    if (undelivered > 0) {
      LOG.warn("closed; {} event(s) tracked by this client were not delivered", undelivered);
    }
    closeResult.complete(undelivered);
    return undelivered;
  }

  private long awaitClose(Duration timeout) {
    try {
      return closeResult.get(Saturating.nanos(timeout), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return counters.failed.sum() + budget.pendingEvents();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return counters.failed.sum() + budget.pendingEvents();
    }
  }

  private void joinSender() {
    Thread sender = batcher.thread();
    if (Thread.currentThread() == sender) {
      return;
    }
    try {
      sender.join(SENDER_JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (sender.isAlive()) {
      LOG.warn("closing: the sender thread did not stop within {} ms", SENDER_JOIN_MILLIS);
    }
  }
}
