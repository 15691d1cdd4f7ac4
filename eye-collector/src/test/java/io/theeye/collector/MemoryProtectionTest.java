package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.testsupport.ChildProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector's memory is bounded by what senders authenticate, not by what they declare or what a
 * small body expands to. A real collector process at {@code -Xmx192m}, attacked over real sockets.
 */
class MemoryProtectionTest {

  private static final String APP = "shop";
  private static final String KEY = "shop-key-1";
  private static final String SECRET = "shop-secret-0123456789abcdef";
  private static final String HEAP = "192m";
  private static final long HEAP_BYTES = 192L << 20;
  private static final Pattern HEAP_USED =
      Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\} ([0-9.eE+]+)$");
  private static final Pattern SLOW_BODIES =
      Pattern.compile("(?m)^eye_requests_refused_total\\{cause=\"slow_body\"[^}]*\\} ([0-9.eE+]+)$");

  @TempDir Path dir;
  private ChildProcess collector;

  @AfterEach
  void stop() {
    if (collector != null) {
      collector.close();
    }
  }

  private URI start() throws Exception {
    collector = ChildProcess.javaMain(dir, List.of("-Xmx" + HEAP, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
        CollectorMain.class, "--port", "0", "--db", dir.resolve("eye.db").toString(),
        "--app", APP + ":" + KEY + ":" + SECRET);
    String line = collector.awaitLine(CollectorMain.LISTENING_PREFIX);
    return URI.create(line.substring(CollectorMain.LISTENING_PREFIX.length()).trim());
  }

  @Test
  @Timeout(120)
  void fiveHundredSlowBodiesLeaveTheCollectorAnswering() throws Exception {
    URI uri = start();
    TestSender sender = new TestSender(uri);
    assertThat(sender.get("/health").status()).isEqualTo(200);
    long before = heapAfterGc(sender);

    SlowLoris attack = new SlowLoris(new InetSocketAddress(uri.getHost(), uri.getPort()), 500);
    long maxHeap = 0;
    long slowestMillis = 0;
    int probes = 0;
    try {
      attack.start();
      // Longer than the 10 s body timeout, so that connections are closed and opened again meanwhile.
      Instant until = Instant.now().plusSeconds(16);
      while (Instant.now().isBefore(until)) {
        long t0 = System.nanoTime();
        assertThat(sender.get("/health").status()).isEqualTo(200);
        long t1 = System.nanoTime();
        TestSender.Answer a = sender.post(KEY, SECRET,
            TestSender.pageview(null, "probe-" + probes, "2021-01-01 09:15:27.243860"));
        long t2 = System.nanoTime();
        assertThat(a.status()).as(a.toString()).isEqualTo(202);
        slowestMillis = Math.max(slowestMillis, TimeUnit.NANOSECONDS.toMillis(Math.max(t1 - t0, t2 - t1)));
        maxHeap = Math.max(maxHeap, heapUsed(sender.get("/metrics").body()));
        probes++;
      }
      assertThat(attack.open()).as("attacking connections open at the end").isGreaterThan(400);
    } finally {
      attack.stop();
    }
    System.out.printf("slow bodies: %d probes, slowest %d ms, heap before %d MiB, peak %d MiB,"
        + " %d connections opened, %d closed by the collector%n", probes, slowestMillis, before >> 20,
        maxHeap >> 20, attack.opened.get(), attack.closedByPeer.get());

    assertThat(slowestMillis).isLessThan(1000);
    assertThat(maxHeap).isLessThan(HEAP_BYTES);
    assertThat(attack.closedByPeer.get()).as("slow bodies closed at the body timeout").isGreaterThanOrEqualTo(400);
    assertThat(metric(SLOW_BODIES, sender.get("/metrics").body())).isGreaterThanOrEqualTo(400);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(heapAfterGc(sender)).isLessThan(before + (16 << 20)));
    assertThat(collector.output()).doesNotContain("OutOfMemoryError");
  }

  @Test
  @Timeout(120)
  void smallGzipBodiesThatExpandToMegabytesAreAnsweredQuickly() throws Exception {
    URI uri = start();
    TestSender sender = new TestSender(uri);
    int decodedLimit = 4 << 20;
    String ts = "2021-01-01 09:15:27.243860";
    // 1. ~4 MiB of {}, as a bare array: past the event limit at the 1001st element.
    String array = "[" + "{},".repeat((decodedLimit - 64) / 3) + "{}]";
    // 2. one event whose data is ~4 MiB of {}, : refused without building its tree.
    String oneEvent = TestSender.event("big", "s", "c", "n", ts, null,
        "{\"a\":[" + "{},".repeat((decodedLimit - 256) / 3) + "{}]}");
    // 3. 1000 events, each with ~2 KB of {}, in its data: every event within its limits.
    List<String> events = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      events.add(TestSender.event("many-" + i, "s", "c", "n", ts, null, "{\"a\":[" + "{},".repeat(600) + "{}]}"));
    }
    String many = TestSender.batch(events.toArray(String[]::new));
    // 4. one byte past the decompressed limit.
    String tooLarge = "[" + " ".repeat(decodedLimit - 1) + "]";
    List<byte[]> bodies = new ArrayList<>();
    for (String body : List.of(array, oneEvent, many, tooLarge)) {
      byte[] gz = TestSender.gzip(body.getBytes(StandardCharsets.UTF_8));
      assertThat(gz.length).isLessThan(64 << 10);
      bodies.add(gz);
      bodies.add(gz);
    }

    ExecutorService pool = Executors.newFixedThreadPool(bodies.size());
    try {
      List<CompletableFuture<long[]>> answers = new ArrayList<>();
      for (byte[] body : bodies) {
        answers.add(CompletableFuture.supplyAsync(() -> {
          long t0 = System.nanoTime();
          TestSender.Answer a = sender.post(KEY, SECRET, body, true);
          return new long[] {a.status(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)};
        }, pool));
      }
      int[] expected = {400, 400, 202, 202, 202, 202, 413, 413};
      for (int i = 0; i < answers.size(); i++) {
        long[] answer = answers.get(i).get(30, TimeUnit.SECONDS);
        System.out.printf("expanding body %d: %d in %d ms%n", i, answer[0], answer[1]);
        assertThat(answer[0]).as("body %d", i).isEqualTo(expected[i]);
        assertThat(answer[1]).as("body %d answered within 5 s", i).isLessThan(5000);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(sender.get("/health").status()).isEqualTo(200);
    assertThat(collector.output()).doesNotContain("OutOfMemoryError");
  }

  private long heapAfterGc(TestSender sender) throws Exception {
    String jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process gc = new ProcessBuilder(jcmd, Long.toString(collector.process().pid()), "GC.run")
        .redirectErrorStream(true).start();
    gc.getInputStream().readAllBytes();
    assertThat(gc.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return heapUsed(sender.get("/metrics").body());
  }

  private static long heapUsed(String metrics) {
    Matcher m = HEAP_USED.matcher(metrics);
    long sum = 0;
    while (m.find()) {
      sum += (long) Double.parseDouble(m.group(1));
    }
    assertThat(sum).isPositive();
    return sum;
  }

  private static double metric(Pattern p, String metrics) {
    Matcher m = p.matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /**
   * Connections that each declare a 1 MiB body and send it one byte a second, opened again as the
   * collector closes them.
   */
  private static final class SlowLoris {
    private static final byte[] HEAD = ("POST /v1/events HTTP/1.1\r\nHost: localhost\r\n"
        + "Content-Type: application/json\r\nContent-Length: 1048576\r\n\r\n[").getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress address;
    private final SocketChannel[] channels;
    private final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closedByPeer = new AtomicInteger();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "slow-loris");
      t.setDaemon(true);
      return t;
    });

    SlowLoris(InetSocketAddress address, int connections) {
      this.address = address;
      this.channels = new SocketChannel[connections];
    }

    void start() throws IOException {
      for (int i = 0; i < channels.length; i++) {
        channels[i] = connect();
      }
      // One byte a second on every connection.
      scheduler.scheduleAtFixedRate(this::trickle, 1, 1, TimeUnit.SECONDS);
    }

    private SocketChannel connect() throws IOException {
      SocketChannel c = SocketChannel.open(address);
      c.write(ByteBuffer.wrap(HEAD));
      c.configureBlocking(false);
      opened.incrementAndGet();
      return c;
    }

    private void trickle() {
      ByteBuffer space = ByteBuffer.allocate(1);
      ByteBuffer sink = ByteBuffer.allocate(4096);
      for (int i = 0; i < channels.length && running.get(); i++) {
        try {
          sink.clear();
          if (channels[i].read(sink) < 0) {
            throw new IOException("closed by the collector");
          }
          space.clear();
          space.put((byte) ' ').flip();
          channels[i].write(space);
        } catch (IOException e) {
          closedByPeer.incrementAndGet();
          try {
            channels[i].close();
            channels[i] = connect();
          } catch (IOException again) {
            // The listener is saturated; try this slot again next round.
          }
        }
        }
    }

    int open() {
      int n = 0;
      for (SocketChannel c : channels) {
        if (c != null && c.isOpen()) {
          n++;
        }
      }
      return n;
    }

    void stop() throws InterruptedException {
      running.set(false);
      scheduler.shutdown();
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
      for (SocketChannel c : channels) {
        try {
          if (c != null) {
            c.close();
          }
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }
}
