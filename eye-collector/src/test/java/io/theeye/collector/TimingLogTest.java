package io.theeye.collector;

import static io.theeye.collector.TestSender.batch;
import static io.theeye.collector.TestSender.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.testsupport.ChildProcess;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The timing log of operations.md: off by default, on with {@code EYE_LOG_TIMINGS=DEBUG}, and never
 * more than durations and counts.
 */
@Timeout(120)
class TimingLogTest extends CollectorTestSupport {

  private static final String TS = "2021-01-01 09:15:27.243860";
  private static final Pattern PASSIVE_DONE =
      Pattern.compile("(?m)^eye_sqlite_checkpoints_total\\{[^}]*mode=\"passive\"[^}]*result=\"done\"[^}]*} (\\S+)$");

  private ChildProcess start(List<String> jvmArgs) throws Exception {
    List<String> args = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    args.addAll(jvmArgs);
    return ChildProcess.javaMain(tempDir, args, CollectorMain.class,
        "--port", "0", "--db", db(), "--app", APP + ":" + KEY + ":" + SECRET);
  }

  private static URI listening(ChildProcess child) throws Exception {
    String line = child.awaitLine(CollectorMain.LISTENING_PREFIX);
    return URI.create(line.substring(CollectorMain.LISTENING_PREFIX.length()).trim());
  }

  /** Sends a batch, then waits until the collector has run at least one passive checkpoint since. */
  private static void sendAndAwaitCheckpoint(TestSender sender) {
    double before = passiveCheckpoints(sender);
    assertThat(sender.post(KEY, SECRET, batch(pageview("e-1", "s-1", TS), pageview("e-2", "s-1", TS))).status())
        .isEqualTo(202);
    await().atMost(Duration.ofSeconds(30)).until(() -> passiveCheckpoints(sender) > before);
  }

  private static double passiveCheckpoints(TestSender sender) {
    Matcher m = PASSIVE_DONE.matcher(sender.get("/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void offByDefault() throws Exception {
    try (ChildProcess child = start(List.of())) {
      sendAndAwaitCheckpoint(new TestSender(listening(child)));
      assertThat(child.output()).doesNotContain("io.theeye.collector.timing").doesNotContain("wal_checkpoint(");
    }
  }

  @Test
  void eyeLogTimingsDebugShowsEachCheckpointAndNoSecret() throws Exception {
    try (ChildProcess child = start(List.of("-DEYE_LOG_TIMINGS=DEBUG"))) {
      sendAndAwaitCheckpoint(new TestSender(listening(child)));
      await().atMost(Duration.ofSeconds(30))
          .until(() -> child.output().contains("io.theeye.collector.timing - wal_checkpoint(PASSIVE) took "));
      assertThat(child.output()).doesNotContain(SECRET);
    }
  }
}
