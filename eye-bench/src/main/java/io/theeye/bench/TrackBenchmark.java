package io.theeye.bench;

import io.theeye.client.EyeClient;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH: {@link EyeClient#track} on the caller's thread, as an application calls it, while the client's
 * sender really delivers to a {@link TrivialServer} in the same JVM.
 *
 * <p>The client's queue holds two million events (and 2 GiB): far more than one one-second iteration
 * can track, so every measured call takes the full path — serialize, reserve, enqueue — and never the
 * cheaper "queue full, drop" path. The queue is flushed (and waited for) after each iteration, and the
 * drops are counted: {@link #dropped} must stay 0 for the figure to mean anything ({@code TrackSuite}
 * reports it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TrackBenchmark {

  /** Events dropped over the trial, written to a system property the suite reads back. */
  static final String DROPPED_FILE_PROPERTY = "eye.bench.dropped.file";

  /** Whether the client's disk outbox is on (in a fresh temporary directory, bounded at 2 GiB). */
  @Param({"false", "true"})
  public boolean outbox;

  private TrivialServer server;
  private java.nio.file.Path outboxDir;
  private EyeClient eye;
  private SampleEvents.Pool events;
  private int next;

  /** Starts the server and the client; prepares a thousand realistic events. */
  @Setup(Level.Trial)
  public void setUp() throws java.io.IOException {
    server = new TrivialServer();
    EyeClient.Builder builder = EyeClient.builder()
        .endpoint(server.baseUrl())
        .keyId("bench-key")
        .secret("bench-secret-0123456789abcdef")
        .maxQueueEvents(2_000_000)
        .maxQueueBytes(2L << 30);
    if (outbox) {
      outboxDir = java.nio.file.Files.createTempDirectory("eye-bench-track-outbox");
      builder.outbox(outboxDir.resolve("outbox")).outboxMaxBytes(2L << 30);
    }
    eye = builder.build();
    events = SampleEvents.Pool.of(1024, 5);
  }

  /** One call, as an application makes it. */
  @Benchmark
  public boolean track() {
    int i = next++ & 1023;
    return eye.track(events.sessions()[i], events.categories()[i], events.names()[i], events.data().get(i));
  }

  /** Empties the queue between iterations so the next one starts from the same state. */
  @TearDown(Level.Iteration)
  public void drain() throws Exception {
    eye.flush().get(5, TimeUnit.MINUTES);
  }

  /** Reports drops (to the file the suite names) and stops everything. */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    long dropped = eye.counters().droppedTotal();
    String file = System.getProperty(DROPPED_FILE_PROPERTY);
    if (file != null) {
      java.nio.file.Files.writeString(java.nio.file.Path.of(file), dropped + "\n",
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }
    eye.close();
    server.close();
    if (outboxDir != null) {
      try (var files = java.nio.file.Files.walk(outboxDir)) {
        for (var p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          java.nio.file.Files.deleteIfExists(p);
        }
      }
    }
  }
}
