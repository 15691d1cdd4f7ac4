package io.theeye.collector.ingest;

import io.github.resilience4j.core.IntervalFunction;
import io.theeye.collector.CollectorMetrics;
import io.theeye.collector.storage.EventStore;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's single writer: a bounded in-memory queue of {@link WriteRequest}s and one daemon
 * thread, {@value #THREAD_NAME}, that commits them to an {@link EventStore} with group commit.
 *
 * <p>Request threads call {@link #submit}, which never blocks: the request is queued whole, or refused
 * whole ({@link SubmitResult.Full} when its rows do not fit, {@link SubmitResult.ShuttingDown} once
 * {@link #shutdown()} began). The writer takes every request waiting (up to {@value
 * #MAX_ROWS_PER_TRANSACTION} rows), writes them in one transaction, and completes each request's future
 * only after the commit — so a durable acknowledgement is one future away. For a store that {@linkplain
 * EventStore#syncsSeparately() syncs separately}, a second thread,
 * {@value #SYNC_THREAD_NAME}, fsyncs what the writer committed and completes the futures after that:
 * the writer goes on with the next transaction meanwhile, and one fsync covers every transaction
 * committed before it. When the transaction fails,
 * each of its futures completes exceptionally with the {@link StorageException}, and the writer goes on
 * with the next requests after a short backoff (on its own thread). When it failed because the store
 * is unavailable (the file locked by another process, the disk full, the connection lost), the requests
 * that queued up while it was trying fail with it: they have waited for that attempt already, and
 * another attempt for them would make each wait a second time (two lock timeouts for a locked
 * database) before failing the same way.
 *
 * <pre>{@code
 * EventWriter writer = new EventWriter(store, 100_000, metrics);
 * writer.start();
 * SubmitResult result = writer.submit(request);
 * if (result instanceof SubmitResult.Queued queued) {
 *   queued.committed().whenComplete((outcome, failure) -> answer(outcome, failure));
 * } else {
 *   answer503(result);
 * }
 * writer.shutdown().join(); // drains and commits; then whoever opened the store closes it
 * store.close();
 * }</pre>
 */
public final class EventWriter {

  /** The writer thread's name: {@value}. */
  public static final String THREAD_NAME = "eye-writer";

  /** The thread that syncs committed transactions for a store that syncs separately: {@value}. */
  public static final String SYNC_THREAD_NAME = "eye-sync";

  /** Rows (events plus rejected rows) committed at most in one transaction: {@value}. */
  public static final int MAX_ROWS_PER_TRANSACTION = 20_000;

  private static final Logger LOG = LoggerFactory.getLogger(EventWriter.class);

  /** Where slow transactions and syncs go, at DEBUG: on with {@code EYE_LOG_TIMINGS=DEBUG}. */
  private static final Logger TIMING_LOG = LoggerFactory.getLogger("io.theeye.collector.timing");

  /** A transaction or sync slower than this is logged at DEBUG: {@value} ns. */
  private static final long SLOW_NANOS = 5_000_000;

  /** The pause after the n-th failed transaction in a row: 50 ms, doubling up to 2 s. */
  private static final IntervalFunction BACKOFF =
      IntervalFunction.ofExponentialBackoff(Duration.ofMillis(50), 2.0, Duration.ofSeconds(2));
  private static final long FAILURE_LOG_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

  /** Queued after the last request once shutdown began: the writer stops when it takes it. */
  private static final Pending STOP = new Pending(null, 0, 0, null);

  /** Default bound on the queue's estimated size ({@link WriteRequest#estimatedBytes()}): {@value} (64 MiB). */
  public static final long DEFAULT_CAPACITY_BYTES = 64L << 20;

  private final EventStore store;
  private final int capacity;
  private final long capacityBytes;
  private final CollectorMetrics metrics;
  /** Set before {@link #start()}, read by the writer thread only: Thread.start publishes it. */
  private boolean keepQueuedThroughFailures;
  /** Set before {@link #start()}, like the above; null when retention is off. */
  private Retention retention;
  /** The monotonic clock retention is paced by; set before {@link #start()}, like the above. */
  private LongSupplier ticker = System::nanoTime;
  /** When the writer thread next runs a retention step (on {@link #ticker}); writer thread only. */
  private long retentionDueNanos;
  /** When the writer thread last took a request (on {@link #ticker}); writer thread only. */
  private long lastRequestNanos;

  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger depth = new AtomicInteger();
  private final AtomicLong queuedBytes = new AtomicLong();
  /** Held while checking and reserving room; releasing only subtracts, so it needs no lock. */
  private final Object room = new Object();
  /** Submits hold the read lock; shutdown takes the write lock, so no request slips in behind STOP. */
  private final ReentrantReadWriteLock intake = new ReentrantReadWriteLock();
  private boolean shuttingDown;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final AtomicBoolean started = new AtomicBoolean();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private final Thread thread;
  /** Committed, not yet synced; only used when the store syncs separately. */
  private final LinkedBlockingQueue<Committed> committed = new LinkedBlockingQueue<>();
  private final Thread syncThread;
  private final CompletableFuture<Void> syncTerminated = new CompletableFuture<>();

  private long failuresSinceLog;
  private long lastFailureLogNanos;

  /**
   * A writer over {@code store} whose queue is bounded in rows only (and by {@link
   * #DEFAULT_CAPACITY_BYTES}); see {@link #EventWriter(EventStore, int, long, CollectorMetrics)}.
   */
  public EventWriter(EventStore store, int capacityEvents, CollectorMetrics metrics) {
    this(store, capacityEvents, DEFAULT_CAPACITY_BYTES, metrics);
  }

  /**
   * A writer over {@code store}, which must already be open. The writer never closes it: whoever
   * opened it closes it once {@link #shutdown()} completed.
   *
   * @param store where requests are committed
   * @param capacityEvents rows (events plus rejected rows) the queue holds before refusing requests
   * @param capacityBytes the queue's estimated size in memory ({@link WriteRequest#estimatedBytes()})
   *     before refusing requests, so large payloads cannot outgrow the heap
   * @param metrics where commit sizes, latencies, failures and the queue depth are reported
   */
  public EventWriter(EventStore store, int capacityEvents, long capacityBytes, CollectorMetrics metrics) {
    this.store = Objects.requireNonNull(store, "store");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    if (capacityEvents <= 0) {
      throw new IllegalArgumentException("capacityEvents must be positive, was " + capacityEvents);
    }
    if (capacityBytes <= 0) {
      throw new IllegalArgumentException("capacityBytes must be positive, was " + capacityBytes);
    }
    this.capacity = capacityEvents;
    this.capacityBytes = capacityBytes;
    this.thread = new Thread(this::run, THREAD_NAME);
    this.thread.setDaemon(true);
    if (store.syncsSeparately()) {
      this.syncThread = new Thread(this::syncLoop, SYNC_THREAD_NAME);
      this.syncThread.setDaemon(true);
    } else {
      this.syncThread = null;
      syncTerminated.complete(null);
    }
    metrics.queueDepth(this::depth);
  }

  /**
   * Keeps the requests queued behind a transaction the store could not take, instead of failing them
   * with it; call before {@link #start()}. For {@code queued} acknowledgements: their senders already
   * got a 202, so failing a request would lose its events, while waiting only delays them. (In
   * {@code durable} mode failing them is right: their senders are waiting, and would otherwise wait
   * for a second attempt before getting the same 503.)
   *
   * @return this writer
   */
  public EventWriter keepQueuedThroughFailures() {
    this.keepQueuedThroughFailures = true;
    return this;
  }

  /**
   * What to delete in the writer's pauses: events and rejected rows older than their windows ({@code null}
   * for a kind that is kept forever), measured on {@code clock}.
   *
   * <p>How fast: one step (a transaction of at most {@value #STEP_ROWS} rows of each kind) at a time, and
   * only while no request is waiting. While requests are arriving (one was taken less than {@link
   * #IDLE_AFTER} ago), the steps take at most {@value #BUSY_SHARE_PERCENT}% of the time: after a
   * step of duration d the next waits {@code d × (100 − share) / share}, 9 d. Once ingest is idle, the
   * steps run back to back. So a request waits for one step at most, and meets one about once in ten
   * while deletion is busy.
   *
   * @param events how long events are kept, or null
   * @param rejected how long rejected rows are kept, or null
   * @param clock the collector's clock
   */
  public record Retention(Duration events, Duration rejected, java.time.Clock clock) {
    /**
     * Rows of each kind one retention transaction deletes at most: {@value}. Bounds what a request
     * arriving during a step waits for: 100 events are about 1.2 ms at the 85k rows/s measured on the
     * development machine, against 6 ms for the 500 of the first version.
     */
    public static final int STEP_ROWS = 100;
    /** While requests are arriving, the share of the writer's time retention steps take at most: {@value}%. */
    public static final int BUSY_SHARE_PERCENT = 10;
    /** After this long without a request, ingest counts as idle and steps run back to back. */
    public static final Duration IDLE_AFTER = Duration.ofSeconds(1);
    /** How long the writer waits after a retention step that found nothing more to delete (or failed). */
    public static final Duration CHECK_INTERVAL = Duration.ofMinutes(1);

    /** Checks the windows: at least one, each positive. */
    public Retention {
      Objects.requireNonNull(clock, "clock");
      if (events == null && rejected == null) {
        throw new IllegalArgumentException("a retention needs a window for events or rejected rows");
      }
      for (Duration window : new Duration[] {events, rejected}) {
        if (window != null && (window.isNegative() || window.isZero())) {
          throw new IllegalArgumentException("a retention window must be positive, was " + window);
        }
      }
    }

    /**
     * How long the writer waits after a step before the next: {@link #CHECK_INTERVAL} once nothing more is
     * expired; while ingest is busy (the last request less than {@link #IDLE_AFTER} ago) long enough that
     * steps take {@value #BUSY_SHARE_PERCENT}% of the time; nothing when ingest is idle.
     *
     * @param more whether the step deleted a full {@link #STEP_ROWS} of a kind (so more may be expired)
     * @param stepNanos how long the step took
     * @param sinceRequestNanos how long ago the writer last took a request
     */
    static long restNanos(boolean more, long stepNanos, long sinceRequestNanos) {
      if (!more) {
        return CHECK_INTERVAL.toNanos();
      }
      if (sinceRequestNanos >= IDLE_AFTER.toNanos()) {
        return 0;
      }
      return Math.max(0, stepNanos) / BUSY_SHARE_PERCENT * (100 - BUSY_SHARE_PERCENT);
    }
  }

  /**
   * Deletes expired rows in the writer's pauses: one small transaction ({@value Retention#STEP_ROWS}
   * rows of each kind at most) when the queue is empty, paced as {@link Retention} says (a tenth of the
   * writer's time while requests arrive, back to back while ingest is idle), until nothing more is
   * expired, then a check every {@link Retention#CHECK_INTERVAL}; a request arriving meanwhile waits
   * for one step at most. Call before {@link #start()}; the store must {@linkplain
   * EventStore#supportsRetention() support it}.
   *
   * @return this writer
   */
  public EventWriter retain(Retention retention) {
    if (!store.supportsRetention()) {
      throw new IllegalArgumentException(store.describe() + " has no retention");
    }
    this.retention = Objects.requireNonNull(retention, "retention");
    return this;
  }

  /** The monotonic clock that paces retention, in nanoseconds (tests); call before {@link #start()}. */
  EventWriter ticker(LongSupplier nanoTime) {
    this.ticker = Objects.requireNonNull(nanoTime, "nanoTime");
    return this;
  }

  /** Starts the writer thread; idempotent. */
  public void start() {
    if (started.compareAndSet(false, true)) {
      if (syncThread != null) {
        syncThread.start();
      }
      thread.start();
    }
  }

  /**
   * Queues a request if all of its rows fit, or if the queue is empty (a request larger than the whole
   * queue is admitted alone). Never blocks and never throws (except on a {@code null}
   * request, a programming error).
   *
   * @return {@link SubmitResult.Queued} with a future completed after the commit, or {@link
   *     SubmitResult.Full}, or {@link SubmitResult.ShuttingDown}
   */
  public SubmitResult submit(WriteRequest request) {
    Objects.requireNonNull(request, "request");
    // tryLock fails only while shutdown() holds the write lock, i.e. when intake is closing anyway.
    if (!intake.readLock().tryLock()) {
      return new SubmitResult.ShuttingDown();
    }
    try {
      if (shuttingDown) {
        return new SubmitResult.ShuttingDown();
      }
      int rows = request.size();
      long bytes = request.estimatedBytes();
      if (!reserve(rows, bytes)) {
        return new SubmitResult.Full();
      }
      Pending pending = new Pending(request, rows, bytes, new CompletableFuture<>());
      queue.add(pending);
      return new SubmitResult.Queued(pending.committed);
    } finally {
      intake.readLock().unlock();
    }
  }

  private boolean reserve(int rows, long bytes) {
    synchronized (room) {
      // A request larger than the whole queue is admitted when the queue is empty, so that any positive
      // capacity takes a full-size request; it is refused while anything else is queued.
      boolean empty = depth.get() == 0;
      if (!empty && (rows > capacity - depth.get() || bytes > capacityBytes - queuedBytes.get())) {
        return false;
      }
      depth.addAndGet(rows);
      queuedBytes.addAndGet(bytes);
      return true;
    }
  }

  private void release(Pending pending) {
    queuedBytes.addAndGet(-pending.bytes);
    depth.addAndGet(-pending.rows);
  }

  /** Rows queued (or being committed) and not yet committed. */
  public int depth() {
    return depth.get();
  }

  /** The estimated size of the queued requests, in bytes ({@link WriteRequest#estimatedBytes()}). */
  public long queuedBytes() {
    return queuedBytes.get();
  }

  /** The queue's capacity in rows. */
  public int capacity() {
    return capacity;
  }

  /** Whether the queue has room for at least one more row. */
  public boolean hasRoom() {
    return depth() < capacity;
  }

  /**
   * Stops intake (later submits get {@link SubmitResult.ShuttingDown}) and commits everything queued
   * before. Idempotent: every call returns a future of the same termination.
   *
   * @return completes once the queue is drained and the writer's threads no longer use the store
   */
  public CompletableFuture<Void> shutdown() {
    intake.writeLock().lock();
    try {
      if (!shuttingDown) {
        shuttingDown = true;
        queue.add(STOP);
        stopRequested.countDown();
      }
    } finally {
      intake.writeLock().unlock();
    }
    start();
    return terminated.copy();
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    int failuresInARow = 0;
    if (retention != null) {
      // The first step runs at once, at full speed: no request has arrived yet.
      retentionDueNanos = ticker.getAsLong();
      lastRequestNanos = retentionDueNanos - Retention.IDLE_AFTER.toNanos();
    }
    try {
      while (true) {
        Pending first = take();
        if (first == STOP) {
          break;
        }
        batch.add(first);
        int rows = first.rows;
        // Group commit: everything already waiting joins this transaction, up to the row budget.
        while (rows < MAX_ROWS_PER_TRANSACTION) {
          Pending next = queue.peek();
          if (next == null || next == STOP || rows + next.rows > MAX_ROWS_PER_TRANSACTION) {
            break;
          }
          queue.poll();
          batch.add(next);
          rows += next.rows;
        }
        long attemptStart = System.nanoTime();
        Attempt attempt = commit(batch, rows);
        batch.clear();
        if (attempt.committed()) {
          failuresInARow = 0;
        } else {
          if (attempt.storeFailure() != null && !keepQueuedThroughFailures) {
            failQueued(attempt.storeFailure());
          }
          failuresInARow = Math.min(failuresInARow + 1, 64); // the backoff is at its maximum long before
          long backoffNanos = TimeUnit.MILLISECONDS.toNanos(BACKOFF.apply(failuresInARow));
          // The store is failing (disk full, file locked): give it a moment before the next attempt;
          // shutdown cuts the wait short. An attempt that itself waited (a busy timeout) counts
          // towards the moment, so a request arriving now waits for one attempt, not a pause and then one.
          pause(backoffNanos - (System.nanoTime() - attemptStart));
        }
      }
      stopSyncing();
      terminated.complete(null);
    } catch (Throwable t) {
      LOG.error("the event writer stopped unexpectedly; refusing further requests", t);
      failRemaining(batch, t);
      stopSyncing();
      terminated.completeExceptionally(t);
    }
  }

  private void pause(long nanos) {
    if (nanos <= 0) {
      return;
    }
    try {
      stopRequested.await(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      LOG.debug("the event writer's backoff was interrupted", e);
    }
  }

  private Pending take() {
    if (retention == null) {
      // Only STOP ends the writer: an interrupt from elsewhere must not drop queued requests.
      return takeUninterruptibly(queue);
    }
    while (true) {
      long wait = retentionDueNanos - ticker.getAsLong();
      // A step never starts while a request is waiting: the queue is looked at first, every time.
      Pending next = wait <= 0 ? queue.poll() : pollUninterruptibly(wait);
      if (next != null) {
        lastRequestNanos = ticker.getAsLong();
        return next;
      }
      if (retentionDueNanos - ticker.getAsLong() <= 0) {
        retentionStep();
      }
    }
  }

  private Pending pollUninterruptibly(long nanos) {
    try {
      return queue.poll(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      LOG.debug("{} ignored an interrupt", Thread.currentThread().getName(), e);
      return null;
    }
  }

  /** One retention transaction, then when the next is due ({@link Retention#restNanos}). */
  private void retentionStep() {
    java.time.Instant now = retention.clock().instant();
    long start = ticker.getAsLong();
    boolean more = false;
    try {
      EventStore.Expired expired = store.deleteExpired(
          retention.events() == null ? null : now.minus(retention.events()),
          retention.rejected() == null ? null : now.minus(retention.rejected()), Retention.STEP_ROWS);
      metrics.retentionDeleted(expired.events(), expired.sessions(), expired.rejected());
      more = expired.events() == Retention.STEP_ROWS || expired.rejected() == Retention.STEP_ROWS;
    } catch (StorageException | RuntimeException e) {
      LOG.warn("a retention step failed; trying again in {} s", Retention.CHECK_INTERVAL.toSeconds(), e);
    }
    long end = ticker.getAsLong();
    retentionDueNanos = end + Retention.restNanos(more, end - start, end - lastRequestNanos);
  }

  private static <T> T takeUninterruptibly(LinkedBlockingQueue<T> from) {
    while (true) {
      try {
        return from.take();
      } catch (InterruptedException e) {
        LOG.debug("{} ignored an interrupt", Thread.currentThread().getName(), e);
      }
    }
  }

  /**
   * Fails every request queued behind a transaction that failed because the store is unavailable; they
   * queued while it waited. Leaves {@link #STOP} (always last) in the queue.
   */
  private void failQueued(StorageException failure) {
    List<Pending> behind = new ArrayList<>();
    Pending next;
    while ((next = queue.poll()) != null) {
      if (next == STOP) {
        queue.add(STOP);
        break;
      }
      behind.add(next);
    }
    if (!behind.isEmpty()) {
      fail(behind, failure);
    }
  }

  /**
   * Writes one transaction and completes its futures; says whether anything was committed and, when
   * nothing was, whether the store itself failed.
   *
   * <p>When a transaction of several requests fails because of what one of them holds (a constraint
   * it breaks), each is retried alone, so that request fails by itself instead of taking the whole
   * group with it. When the store itself is failing (disk full, file locked, connection lost) the group
   * fails at once and the writer backs off: retrying each request would only multiply the waits.
   */
  private Attempt commit(List<Pending> batch, int rows) {
    StorageException failure = tryCommit(batch, rows);
    if (failure == null) {
      return Attempt.COMMITTED;
    }
    boolean data = failure.causedByData();
    if (batch.size() == 1 || !data) {
      fail(batch, failure);
      return data ? Attempt.DATA_FAILED : Attempt.storeFailed(failure);
    }
    boolean any = false;
    for (Pending pending : batch) {
      StorageException alone = tryCommit(List.of(pending), pending.rows);
      if (alone == null) {
        any = true;
      } else {
        fail(List.of(pending), alone);
      }
    }
    return any ? Attempt.COMMITTED : Attempt.DATA_FAILED;
  }

  /**
   * What one {@link #commit} came to: whether anything was committed, and when nothing was because the
   * store itself failed (not the requests' data), that failure.
   */
  private record Attempt(boolean committed, StorageException storeFailure) {
    static final Attempt COMMITTED = new Attempt(true, null);
    static final Attempt DATA_FAILED = new Attempt(false, null);

    static Attempt storeFailed(StorageException failure) {
      return new Attempt(false, failure);
    }
  }

  /** One transaction; on success completes the futures and returns null, else returns the failure. */
  private StorageException tryCommit(List<Pending> batch, int rows) {
    List<WriteRequest> requests = new ArrayList<>(batch.size());
    for (Pending pending : batch) {
      requests.add(pending.request);
    }
    long start = System.nanoTime();
    List<WriteOutcome> outcomes;
    try {
      outcomes = store.write(requests);
      if (outcomes.size() != requests.size()) {
        throw new StorageException("the store returned " + outcomes.size() + " outcomes for "
            + requests.size() + " requests");
      }
    } catch (StorageException | RuntimeException e) {
      metrics.writerFailed();
      // A store's runtime exception is a bug met by these rows: the other requests may still commit.
      return e instanceof StorageException se
          ? se : new StorageException(StorageException.Kind.DATA, "the store failed unexpectedly: " + e, e);
    }
    long nanos = System.nanoTime() - start;
    if (nanos > SLOW_NANOS && TIMING_LOG.isDebugEnabled()) {
      TIMING_LOG.debug("a transaction of {} rows ({} requests) took {} ms", rows, batch.size(), nanos / 1_000_000);
    }
    batch.forEach(this::release);
    metrics.writerCommitted(batch.size(), rows, nanos);
    if (syncThread != null) {
      committed.add(new Committed(List.copyOf(batch), outcomes));
    } else {
      complete(batch, outcomes);
    }
    return null;
  }

  private static void complete(List<Pending> batch, List<WriteOutcome> outcomes) {
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).committed.complete(outcomes.get(i));
    }
  }

  /**
   * The sync thread: takes every transaction committed so far, fsyncs once, answers their requests;
   * until the writer hands it {@link #SYNC_STOP} after its last commit.
   */
  private void syncLoop() {
    List<Committed> group = new ArrayList<>();
    boolean stop = false;
    try {
      while (!stop) {
        group.add(takeCommitted());
        committed.drainTo(group);
        stop = group.removeIf(c -> c == SYNC_STOP);
        if (group.isEmpty()) {
          continue;
        }
        try {
          long start = System.nanoTime();
          store.sync();
          long nanos = System.nanoTime() - start;
          metrics.writerSynced(group.size(), nanos);
          if (nanos > SLOW_NANOS && TIMING_LOG.isDebugEnabled()) {
            TIMING_LOG.debug("a sync of {} transactions took {} ms", group.size(), nanos / 1_000_000);
          }
          for (Committed c : group) {
            complete(c.batch, c.outcomes);
          }
        } catch (StorageException | RuntimeException e) {
          // Committed but perhaps not on disk: the senders retry, and the store counts what it already
          // holds as duplicates, so nothing is lost or stored twice.
          StorageException failure = e instanceof StorageException se
              ? se : new StorageException("the store failed to sync: " + e, e);
          metrics.writerFailed();
          logFailure(failure);
          for (Committed c : group) {
            c.batch.forEach(p -> p.committed.completeExceptionally(failure));
          }
        }
        group.clear();
      }
      syncTerminated.complete(null);
    } catch (Throwable t) {
      LOG.error("the sync thread stopped unexpectedly", t);
      StorageException failure = new StorageException("the sync thread stopped: " + t, t);
      group.addAll(committed);
      for (Committed c : group) {
        c.batch.forEach(p -> p.committed.completeExceptionally(failure));
      }
      syncTerminated.completeExceptionally(t);
    }
  }

  private Committed takeCommitted() {
    // Only SYNC_STOP ends the sync thread: committed requests must still be answered.
    return takeUninterruptibly(committed);
  }

  /** After the writer's last commit: lets the sync thread answer what is left, and waits for it. */
  private void stopSyncing() {
    if (syncThread == null) {
      return;
    }
    committed.add(SYNC_STOP);
    try {
      syncTerminated.join();
    } catch (RuntimeException e) {
      LOG.warn("the sync thread failed", e);
    }
  }

  private void fail(List<Pending> batch, StorageException failure) {
    batch.forEach(this::release);
    logFailure(failure);
    for (Pending pending : batch) {
      pending.committed.completeExceptionally(failure);
    }
  }

  private synchronized void logFailure(StorageException failure) {
    failuresSinceLog++;
    long now = System.nanoTime();
    if (lastFailureLogNanos == 0 || now - lastFailureLogNanos >= FAILURE_LOG_INTERVAL_NANOS) {
      LOG.warn("{} writer transaction(s) failed since the last report; their requests are answered 503"
          + " and the writer keeps trying", failuresSinceLog, failure);
      failuresSinceLog = 0;
      lastFailureLogNanos = now;
    }
  }

  private void failRemaining(List<Pending> batch, Throwable cause) {
    intake.writeLock().lock();
    try {
      shuttingDown = true;
    } finally {
      intake.writeLock().unlock();
    }
    StorageException failure = new StorageException("the event writer stopped: " + cause, cause);
    for (Pending pending : batch) {
      pending.committed.completeExceptionally(failure);
    }
    Pending pending;
    while ((pending = queue.poll()) != null) {
      if (pending != STOP) {
        release(pending);
        pending.committed.completeExceptionally(failure);
      }
    }
  }

  private record Pending(WriteRequest request, int rows, long bytes, CompletableFuture<WriteOutcome> committed) {}

  /** A committed transaction's requests and their outcomes, waiting for the sync. */
  private record Committed(List<Pending> batch, List<WriteOutcome> outcomes) {}

  /** Queued by the writer after its last commit: the sync thread stops when it takes it. */
  private static final Committed SYNC_STOP = new Committed(List.of(), List.of());
}
