package io.theeye.client.internal;

import io.theeye.client.EyeListener.FailureReason;
import io.theeye.client.FlushResult;
import java.io.IOException;
import java.time.Clock;
import java.util.AbstractList;
import java.util.ArrayDeque;
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
 * When a batch has its outcome, the loop reports it ({@link Outcomes#report}, so the listener runs on
 * this thread) and gives back its room in the {@link Budget} and its slot.
 *
 * <p>With an {@link Outbox}, the loop writes each event it takes from the queue to the outbox (which
 * gives back its room in memory at once), fsyncs it on a timer, and cuts batches from what it reads
 * back; acknowledged (or refused) batches leave the outbox, batches whose retry budget ran out stay
 * there and are sent again after {@code maxBackoff}. Events that cannot go to the outbox (a disk
 * error) take the in-memory path as without one.
 */
final class Batcher implements Runnable {

  private static final Logger log = ClientCore.LOG;

  /** Room kept in every batch for {@code {"sent_at":"…","events":[…]}} around the events. */
  static final int ENVELOPE_OVERHEAD = 64;

  private static final long MAX_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** The most events one pass of the loop writes to the outbox before it looks at sending again. */
  private static final int APPEND_CHUNK = 4096;

  private final ClientConfig config;
  private final Clock clock;
  private final Budget budget;
  private final DropReporter drops;
  private final Outcomes outcomes;
  private final HttpExporter exporter;
  /** The outbox, or {@code null} without one. */
  private final Outbox outbox;
  private final long intervalNanos;
  private final long keptRetryNanos;
  private final long retryBudgetMillis;

  /** Events and flush markers, in the order they were offered. */
  private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
  /** Batches handed to the exporter (or failed on the way) and not yet settled. */
  private final Set<Batch> outstanding = ConcurrentHashMap.newKeySet();
  private final Semaphore slots;
  private final Queue<FlushMarker> leftoverMarkers = new ConcurrentLinkedQueue<>();
  /** Flushes asked for and not yet resolved: each collects the batches it is to wait for. */
  private final Set<FlushMarker> openMarkers = ConcurrentHashMap.newKeySet();
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
  /** Outbox batches whose retry budget ran out, oldest first, to be sent again after a pause. */
  private final ArrayDeque<Batch> retained = new ArrayDeque<>();
  private long retainedDueNanos;
  private long nextOutboxSendNanos;

  Batcher(ClientConfig config, Budget budget, DropReporter drops, Outcomes outcomes, HttpExporter exporter,
      Outbox outbox) {
    this.outbox = outbox;
    this.keptRetryNanos = Saturating.nanos(config.maxBackoff());
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
    outcomes.onEnded(() -> LockSupport.unpark(thread));
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
  CompletableFuture<FlushResult> flush() {
    if (stopping) {
      return null;
    }
    FlushMarker m = new FlushMarker();
    // Registered before looking at what is in flight: a batch dispatched meanwhile is either seen
    // here or adds itself to the marker (see track(Batch)); a set counts it once either way.
    openMarkers.add(m);
    m.batches.addAll(outstanding);
    queue.offer(m);
    if (stopping && queue.remove(m)) {
      openMarkers.remove(m);
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
    reportEnded();
    drainQueue(new ArrayList<>());
    FlushMarker m;
    while ((m = leftoverMarkers.poll()) != null) {
      openMarkers.remove(m);
      m.future.complete(m.result());
    }
  }

  /** A flush request's place in the queue, and the batches holding the events tracked before it. */
  private static final class FlushMarker {
    final CompletableFuture<FlushResult> future = new CompletableFuture<>();
    final Set<Batch> batches = ConcurrentHashMap.newKeySet();
    /** With an outbox: the count of records appended when the loop reached this marker. */
    long target;
    /** With an outbox: records before {@link #target} not yet sent when it resolved; they stay there. */
    long keptUnsent;

    /** The outcomes of those of its batches that have ended. */
    FlushResult result() {
      FlushResult sum = new FlushResult(0, 0, 0, 0, 0, keptUnsent);
      for (Batch b : batches) {
        Outcomes.Ending e = b.ending;
        if (e != null) {
          sum = sum.plus(e.asFlushResult(b.size()));
        }
      }
      return sum;
    }
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
    reportEnded();
    fill();
    long now = System.nanoTime();
    if (outbox != null) {
      outbox.tick(now);
      sendFromOutbox(now);
    }
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
      if (outbox != null && !outboxCaughtUp(marker)) {
        // Waiting for a slot to send the outbox's records up to the marker; a batch ending wakes us.
        LockSupport.parkNanos(this, Math.min(MAX_PARK_NANOS, Math.max(1, outbox.nanosUntilTick(now))));
        return;
      }
      resolve(marker);
      marker = null;
      return;
    }
    drops.maybeReport();
    long wait = nextSendNanos - now;
    wait = wait > 0 ? wait : intervalNanos;
    if (outbox != null) {
      wait = Math.min(wait, outbox.nanosUntilTick(now));
      if (slots.availablePermits() > 0) {
        if (!retained.isEmpty()) {
          wait = Math.min(wait, retainedDueNanos - now);
        } else if (outbox.hasUnread()) {
          wait = Math.min(wait, nextOutboxSendNanos - now);
        }
      }
      wait = Math.max(wait, 1);
    }
    // Producers wake us for full batches and flushes; the cap keeps drop reports timely when the
    // flush interval is long.
    LockSupport.parkNanos(this, Math.min(wait, MAX_PARK_NANOS));
  }

  /**
   * Whether a flush marker's outbox records have all been sent, or cannot be now (the collector is
   * failing and earlier batches wait to be re-sent): then it resolves, and what was not sent counts
   * as kept. After a disk error the records still being read back from the failed log count too.
   */
  private boolean outboxCaughtUp(FlushMarker m) {
    return !retained.isEmpty() || !outbox.hasUnread() || outbox.read() >= m.target;
  }

  /** Sends batches read from the outbox while slots are free and a batch is due. */
  private void sendFromOutbox(long now) {
    Batch batch;
    while ((batch = nextFromOutbox(now)) != null) {
      track(batch);
      exporter.export(batch);
    }
  }

  /** The next outbox batch to send, holding a slot; {@code null} when none is due or no slot is free. */
  private Batch nextFromOutbox(long now) {
    if (!retained.isEmpty()) {
      if (now - retainedDueNanos < 0 || !slots.tryAcquire()) {
        return null;
      }
      return retained.poll().again(Saturating.add(clock.millis(), retryBudgetMillis));
    }
    if (!outbox.hasUnread()) {
      return null;
    }
    long unread = outbox.appended() - outbox.read();
    boolean due = marker != null || unread >= config.maxBatchEvents() || now - nextOutboxSendNanos >= 0;
    if (!due || !slots.tryAcquire()) {
      return null;
    }
    int limit = config.maxBatchEvents();
    if (marker != null && marker.target > outbox.read()) {
      // Stop at the flush's marker, so that its result counts only events tracked before it.
      limit = (int) Math.min(limit, marker.target - outbox.read());
    }
    OutboxLog.Range range = outbox.nextRange(limit,
        config.maxBatchBytes() - ENVELOPE_OVERHEAD - config.maxBatchEvents());
    if (range == null) {
      slots.release();
      return null;
    }
    nextOutboxSendNanos = now + intervalNanos;
    List<PendingEvent> events = new ArrayList<>(range.records.size());
    long bytes = 0;
    for (byte[] json : range.records) {
      events.add(PendingEvent.fromOutbox(json, outcomes.listening()));
      bytes += json.length;
    }
    try {
      return assemble(List.copyOf(events), bytes, range, range.generation);
    } catch (RuntimeException e) {
      Batch unsent = new Batch(List.copyOf(events), bytes, new byte[0], false, 0, range, range.generation);
      track(unsent);
      outcomes.failed(unsent, FailureReason.REFUSED, 0, null, "the batch could not be assembled: " + e, e);
      return null;
    }
  }

  /** A batch from the outbox ended: acknowledged or refused ones leave it; kept ones go again later. */
  private void outboxBatchEnded(Batch batch) {
    if (!batch.ending.kept()) {
      outbox.settle(batch.range, batch.generation);
    } else if (!stopping) {
      retained.add(batch);
      retainedDueNanos = System.nanoTime() + keptRetryNanos;
    }
  }

  /** The loop has stopped: sync and close the outbox. */
  void closeOutbox() {
    if (outbox != null) {
      outbox.close();
    }
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
    int appended = 0;
    while (current.size() < config.maxBatchEvents() && appended < APPEND_CHUNK) {
      Object item = queue.poll();
      if (item == null) {
        return;
      }
      if (item instanceof FlushMarker m) {
        marker = m;
        if (outbox != null) {
          m.target = outbox.appended();
        }
        return;
      }
      PendingEvent e = (PendingEvent) item;
      if (outbox != null && outbox.append(e)) {
        // On disk now: it no longer holds room in memory.
        budget.release(1, e.json.length);
        appended++;
        continue;
      }
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
      track(unsent);
      outcomes.failed(unsent, FailureReason.REFUSED, 0, null, "the batch could not be assembled: " + e, e);
      return;
    }
    track(batch);
    exporter.export(batch);
  }

  /** A batch takes a slot: it is outstanding, and every flush asked for so far waits for it. */
  private void track(Batch batch) {
    outstanding.add(batch);
    for (FlushMarker m : openMarkers) {
      m.batches.add(batch);
    }
  }

  /** Reports the batches that ended since the last call, then settles them. */
  private void reportEnded() {
    Batch batch;
    while ((batch = outcomes.nextEnded()) != null) {
      try {
        outcomes.report(batch);
      } finally {
        if (batch.fromOutbox()) {
          outboxBatchEnded(batch);
        }
        settle(batch);
      }
    }
  }

  /** A sent batch reached its outcome: give back its room and its slot, then tell flush() waiters. */
  private void settle(Batch batch) {
    if (!batch.fromOutbox()) {
      budget.release(batch.size(), batch.eventBytes);
    }
    outstanding.remove(batch);
    slots.release();
    LockSupport.unpark(thread);
    batch.done.complete(null);
  }

  /** Completes the marker once every batch sent so far has finished. */
  private void resolve(FlushMarker m) {
    openMarkers.remove(m);
    if (outbox != null) {
      m.keptUnsent = Math.max(0, m.target - outbox.read());
    }
    CompletableFuture<?>[] done = m.batches.stream().map(b -> b.done).toArray(CompletableFuture[]::new);
    CompletableFuture.allOf(done).whenComplete((v, t) -> m.future.complete(m.result()));
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
    if (outbox != null) {
      // Stopping: what can still go to the outbox is kept for the next run rather than given up.
      into.removeIf(e -> {
        if (outbox.append(e)) {
          budget.release(1, e.json.length);
          return true;
        }
        return false;
      });
    }
    if (!into.isEmpty()) {
      long bytes = 0;
      for (PendingEvent e : into) {
        bytes += e.json.length;
      }
      Batch unsent = new Batch(List.copyOf(into), bytes, new byte[0], false, 0);
      for (FlushMarker m : openMarkers) {
        m.batches.add(unsent);
      }
      // Never sent: it takes no in-flight slot, so finish it here without releasing one.
      if (outcomes.unsent(unsent)) {
        outcomes.report(unsent);
        budget.release(unsent.size(), unsent.eventBytes);
        unsent.done.complete(null);
      }
    }
  }

  /** Runs on the sender thread only (it owns the scratch buffers). */
  private Batch assemble(List<PendingEvent> events, long eventBytes) {
    return assemble(events, eventBytes, null, 0);
  }

  /** Runs on the sender thread only (it owns the scratch buffers). */
  private Batch assemble(List<PendingEvent> events, long eventBytes, OutboxLog.Range range, int gen) {
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
    return new Batch(events, eventBytes, body, gzipped, deadline, range, gen);
  }

  /** JSON compresses well even at the fastest level, and the sender thread's time is the budget. */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(BodyBuffer out) throws IOException {
      super(out, 8192);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }
}
