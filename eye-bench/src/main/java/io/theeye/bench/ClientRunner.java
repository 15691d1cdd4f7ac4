package io.theeye.bench;

import com.segment.analytics.Analytics;
import com.segment.analytics.messages.TrackMessage;
import io.theeye.client.internal.NoDelaySocketFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;
import org.HdrHistogram.Histogram;

/**
 * The child-JVM side of the {@code client} suite: one client (The Eye's or Segment's) in a JVM of its
 * own, so its heap figure is its own and neither library's classes or threads disturb the other.
 *
 * <p>It talks to the parent over standard streams, one {@code @@}-prefixed line per step:
 * <ol>
 *   <li>tracks the warm-up events, prints {@code @@ WARMUP_SENT}, waits for the parent's {@code GO}
 *       (sent once the server has counted them);
 *   <li>prints {@code @@ START <System.nanoTime()>}, makes the measured calls, timing each one, prints
 *       {@code @@ CALLS <total ns> <p50 ns> <p99 ns> <bytes allocated on the calling thread>}, waits for
 *       the parent's {@code DONE} (sent once the server has counted every event);
 *   <li>prints {@code @@ HEAP <peak used bytes> <peak after-GC bytes> <events dropped> <process CPU ns
 *       of the measured phase>}, closes the client and exits.
 * </ol>
 * Both processes read the same monotonic clock on Linux, so the parent computes the delivery rate from
 * the child's start to the moment its server counted the last event.
 */
public final class ClientRunner {

  private ClientRunner() {}

  /** The library under test, reduced to the two calls the benchmark makes. */
  interface Tracker extends AutoCloseable {
    /** One call on the caller's thread, as an application makes it. */
    void track(Sample sample);

    /** Asks the library to send what it holds now, without waiting (both libraries can). */
    void flush();

    /** Events the library refused (The Eye counts them; Segment's unbounded queue refuses none). */
    long dropped();

    /** Bytes the library wrote to local disk so far (The Eye's outbox; 0 without one). */
    default long diskBytesWritten() {
      return 0;
    }

    @Override
    void close();
  }

  /**
   * Entry point of the child JVM.
   *
   * @param args {@code eye|eye-outbox|segment <base url> <warm-up events> <events> <key id> <secret> [<Eye gzip
   *     threshold>]}
   */
  public static void main(String[] args) throws Exception {
    String impl = args[0];
    String baseUrl = args[1];
    int warmup = Integer.parseInt(args[2]);
    int events = Integer.parseInt(args[3]);
    String keyId = args[4];
    String secret = args[5];
    BufferedReader parent = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    Sample[] samples = samples(1024);
    try (Tracker tracker = switch (impl) {
      case "eye" -> EyeTracker.create(baseUrl, keyId, secret, warmup + events,
          args.length > 6 ? Integer.valueOf(args[6]) : null, null);
      // The outbox in a fresh directory of the system's temporary file system, removed at exit.
      case "eye-outbox" -> EyeTracker.create(baseUrl, keyId, secret, warmup + events,
          args.length > 6 ? Integer.valueOf(args[6]) : null, freshOutbox());
      case "segment" -> segment(baseUrl);
      default -> throw new IllegalArgumentException("unknown client " + impl);
    }) {
      for (int i = 0; i < warmup; i++) {
        tracker.track(samples[i & 1023]);
      }
      tracker.flush();
      say("WARMUP_SENT");
      expect(parent, "GO");
      System.gc();

      var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      Histogram perCall = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
      HeapWatch heap = new HeapWatch();
      var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpuBefore = os.getProcessCpuTime();
      long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
      long diskBefore = tracker.diskBytesWritten();
      long start = System.nanoTime();
      say("START " + start);
      for (int i = 0; i < events; i++) {
        Sample s = samples[i & 1023];
        long t0 = System.nanoTime();
        tracker.track(s);
        perCall.recordValue(System.nanoTime() - t0);
      }
      long total = System.nanoTime() - start;
      long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
      // Neither library should have to wait for its flush timer to send the last partial batch.
      tracker.flush();
      say("CALLS " + total + " " + perCall.getValueAtPercentile(50) + " " + perCall.getValueAtPercentile(99)
          + " " + allocated);
      expect(parent, "DONE");
      long cpu = os.getProcessCpuTime() - cpuBefore;
      heap.close();
      say("HEAP " + heap.peakUsed() + " " + heap.peakAfterGc() + " " + tracker.dropped() + " " + cpu + " "
          + (tracker.diskBytesWritten() - diskBefore));
    }
    System.exit(0);
  }

  private static java.nio.file.Path freshOutbox() throws IOException {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("eye-bench-outbox");
    dir.toFile().deleteOnExit();
    return dir.resolve("outbox");
  }

  /**
   * One event, prepared before the clock starts, in the form each library takes: the category in its
   * own argument for The Eye, among the properties for Segment (as a Segment user would record it).
   */
  record Sample(String sessionId, String category, String name, Map<String, Object> data,
      Map<String, Object> segmentProperties) {}

  /** Realistic events: a thousand of them over sessions of about twenty events. */
  private static Sample[] samples(int n) {
    SplittableRandom random = new SplittableRandom(7);
    Sample[] out = new Sample[n];
    String session = SampleEvents.sessionId(random);
    for (int i = 0; i < n; i++) {
      if (random.nextInt(20) == 0) {
        session = SampleEvents.sessionId(random);
      }
      SampleEvents.Sample s = SampleEvents.next(random);
      Map<String, Object> properties = new LinkedHashMap<>(s.data());
      properties.put("category", s.category());
      out[i] = new Sample(session, s.category(), s.name(), s.data(), properties);
    }
    return out;
  }

  /**
   * Segment's client as its README configures it, pointed at the local server, with an OkHttp client
   * whose sockets use TCP_NODELAY (the same as The Eye's client uses by default).
   */
  private static Tracker segment(String baseUrl) {
    OkHttpClient http = new OkHttpClient.Builder().socketFactory(new NoDelaySocketFactory(SocketFactory.getDefault())).build();
    Analytics analytics = Analytics.builder("bench-write-key").endpoint(baseUrl).client(http).build();
    return new Tracker() {
      @Override
      public void track(Sample s) {
        analytics.enqueue(TrackMessage.builder(s.name()).anonymousId(s.sessionId()).properties(s.segmentProperties()));
      }

      @Override
      public void flush() {
        analytics.flush();
      }

      @Override
      public long dropped() {
        return 0;
      }

      @Override
      public void close() {
        analytics.flush();
        analytics.shutdown();
      }
    };
  }

  private static void say(String line) {
    System.out.println("@@ " + line);
    System.out.flush();
  }

  private static void expect(BufferedReader parent, String word) throws IOException {
    String line = parent.readLine();
    if (!word.equals(line)) {
      throw new IllegalStateException("expected " + word + " from the parent, got " + line);
    }
  }
}
