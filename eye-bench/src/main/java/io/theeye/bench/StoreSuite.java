package io.theeye.bench;

import io.theeye.collector.storage.SyntheticTraffic;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteSync;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The collector's single writer without the collector around it: {@link SqliteEventStore#write} called
 * in a loop on the preloaded database, with group commits the size the HTTP load produces (8 senders x
 * 100 events) and as many active sessions as the load generator keeps (8 x 2,000). Only the time and
 * CPU spent inside {@code write} are counted, so it shows what the storage layout costs per event — the
 * ceiling of the collector's durable rate — and it moves much less with other tenants than the HTTP
 * benchmark does.
 */
@Command(name = "store", mixinStandardHelpOptions = true,
    description = "The collector's storage writer alone: group commits into the preloaded database.")
final class StoreSuite extends Suite {

  @Option(names = "--events", description = "Events preloaded before the run (default 10,000,000; --quick 200,000).")
  Long preloadEvents;

  @Option(names = "--fresh-preload", description = "Rebuild the preloaded database even if a cached one exists.")
  boolean freshPreload;

  @Option(names = "--write-events", description = "Measured events written (default 2,000,000; --quick 300,000).")
  Integer writeEvents;

  @Option(names = "--warmup-events", description = "Unmeasured events written first (default 200,000; --quick 50,000).")
  Integer warmupEvents;

  @Option(names = "--group", description = "Events per transaction, in 100-event requests (default 800: the "
      + "collector benchmark's 8 closed-loop senders).")
  int group = 800;

  @Option(names = "--active-sessions", description = "Sessions active at once (default 16,000: the load "
      + "generator's 8 senders x 2,000).")
  int activeSessions = 16_000;

  @Option(names = "--sync", description = "FULL (the collector's default) or NORMAL.")
  SqliteSync sync = SqliteSync.FULL;

  private static final int REQUEST_EVENTS = 100;

  @Override
  Report run() throws Exception {
    long n = preloadEvents != null ? preloadEvents : quick() ? 200_000 : 10_000_000;
    int measured = writeEvents != null ? writeEvents : quick() ? 300_000 : 2_000_000;
    int warmup = warmupEvents != null ? warmupEvents : quick() ? 50_000 : 200_000;
    if (group < REQUEST_EVENTS || group % REQUEST_EVENTS != 0) {
      throw new IllegalArgumentException("--group must be a multiple of " + REQUEST_EVENTS);
    }
    Report report = new Report("store", quick());
    report.parameter("preload_events", n).parameter("write_events", measured)
        .parameter("warmup_events", warmup).parameter("events_per_transaction", group)
        .parameter("active_sessions", activeSessions).parameter("synchronous", sync);
    report.note("events_per_s", "events / wall time spent inside SqliteEventStore.write (generation excluded): "
        + "what one writer thread could commit with nothing else to do");
    report.note("cpu_us_per_event", "CPU time of the writing thread inside write() (JDBC, SQLite's C code, "
        + "kernel: writes and fsync) per event; kernel share from user vs total thread time");
    report.note("disk_bytes_per_event", "write_bytes of /proc/self/io (WAL frames and checkpoints) per event");
    Path db = common.workDir().resolve("store.db");
    long preloaded = Preload.cached(common.workDir(), n, freshPreload, db, m -> progress("store: " + m));
    int pageSize = pageSize(db);
    report.parameter("page_size", pageSize);
    progress("store: writing " + warmup + " + " + measured + " events, " + group + " per transaction, "
        + activeSessions + " active sessions, page size " + pageSize);

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    SyntheticTraffic traffic = new SyntheticTraffic(7, Instant.now(), Duration.ofNanos(20_000), activeSessions);
    Histogram commits = new Histogram(3);
    long wallNanos = 0;
    long cpuNanos = 0;
    long userNanos = 0;
    long diskBytes;
    try (SqliteEventStore store = new SqliteEventStore(db, sync)) {
      store.open(new HashSet<>(SyntheticTraffic.APP_IDS));
      for (int done = 0; done < warmup; done += group) {
        store.write(requests(traffic));
      }
      CpuMeter self = new CpuMeter(ProcessHandle.current().pid());
      CpuMeter.Reading before = self.read();
      for (int done = 0; done < measured; done += group) {
        List<WriteRequest> requests = requests(traffic);
        long cpu0 = threads.getCurrentThreadCpuTime();
        long user0 = threads.getCurrentThreadUserTime();
        long t0 = System.nanoTime();
        store.write(requests);
        long t1 = System.nanoTime();
        cpuNanos += threads.getCurrentThreadCpuTime() - cpu0;
        userNanos += threads.getCurrentThreadUserTime() - user0;
        wallNanos += t1 - t0;
        commits.recordValue((t1 - t0) / 1000);
      }
      diskBytes = CpuMeter.bytesWritten(before, self.read(), 0, true);
    }
    SqliteCeilingSuite.deleteDb(db);

    double rate = measured / (wallNanos / 1e9);
    double cpuPerEvent = cpuNanos / 1000.0 / measured;
    double kernelShare = cpuNanos == 0 ? 0 : 1.0 - (double) userNanos / cpuNanos;
    report.columns("events/txn", "events", "events/s", "CPU us/event", "kernel %", "disk B/event",
        "txn p50 ms", "txn p99 ms");
    report.row(group, measured, rate, cpuPerEvent, 100 * kernelShare,
        diskBytes < 0 ? Double.NaN : (double) diskBytes / measured,
        commits.getValueAtPercentile(50) / 1000.0, commits.getValueAtPercentile(99) / 1000.0);
    report.result("preload_events", preloaded, "events");
    report.result("events_per_s", rate, "events/s");
    report.result("cpu_us_per_event", cpuPerEvent, "us");
    report.result("kernel_share", 100 * kernelShare, "%");
    if (diskBytes >= 0) {
      report.result("disk_bytes_per_event", (double) diskBytes / measured, "B");
    }
    report.result("txn_p50", commits.getValueAtPercentile(50) / 1000.0, "ms");
    report.result("txn_p99", commits.getValueAtPercentile(99) / 1000.0, "ms");
    return report;
  }

  private List<WriteRequest> requests(SyntheticTraffic traffic) {
    List<WriteRequest> requests = new ArrayList<>(group / REQUEST_EVENTS);
    for (int r = 0; r < group / REQUEST_EVENTS; r++) {
      requests.add(traffic.nextRequest(REQUEST_EVENTS));
    }
    return requests;
  }

  private static int pageSize(Path db) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA page_size")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
