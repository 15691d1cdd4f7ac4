package io.theeye.client.internal;

import io.theeye.client.EyeListener.FailureReason;
import java.io.IOException;
import java.time.Clock;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;

/**
 * The loop of the one sender thread, {@code eye-client-sender}: it drains the queue into a batch until
 * the batch is full, a flush is asked for, or the flush interval passes; assembles and gzips the body
 * once; and hands the batch to the {@link HttpExporter}, at most {@code maxInFlightBatches} at a time.
 * When a batch has its outcome, its room in the {@link Budget} and its slot are given back.
 */
final class Batcher implements Runnable {

  private static final Logger log = ClientCore.LOG;

  /** Room kept in every batch for {@code {"sent_at":"…","events":[…]}} around the events. */
  static final int ENVELOPE_OVERHEAD = 64;

  private static final long MAX_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final ClientConfig config;
  private final Clock clock;
  private final Budget budget;
  private final DropReporter drops;
  private final Outcomes outcomes;
  private final HttpExporter exporter;
  private final long intervalNanos;
  private final long retryBudgetMillis;

  /** Events and flush markers, in the order they were offered. */
  private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
  /** Batches handed to the exporter (or failed on the way) and not yet settled. */
  private final Set<Batch> outstanding = ConcurrentHashMap.newKeySet();
  private final Semaphore slots;
  private final Queue<FlushMarker> leftoverMarkers = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  /** The loop is to stop (or has stopped). */
  private volatile boolean stopping;
  /** The loop has ended and given up on what it held. */
  private volatile boolean exited;
  private final AtomicReference<Runnable> afterStop = new AtomicReference<>();

  // The loop's own state, touched by the sender thread only.
  private final List<PendingEvent> current = new ArrayList<>();
  private long currentBodyBytes = ENVELOPE_OVERHEAD;
  private long currentEventBytes;
  /** An event taken from the queue that did not fit the current batch; first of the next one. */
  private PendingEvent carry;
  /** A flush marker reached in the queue and not yet resolved. */
  private FlushMarker marker;
  private long nextSendNanos;
  /** Scratch buffers, reused for every body: the JSON, and its gzipped form. */
  private final BodyBuffer bodyBuffer = new BodyBuffer();
  private final BodyBuffer gzipBuffer = new BodyBuffer();

  Batcher(ClientConfig config, Budget budget, DropReporter drops, Outcomes outcomes, HttpExporter exporter) {
    this.config = config;
    this.clock = config.clock();
    this.budget = budget;
    this.drops = drops;
    this.outcomes = outcomes;
    this.exporter = exporter;
    this.slots = new Semaphore(config.maxInFlightBatches());
    this.intervalNanos = Saturating.nanos(config.flushInterval());
    this.retryBudgetMillis = Saturating.millis(config.retryBudget());
    this.thread = new Thread(this, "eye-client-sender");
    thread.setDaemon(true);
  }

  /** Starts the sender thread. */
  void start() {
    thread.start();
  }

  /** Queues an accepted event; never blocks. */
  void offer(PendingEvent event) {
    queue.offer(event);
  }

  /** Takes an event back out of the queue if the sender has not taken it yet. */
  boolean takeBack(PendingEvent event) {
    return queue.remove(event);
  }

  /** Wakes the sender: a batch's worth has arrived. */
  void wake() {
    LockSupport.unpark(thread);
  }

  boolean isStopping() {
    return stopping;
  }

  /**
   * A future that completes once everything offered before it is delivered or given up on; or
   * {@code null} when the sender is stopping (the caller waits for the close instead).
   */
  CompletableFuture<Void> flush() {
    if (stopping) {
      return null;
    }
    FlushMarker m = new FlushMarker();
    queue.offer(m);
    if (stopping && queue.remove(m)) {
      return null;
    }
    LockSupport.unpark(thread);
    return m.future;
  }

  /**
   * Tells the loop to stop; what it still holds is then given up on, and {@code then} runs on the
   * sender thread as its last work (or at once on this thread if the sender has already ended).
   */
  void stop(Runnable then) {
    afterStop.set(then);
    stopping = true;
    LockSupport.unpark(thread);
    if (exited) {
      runAfterStop();
    }
  }

  /** Runs the stop's follow-up exactly once, whichever of the stopper and the sender gets there first. */
  private void runAfterStop() {
    Runnable then = afterStop.getAndSet(null);
    if (then != null) {
      then.run();
    }
  }

  /** The batches not yet settled. */
  Collection<Batch> outstanding() {
    return outstanding;
  }

  /**
   * After the loop has stopped: gives up on events that raced past {@code track}'s check into the
   * queue after the loop's last drain, and completes every flush marker left.
   */
  void drainLeftovers() {
    drainQueue(new ArrayList<>());
    FlushMarker m;
    while ((m = leftoverMarkers.poll()) != null) {
      m.future.complete(null);
    }
  }

  /** A flush request's place in the queue. */
  private static final class FlushMarker {
    final CompletableFuture<Void> future = new CompletableFuture<>();
  }

  @Override
  public void run() {
    nextSendNanos = System.nanoTime() + intervalNanos;
    try {
      while (!stopping) {
        try {
          step();
        } catch (RuntimeException e) {
          log.error("the sender loop failed; it carries on", e);
        }
      }
    } finally {
      try {
        abandonLeftovers();
      } finally {
        exited = true;
        runAfterStop();
      }
    }
  }

  private void step() {
    fill();
    long now = System.nanoTime();
    boolean full = current.size() >= config.maxBatchEvents() || carry != null;
    if (!current.isEmpty() && (full || marker != null || now - nextSendNanos >= 0)) {
      if (slots.tryAcquire()) {
        dispatch();
        nextSendNanos = now + intervalNanos;
      } else {
        // Every batch in flight is busy; the first to finish wakes us.
        LockSupport.parkNanos(this, MAX_PARK_NANOS);
      }
      return;
    }
    if (marker != null) {
      resolve(marker);
      marker = null;
      return;
    }
    drops.maybeReport();
    long wait = nextSendNanos - now;
    // Producers wake us for full batches and flushes; the cap keeps drop reports timely when the
    // flush interval is long.
    LockSupport.parkNanos(this, Math.min(wait > 0 ? wait : intervalNanos, MAX_PARK_NANOS));
  }

  private void fill() {
    if (marker != null) {
      return;
    }
    if (carry != null) {
      if (!add(carry)) {
        return;
      }
      carry = null;
    }
    while (current.size() < config.maxBatchEvents()) {
      Object item = queue.poll();
      if (item == null) {
        return;
      }
      if (item instanceof FlushMarker m) {
        marker = m;
        return;
      }
      PendingEvent e = (PendingEvent) item;
      if (!add(e)) {
        carry = e;
        return;
      }
    }
  }

  private boolean add(PendingEvent e) {
    long size = currentBodyBytes + e.json.length + (current.isEmpty() ? 0 : 1);
    if (!current.isEmpty() && size > config.maxBatchBytes()) {
      return false;
    }
    current.add(e);
    currentBodyBytes = size;
    currentEventBytes += e.json.length;
    return true;
  }

  private void dispatch() {
    List<PendingEvent> events = List.copyOf(current);
    long eventBytes = currentEventBytes;
    current.clear();
    currentBodyBytes = ENVELOPE_OVERHEAD;
    currentEventBytes = 0;
    Batch batch;
    try {
      batch = assemble(events, eventBytes);
    } catch (RuntimeException e) {
      Batch unsent = new Batch(events, eventBytes, new byte[0], false, 0);
      outstanding.add(unsent);
      if (outcomes.failed(unsent, FailureReason.REFUSED, 0, null,
          "the batch could not be assembled: " + e, e)) {
        settle(unsent);
      }
      return;
    }
    outstanding.add(batch);
    exporter.export(batch).whenComplete((v, t) -> settle(batch));
  }

  /** A sent batch reached its outcome: give back its room and its slot, then tell flush() waiters. */
  private void settle(Batch batch) {
    budget.release(batch.size(), batch.eventBytes);
    outstanding.remove(batch);
    slots.release();
    LockSupport.unpark(thread);
    batch.done.complete(null);
  }

  /** Completes the marker once every batch sent so far has finished. */
  private void resolve(FlushMarker m) {
    CompletableFuture<?>[] done = outstanding.stream().map(b -> b.done).toArray(CompletableFuture[]::new);
    CompletableFuture.allOf(done).whenComplete((v, t) -> m.future.complete(null));
  }

  /** The sender is stopping: whatever it still holds will not be sent. */
  private void abandonLeftovers() {
    List<PendingEvent> left = new ArrayList<>(current);
    if (carry != null) {
      left.add(carry);
    }
    current.clear();
    carry = null;
    if (marker != null) {
      leftoverMarkers.add(marker);
      marker = null;
    }
    drainQueue(left);
  }

  /** Takes everything out of the queue: events into {@code into} (then abandoned), markers aside. */
  private void drainQueue(List<PendingEvent> into) {
    Object item;
    while ((item = queue.poll()) != null) {
      if (item instanceof FlushMarker m) {
        leftoverMarkers.add(m);
      } else {
        into.add((PendingEvent) item);
      }
    }
    if (!into.isEmpty()) {
      long bytes = 0;
      for (PendingEvent e : into) {
        bytes += e.json.length;
      }
      Batch unsent = new Batch(List.copyOf(into), bytes, new byte[0], false, 0);
      // Never sent: it takes no in-flight slot, so finish it without releasing one.
      if (outcomes.unsent(unsent)) {
        budget.release(unsent.size(), unsent.eventBytes);
        unsent.done.complete(null);
      }
    }
  }

  /** Runs on the sender thread only (it owns the scratch buffers). */
  private Batch assemble(List<PendingEvent> events, long eventBytes) {
    List<byte[]> jsons = new AbstractList<>() {
      @Override
      public byte[] get(int index) {
        return events.get(index).json;
      }

      @Override
      public int size() {
        return events.size();
      }
    };
    byte[] body;
    boolean gzipped = false;
    try {
      bodyBuffer.reset();
      EventEncoder.envelope(clock.instant(), jsons, bodyBuffer);
      body = null;
      if (bodyBuffer.size() >= config.gzipThreshold()) {
        gzipBuffer.reset();
        try (GZIPOutputStream gz = new FastGzip(gzipBuffer)) {
          gz.write(bodyBuffer.array(), 0, bodyBuffer.size());
        }
        if (gzipBuffer.size() < bodyBuffer.size()) {
          body = gzipBuffer.toByteArray();
          gzipped = true;
        }
      }
      if (body == null) {
        body = bodyBuffer.toByteArray();
      }
    } catch (IOException e) {
      throw new IllegalStateException("assembling the body in memory failed", e);
    } finally {
      bodyBuffer.release();
      gzipBuffer.release();
    }
    long deadline = Saturating.add(clock.millis(), retryBudgetMillis);
    return new Batch(events, eventBytes, body, gzipped, deadline);
  }

  /** JSON compresses well even at the fastest level, and the sender thread's time is the budget. */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(BodyBuffer out) throws IOException {
      super(out, 8192);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }
}
