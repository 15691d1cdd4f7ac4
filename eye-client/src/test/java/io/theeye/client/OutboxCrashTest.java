package io.theeye.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theeye.collector.Collector;
import io.theeye.testsupport.ChildProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of an application with its outbox on, while the collector is down; then the collector
 * starts and the application starts again on the same directory.
 *
 * <p>The sync point relied on: the last {@code synced K} line the child printed before it was killed.
 * The outbox's {@code synced} count is the number of events this client appended and fsynced; the
 * child tracks events 0, 1, 2, ... from one thread with no drops, and the sender appends them in that
 * order, so events 0..K-1 were on disk. Each must be stored exactly once. (Events after it were
 * written too, and a kill -9 leaves them in the OS's cache, so most of them arrive as well; only a
 * power cut could lose them.)
 */
@Timeout(120)
class OutboxCrashTest {

  private static final int EVENTS = 100_000;
  private static final int KILL_AFTER_SYNCED = 10_000;

  @TempDir
  Path dir;

  @Test
  void everyEventSyncedBeforeAKillNineIsStoredExactlyOnceInSessionOrderAfterTheRestart() throws Exception {
    Path outbox = dir.resolve("outbox");
    String down;
    try (ServerSocket s = new ServerSocket(0)) {
      down = "http://127.0.0.1:" + s.getLocalPort() + "/";
    }

    long syncPoint;
    try (ChildProcess app = ChildProcess.javaMain(dir, List.of("-Xmx256m"), OutboxCrashApp.class, "track",
        down, outbox.toString(), String.valueOf(EVENTS), String.valueOf(KILL_AFTER_SYNCED))) {
      app.awaitLine("past-sync-point");
      app.process().destroyForcibly();
      assertThat(app.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
      String out = app.stdout();
      assertThat(out).as("killed mid-stream").doesNotContain("tracked-all").doesNotContain("dropped");
      syncPoint = out.lines().filter(l -> l.startsWith("synced ")).mapToLong(l -> Long.parseLong(l.substring(7)))
          .max().orElseThrow();
    }
    assertThat(syncPoint).isBetween((long) KILL_AFTER_SYNCED, EVENTS - 1L);

    Path db = dir.resolve("eye.db");
    try (Collector collector = Collector.builder().port(0).db(db)
        .app("crash-app", OutboxCrashApp.KEY_ID, OutboxCrashApp.SECRET).start();
        ChildProcess app = ChildProcess.javaMain(dir, List.of("-Xmx256m"), OutboxCrashApp.class, "deliver",
            collector.uri().toString(), outbox.toString())) {
      String flushed = app.awaitLine("flushed ");
      assertThat(app.awaitExit(60)).as(app.output()).isZero();
      assertThat(flushed).as(app.output()).contains("failed=0").contains("kept=0").doesNotContain("recovered=0");
    }

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT session_id, json_extract(data, '$.i') AS i, event_id"
            + " FROM events ORDER BY occurred_at, seq, id")) {
      Set<Long> numbers = new HashSet<>();
      Set<String> ids = new HashSet<>();
      Map<String, Long> lastInSession = new HashMap<>();
      long rows = 0;
      while (rs.next()) {
        rows++;
        String session = rs.getString(1);
        long i = rs.getLong(2);
        assertThat(numbers.add(i)).as("event %d stored once", i).isTrue();
        assertThat(ids.add(rs.getString(3))).isTrue();
        Long previous = lastInSession.put(session, i);
        assertThat(previous == null || previous < i).as("%s in tracking order at event %d", session, i)
            .isTrue();
        assertThat(session).isEqualTo("session-" + (i % OutboxCrashApp.SESSIONS));
      }
      for (long i = 0; i < syncPoint; i++) {
        assertThat(numbers).as("event %d, before the sync point", i).contains(i);
      }
      assertThat(rows).isBetween(syncPoint, (long) EVENTS - 1);
    }
  }

  @Test
  void aClientInAnotherJvmOnTheSameDirectoryFailsAtBuildNamingItAndTheLockDiesWithItsProcess()
      throws Exception {
    Path outbox = dir.resolve("outbox");
    String down;
    try (ServerSocket s = new ServerSocket(0)) {
      down = "http://127.0.0.1:" + s.getLocalPort() + "/";
    }
    EyeClient.Builder second = EyeClient.builder().endpoint(down).keyId(OutboxCrashApp.KEY_ID)
        .secret(OutboxCrashApp.SECRET).outbox(outbox);
    try (ChildProcess app = ChildProcess.javaMain(dir, List.of("-Xmx64m"), OutboxCrashApp.class, "hold",
        down, outbox.toString())) {
      app.awaitLine("holding ");
      // Fails fast: the lock is tried, never waited for.
      assertThatThrownBy(second::build)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(outbox.toAbsolutePath().toString())
          .hasMessageContaining("in use by another EyeClient");
      app.process().destroyForcibly();
      assertThat(app.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    // A kill -9 leaves no stale lock behind: the OS released it with the process.
    try (EyeClient eye = second.build()) {
      assertThat(eye.outbox().orElseThrow().healthy()).isTrue();
    }
  }
}
