package io.theeye.bench;

import io.theeye.collector.CollectorMetrics;
import io.theeye.collector.ingest.EventWriter;
import io.theeye.collector.ingest.SubmitResult;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteSync;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The collector's writer without HTTP: its {@link EventWriter} (the single writer thread with group
 * commit and, for {@code --sync full}, the sync thread) over the real {@link SqliteEventStore} on the
 * preloaded database, fed by as many closed-loop "senders" as the collector benchmark uses (8 requests of
 * 100 events in flight), with as many active sessions as its load generator keeps (8 x 2,000). It shows
 * what the storage layout and the commit pipeline cost per event — the ceiling of the collector's
 * durable rate — and moves much less with other tenants than the HTTP benchmark does.
 */
@Command(name = "store", mixinStandardHelpOptions = true,
    description = "The collector's writer alone (EventWriter + SqliteEventStore), no HTTP, preloaded database.")
final class StoreSuite extends Suite {

  @Mixin
  PreloadOptions preload = new PreloadOptions();

  @Option(names = "--write-events", description = "Measured events written (default 2,000,000; --quick 300,000).")
  Integer writeEvents;

  @Option(names = "--warmup-events", description = "Unmeasured events written first (default 200,000; --quick 50,000).")
  Integer warmupEvents;

  @Option(names = "--senders", description = "100-event requests in flight, as closed-loop senders (default 8, "
      + "the collector benchmark's connections).")
  int senders = 8;

  @Option(names = "--active-sessions", description = "Sessions active at once (default 16,000: the load "
      + "generator's 8 senders x 2,000).")
  int activeSessions = 16_000;

  @Option(names = "--sync", description = "full (the collector's default) or normal.")
  String sync = "full";

  private static final int REQUEST_EVENTS = 100;

  @Override
  Report run() throws Exception {
    long n = preload.count(quick());
    int measured = writeEvents != null ? writeEvents : quick() ? 300_000 : 2_000_000;
    int warmup = warmupEvents != null ? warmupEvents : quick() ? 50_000 : 200_000;
    SqliteSync mode = SqliteSync.parse(sync);
    Report report = new Report("store", quick());
    report.parameter("preload_events", n).parameter("write_events", measured)
        .parameter("warmup_events", warmup).parameter("senders", senders)
        .parameter("events_per_request", REQUEST_EVENTS).parameter("active_sessions", activeSessions)
        .parameter("sync", mode);
    report.note("events_per_s", "events committed (and, with sync full, fsynced) per second of wall time, from "
        + "the first measured submit until the last answer; requests are generated on the calling thread "
        + "while the writer works, as the HTTP workers would");
    report.note("cpu_us_per_event", "CPU time (user + kernel) of the eye-writer and eye-sync threads per event "
        + "(JDBC, SQLite's C code, the kernel's writes and fsyncs)");
    report.note("disk_bytes_per_event", "write_bytes of /proc/self/io (WAL frames and checkpoints) per event");
    Path db = common.workDir().resolve("store.db");
    long preloaded = Preload.cached(common.workDir(), n, preload.fresh, db, m -> progress("store: " + m));
    report.parameter("page_size", pageSize(db));
    progress("store: writing " + warmup + " + " + measured + " events, " + senders + " requests in flight, "
        + activeSessions + " active sessions, sync " + mode);

    SyntheticTraffic traffic = new SyntheticTraffic(7, Instant.now(), Duration.ofNanos(20_000), activeSessions);
    Counting metrics = new Counting();
    SqliteEventStore store = new SqliteEventStore(db, mode);
    store.open(new HashSet<>(SyntheticTraffic.APP_IDS));
    EventWriter writer = new EventWriter(store, 1_000_000, 1L << 30, metrics);
    writer.start();
    Histogram acks = new Histogram(3);
    long seconds;
    CpuMeter self = new CpuMeter(ProcessHandle.current().pid());
    CpuMeter.Reading before;
    CpuMeter.Reading after;
    Map<String, Long> cpuBefore;
    Map<String, Long> cpuAfter;
    long transactionsBefore;
    try {
      send(writer, traffic, warmup, null);
      before = self.read();
      cpuBefore = threadCpu();
      transactionsBefore = metrics.transactions.get();
      long start = System.nanoTime();
      send(writer, traffic, measured, acks);
      seconds = System.nanoTime() - start;
      // before the shutdown, while the writer's threads are alive
      after = self.read();
      cpuAfter = threadCpu();
    } finally {
      writer.shutdown().join();
      store.close();
    }
    SqliteCeilingSuite.deleteDb(db);

    double rate = measured / (seconds / 1e9);
    long transactions = metrics.transactions.get() - transactionsBefore;
    double writerCpu = delta(cpuBefore, cpuAfter, EventWriter.THREAD_NAME) / 1000.0 / measured;
    double syncCpu = delta(cpuBefore, cpuAfter, EventWriter.SYNC_THREAD_NAME) / 1000.0 / measured;
    long diskBytes = CpuMeter.bytesWritten(before, after, 0, true);
    report.columns("events", "events/s", "events/txn", "writer CPU us/event", "sync CPU us/event",
        "disk B/event", "ack p50 ms", "ack p99 ms");
    report.row(measured, rate, (double) measured / transactions, writerCpu, syncCpu,
        diskBytes < 0 ? Double.NaN : (double) diskBytes / measured,
        acks.getValueAtPercentile(50) / 1000.0, acks.getValueAtPercentile(99) / 1000.0);
    report.result("preload_events", preloaded, "events");
    report.result("events_per_s", rate, "events/s");
    report.result("events_per_transaction", (double) measured / transactions, "events");
    report.result("cpu_us_per_event.writer", writerCpu, "us");
    report.result("cpu_us_per_event.sync", syncCpu, "us");
    if (diskBytes >= 0) {
      report.result("disk_bytes_per_event", (double) diskBytes / measured, "B");
    }
    report.result("ack_p50", acks.getValueAtPercentile(50) / 1000.0, "ms");
    report.result("ack_p99", acks.getValueAtPercentile(99) / 1000.0, "ms");
    return report;
  }

  /** Sends {@code events} in 100-event requests, keeping {@link #senders} of them in flight. */
  private void send(EventWriter writer, SyntheticTraffic traffic, int events, Histogram acks) throws Exception {
    Semaphore inFlight = new Semaphore(senders);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int sent = 0; sent < events && failure.get() == null; sent += REQUEST_EVENTS) {
      WriteRequest request = traffic.nextRequest(REQUEST_EVENTS);
      inFlight.acquire();
      long start = System.nanoTime();
      SubmitResult result = writer.submit(request);
      if (!(result instanceof SubmitResult.Queued queued)) {
        throw new IllegalStateException("the writer refused a request: " + result);
      }
      queued.committed().whenComplete((outcome, error) -> {
        if (error != null) {
          failure.compareAndSet(null, error);
        } else if (acks != null) {
          synchronized (acks) {
            acks.recordValue((System.nanoTime() - start) / 1000);
          }
        }
        inFlight.release();
      });
    }
    inFlight.acquire(senders);
    if (failure.get() != null) {
      throw new IllegalStateException("a write failed", failure.get());
    }
  }

  /** CPU nanoseconds of this JVM's threads, by name. */
  private static Map<String, Long> threadCpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> out = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null) {
        out.merge(info.getThreadName(), Math.max(0, threads.getThreadCpuTime(info.getThreadId())), Long::sum);
      }
    }
    return out;
  }

  private static long delta(Map<String, Long> before, Map<String, Long> after, String thread) {
    return after.getOrDefault(thread, 0L) - before.getOrDefault(thread, 0L);
  }

  private static int pageSize(Path db) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA page_size")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Counts the writer's transactions. */
  private static final class Counting implements CollectorMetrics {
    final AtomicLong transactions = new AtomicLong();

    @Override
    public void writerCommitted(int requests, int rows, long commitNanos) {
      transactions.incrementAndGet();
    }
  }
}
