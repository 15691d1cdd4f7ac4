package io.theeye.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.theeye.model.Timestamps;
import io.theeye.model.Uuid7;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The physical reference: how fast this machine's disk and sqlite-jdbc insert rows as big as real
 * events into a bare rowid table (no index, no constraint) with the collector's default durability
 * (WAL, {@code synchronous=FULL}), in transactions of a fixed number of rows. Nothing the collector
 * does can beat this; its ratio to this is the figure to watch.
 */
@Command(name = "sqlite-ceiling", mixinStandardHelpOptions = true,
    description = "Bare rowid-table insert rate with sqlite-jdbc: WAL, synchronous=FULL, batch transactions.")
final class SqliteCeilingSuite extends Suite {

  private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

  @Option(names = "--rows", description = "Rows per batch size (default 1,000,000; --quick 200,000).")
  Integer rows;

  @Option(names = "--batch", split = ",", paramLabel = "N[,N...]",
      description = "Rows per transaction, one run each (default: 100,1000 — one request per commit, "
          + "and a group commit of ten).")
  List<Integer> batches = List.of(100, 1000);

  @Option(names = "--sync", description = "SQLite synchronous: FULL or NORMAL (default FULL, the collector's default).")
  String sync = "FULL";

  private static final int TEMPLATES = 4096;

  @Override
  Report run() throws Exception {
    int n = rows != null ? rows : quick() ? 200_000 : 1_000_000;
    Report report = new Report("sqlite-ceiling", quick());
    report.parameter("rows", n).parameter("batches", batches).parameter("journal_mode", "WAL")
        .parameter("synchronous", sync.toUpperCase());
    report.note("rows_per_s", "rows committed / wall time, including every commit's fsync; "
        + "rows are real-event sized (UUIDv7 event id, session UUID, category, name, two timestamps, seq, "
        + "brief-shaped JSON data)");
    report.note("cpu_us_per_row", "this process's CPU time (all threads, JDBC and SQLite's C code) per row "
        + "inserted, including row generation; robust to other tenants on the machine");
    report.note("disk_bytes_per_row", "write_bytes of /proc/self/io (bytes sent to the storage layer: WAL "
        + "and checkpoints) per row");
    report.columns("rows/txn", "rows", "seconds", "rows/s", "commit p50 ms", "commit p99 ms", "avg row bytes",
        "CPU us/row");
    Row[] templates = templates();
    double best = 0;
    for (int batch : batches) {
      progress("sqlite-ceiling: " + n + " rows, " + batch + " rows per transaction");
      Path db = common.workDir().resolve("ceiling-" + batch + ".db");
      deleteDb(db);
      Histogram commits = new Histogram(3);
      long bytes = 0;
      long start;
      long elapsed;
      var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      long cpuStart = os.getProcessCpuTime();
      CpuMeter self = new CpuMeter(ProcessHandle.current().pid());
      CpuMeter.Reading ioStart = self.read();
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
        try (Statement s = c.createStatement()) {
          s.execute("PRAGMA journal_mode=WAL");
          s.execute("PRAGMA synchronous=" + sync);
          s.execute("CREATE TABLE ceiling(id INTEGER PRIMARY KEY, event_id TEXT NOT NULL, app_id TEXT NOT NULL,"
              + " session_id TEXT NOT NULL, category TEXT NOT NULL, name TEXT NOT NULL,"
              + " occurred_at TEXT NOT NULL, received_at TEXT NOT NULL, seq INTEGER, data TEXT NOT NULL)");
        }
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement(
            "INSERT INTO ceiling(event_id, app_id, session_id, category, name, occurred_at, received_at, seq, data)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
          start = System.nanoTime();
          long seq = 0;
          for (int done = 0; done < n; ) {
            int size = Math.min(batch, n - done);
            String receivedAt = Timestamps.format(Instant.now());
            for (int i = 0; i < size; i++) {
              Row t = templates[(int) (seq % TEMPLATES)];
              String eventId = Uuid7.next();
              insert.setString(1, eventId);
              insert.setString(2, "bench");
              insert.setString(3, t.sessionId);
              insert.setString(4, t.category);
              insert.setString(5, t.name);
              insert.setString(6, t.occurredAt);
              insert.setString(7, receivedAt);
              insert.setLong(8, seq++);
              insert.setString(9, t.data);
              insert.addBatch();
              bytes += t.bytes + eventId.length() + receivedAt.length() + 5 + 8;
            }
            insert.executeBatch();
            long before = System.nanoTime();
            c.commit();
            commits.recordValue((System.nanoTime() - before) / 1000);
            done += size;
          }
          elapsed = System.nanoTime() - start;
        }
      }
      double cpuMicrosPerRow = (os.getProcessCpuTime() - cpuStart) / 1000.0 / n;
      long diskBytes = CpuMeter.bytesWritten(ioStart, self.read(), 0, true);
      double seconds = elapsed / 1e9;
      double rate = n / seconds;
      best = Math.max(best, rate);
      report.row(batch, n, seconds, rate, commits.getValueAtPercentile(50) / 1000.0,
          commits.getValueAtPercentile(99) / 1000.0, (double) bytes / n, cpuMicrosPerRow);
      report.result("cpu_us_per_row.batch" + batch, cpuMicrosPerRow, "us");
      if (diskBytes >= 0) {
        report.result("disk_bytes_per_row.batch" + batch, (double) diskBytes / n, "B");
      }
      report.result("rows_per_s.batch" + batch, rate, "rows/s");
      report.result("commit_p99.batch" + batch, commits.getValueAtPercentile(99) / 1000.0, "ms");
      deleteDb(db);
    }
    report.result("rows_per_s", best, "rows/s");
    return report;
  }

  /** A pool of realistic rows; each insert still gets a fresh event id. */
  private static Row[] templates() throws JsonProcessingException {
    SplittableRandom random = new SplittableRandom(42);
    Row[] rows = new Row[TEMPLATES];
    Instant base = Instant.now().minusSeconds(3600);
    String session = SampleEvents.sessionId(random);
    for (int i = 0; i < TEMPLATES; i++) {
      if (random.nextInt(20) == 0) {
        session = SampleEvents.sessionId(random);
      }
      SampleEvents.Sample s = SampleEvents.next(random);
      String data = JSON_MAPPER.writeValueAsString(s.data());
      String occurredAt = Timestamps.format(base.plusNanos(i * 10_000_000L));
      rows[i] = new Row(session, s.category(), s.name(), occurredAt, data);
    }
    return rows;
  }

  static void deleteDb(Path db) throws java.io.IOException {
    for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
      Files.deleteIfExists(Path.of(db + suffix));
    }
  }

  private record Row(String sessionId, String category, String name, String occurredAt, String data, int bytes) {
    Row(String sessionId, String category, String name, String occurredAt, String data) {
      this(sessionId, category, name, occurredAt, data,
          sessionId.length() + category.length() + name.length() + occurredAt.length() + data.length());
    }
  }
}
