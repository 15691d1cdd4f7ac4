package io.theeye.client;

import static io.theeye.client.TestSupport.SESSION;
import static io.theeye.client.TestSupport.clientFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.theeye.client.TestSupport.AcceptingDispatcher;
import io.theeye.client.internal.Internal;
import io.theeye.model.Event;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The outbox in one JVM: restart, torn tail, the byte bound, a second client, disk errors. */
@Timeout(60)
class OutboxTest extends MockCollectorTest {

  @TempDir
  Path dir;

  private final AcceptingDispatcher collector = new AcceptingDispatcher();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger clientLog = (Logger) LoggerFactory.getLogger(EyeClient.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    clientLog.addAppender(logs);
  }

  @AfterEach
  void stopCapturing() {
    clientLog.detachAppender(logs);
  }

  private Path outbox() {
    return dir.resolve("outbox");
  }

  /** The collector answers nothing until {@code up} is counted down: requests hang meanwhile. */
  private void holdRequestsUntil(CountDownLatch up) {
    server.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        up.await(30, TimeUnit.SECONDS);
        return collector.dispatch(request);
      }
    });
  }

  /** A URL nothing listens on: the collector is down. */
  private static String down() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return "http://127.0.0.1:" + s.getLocalPort() + "/";
    }
  }

  /** Tracks events numbered {@code from} to {@code to - 1} (in {@code data.i}). */
  private static void trackRange(EyeClient client, int from, int to) {
    for (int i = from; i < to; i++) {
      assertThat(client.track(SESSION, "page interaction", "pageview", Map.of("i", i))).isTrue();
    }
  }

  private List<Integer> receivedNumbers() {
    return collector.received.stream().map(e -> e.data().get("i").asInt()).toList();
  }

  /** Runs a first client against a down collector, tracks {@code n} events and closes it at once. */
  private void trackWhileDown(int n) throws Exception {
    try (EyeClient first = clientFor(server).endpoint(down()).outbox(outbox()).closeTimeout(Duration.ZERO)
        .build()) {
      trackRange(first, 0, n);
      assertThat(first.close(Duration.ZERO)).as("events kept in the outbox are not lost").isZero();
    }
  }

  @Test
  void eventsTrackedWhileTheCollectorIsDownAreSentAfterARestartWithTheSameIds() throws Exception {
    trackWhileDown(2_000);
    server.setDispatcher(collector);

    eye = clientFor(server).outbox(outbox()).build();
    FlushResult r = eye.flush().get(20, TimeUnit.SECONDS);

    assertThat(receivedNumbers()).containsExactlyInAnyOrderElementsOf(
        Stream.iterate(0, i -> i + 1).limit(2_000).toList());
    assertThat(collector.received.stream().map(Event::eventId).distinct()).hasSize(2_000);
    assertThat(r.acknowledged()).isEqualTo(2_000);
    assertThat(eye.outbox().orElseThrow().recovered()).isEqualTo(2_000);
    // Acknowledged: a third run finds nothing to send.
    eye.close();
    eye = clientFor(server).outbox(outbox()).build();
    assertThat(eye.outbox().orElseThrow().recovered()).isZero();
  }

  @Test
  void aSecondClientOnTheSameDirectoryFailsAtBuildNamingIt() {
    server.setDispatcher(collector);
    eye = clientFor(server).outbox(outbox()).build();

    assertThatThrownBy(() -> clientFor(server).outbox(outbox()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(outbox().toAbsolutePath().toString())
        .hasMessageContaining("in use by another EyeClient");
  }

  @Test
  void aTornTailIsCutOffCountedAndLoggedAndTheIntactEventsAreDelivered() throws Exception {
    int n = 500;
    trackWhileDown(n);
    Path segment;
    try (Stream<Path> files = Files.list(outbox())) {
      segment = files.filter(p -> p.toString().endsWith(".seg")).max(Comparator.naturalOrder()).orElseThrow();
    }
    // Cut inside a record picked at random (never on a boundary, which would be no tear at all).
    List<long[]> records = frames(segment);
    Random random = new Random();
    long[] victim = records.get(records.size() / 2 + random.nextInt(records.size() / 2));
    long cut = victim[0] + 1 + random.nextInt((int) victim[1] - 1);
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.setLength(cut);
    }
    int intact = records.indexOf(victim);
    server.setDispatcher(collector);

    eye = clientFor(server).outbox(outbox()).build();
    eye.flush().get(20, TimeUnit.SECONDS);

    assertThat(receivedNumbers()).containsExactlyInAnyOrderElementsOf(
        Stream.iterate(0, i -> i + 1).limit(intact).toList());
    OutboxStatus status = eye.outbox().orElseThrow();
    assertThat(status.cutBytes()).isEqualTo(cut - victim[0]);
    assertThat(status.recovered()).isEqualTo(intact);
    assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
        .contains("cut " + (cut - victim[0]) + " byte(s) of a torn or corrupt record"));
  }

  /** Each record's offset and length in a segment file (the format of docs/client.md). */
  private static List<long[]> frames(Path segment) throws IOException {
    byte[] bytes = Files.readAllBytes(segment);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
    List<long[]> out = new java.util.ArrayList<>();
    for (int pos = 8; pos < bytes.length; ) {
      int length = 8 + b.getInt(pos);
      out.add(new long[] {pos, length});
      pos += length;
    }
    return out;
  }

  @Test
  void aFullOutboxDropsTheNewestCountedExactlyNeverBlocksAndTakesEventsAgainOnceAcknowledged()
      throws Exception {
    CountDownLatch collectorUp = new CountDownLatch(1);
    holdRequestsUntil(collectorUp);
    long bound = 64 << 10;
    eye = clientFor(server).outbox(outbox()).outboxMaxBytes(bound).build();
    // The watchdog: no track() call may take over 50 ms. A call's wall time also holds the time the
    // OS kept the thread off a core (the tests share two cores with other builds), which is not the
    // client's doing; so a call over 50 ms fails the test when the watchdog saw it waiting (blocked on
    // a lock, parked, sleeping) or in file or socket I/O, or when it spent over 50 ms on the CPU. A
    // call over 50 ms that did none of these was preempted: it is reported, not failed.
    Thread caller = Thread.currentThread();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    AtomicLong callStarted = new AtomicLong();
    AtomicLong callNumber = new AtomicLong();
    Map<Long, String> seenBlocking = new ConcurrentHashMap<>();
    Thread watchdog = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        long number = callNumber.get();
        long started = callStarted.get();
        // Only a call already 5 ms old is looked into: a stack trace costs the caller a pause.
        if (started != 0 && System.nanoTime() - started > 5_000_000L) {
          String blocking = blockingIn(caller);
          if (blocking != null && callNumber.get() == number && callStarted.get() == started) {
            seenBlocking.putIfAbsent(number, blocking);
          }
        }
        // A sample every millisecond: enough to see a 50 ms call, without taking a core.
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
    }, "track-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    int calls = 5_000;
    // The first call loads the client's classes; it is not watched.
    int accepted = eye.track(SESSION, "page interaction", "pageview", Map.of("i", 0)) ? 1 : 0;
    List<String> slow = new java.util.ArrayList<>();
    List<String> preempted = new java.util.ArrayList<>();
    try {
      for (int i = 1; i < calls; i++) {
        long cpu = threads.getCurrentThreadCpuTime();
        callNumber.set(i);
        long started = System.nanoTime();
        callStarted.set(started);
        boolean ok = eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
        long wall = System.nanoTime() - started;
        callStarted.set(0);
        cpu = threads.getCurrentThreadCpuTime() - cpu;
        if (wall > 50_000_000L) {
          String blocking = seenBlocking.get((long) i);
          String call = "call " + i + ": " + wall / 1_000_000 + " ms, " + cpu / 1_000_000 + " ms of CPU";
          if (blocking != null || cpu > 50_000_000L) {
            slow.add(call + (blocking == null ? "" : ", " + blocking));
          } else {
            preempted.add(call);
          }
        }
        if (ok) {
          accepted++;
        }
      }
    } finally {
      watchdog.interrupt();
    }

    assertThat(slow).as("track() calls over 50 ms that waited, did I/O or computed that long (calls over"
        + " 50 ms only off a core: %s)", preempted).isEmpty();
    EyeCounters c = eye.counters();
    assertThat(accepted).isPositive().isLessThan(calls);
    assertThat(c.dropped(DropReason.OUTBOX_FULL)).isEqualTo(calls - accepted);
    assertThat(c.tracked()).isEqualTo(accepted);
    // Every accepted event has its bytes in the bound.
    await().atMost(Duration.ofSeconds(10)).until(() -> eye.outbox().orElseThrow().storedBytes() > bound / 2);
    assertThat(eye.outbox().orElseThrow().storedBytes()).isLessThanOrEqualTo(bound);

    collectorUp.countDown();
    eye.flush().get(20, TimeUnit.SECONDS);
    assertThat(collector.received).hasSize(accepted);
    await().atMost(Duration.ofSeconds(10)).until(() -> eye.outbox().orElseThrow().storedBytes() < bound / 2);

    trackRange(eye, calls, calls + 100);
    eye.flush().get(20, TimeUnit.SECONDS);
    assertThat(collector.received).hasSize(accepted + 100);
    assertThat(eye.counters().dropped(DropReason.OUTBOX_FULL)).isEqualTo(calls - accepted);
  }

  @Test
  void blockUpToWaitsForRoomInAFullOutboxAndLosesNothing() throws Exception {
    CountDownLatch collectorUp = new CountDownLatch(1);
    holdRequestsUntil(collectorUp);
    eye = clientFor(server).outbox(outbox()).outboxMaxBytes(64 << 10)
        .overflow(Overflow.blockUpTo(Duration.ofSeconds(20))).build();
    int calls = 3_000;
    java.util.concurrent.atomic.AtomicReference<Thread> caller = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CompletableFuture<Void> job = java.util.concurrent.CompletableFuture.runAsync(() -> {
      caller.set(Thread.currentThread());
      trackRange(eye, 0, calls);
    });

    // More than 64 KiB of events: the job waits in track() for the outbox to have room.
    await().atMost(Duration.ofSeconds(10)).until(() -> caller.get() != null
        && caller.get().getState() == Thread.State.TIMED_WAITING && !job.isDone());
    assertThat(eye.counters().droppedTotal()).isZero();
    collectorUp.countDown();
    job.get(20, TimeUnit.SECONDS);
    eye.flush().get(20, TimeUnit.SECONDS);

    assertThat(eye.counters().droppedTotal()).isZero();
    assertThat(receivedNumbers()).containsExactlyInAnyOrderElementsOf(
        Stream.iterate(0, i -> i + 1).limit(calls).toList());
  }

  /**
   * What a disk error guarantees: every event track() accepted is still delivered, under the id it
   * was given. Those already in the outbox when the disk fails are read back from the failed log (its
   * open files stay readable when the directory is deleted or moved, and reading needs no free
   * space); new ones go through memory until the disk works again. Only an event whose bytes cannot
   * be read back is lost, and it is counted ({@code OutboxStatus.lost}). An event may reach the
   * collector twice, under the same id, when the same directory is opened again before its
   * checkpoint could be written (the collector stores it once); here the directory is a new one after
   * the fault, so each event is received exactly once.
   */
  @Test
  void aDiskErrorFallsBackToMemoryLoggedAndCountedAndTheOutboxRecovers() throws Exception {
    CountDownLatch collectorUp = new CountDownLatch(1);
    holdRequestsUntil(collectorUp);
    // Small batches, one at a time, small segments: when the disk fails, most of the first 100
    // events are still in the outbox unread, and the next segment is due soon.
    EyeClient.Builder builder = clientFor(server).outbox(outbox()).outboxSyncInterval(Duration.ofMillis(10))
        .maxBatchEvents(10).maxInFlightBatches(1);
    eye = Internal.instance().newClient(Internal.instance().config(builder)
        .outboxSegmentBytes(4096).outboxRetryInterval(Duration.ofMillis(200)).build());
    trackRange(eye, 0, 100);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.getRequestCount() >= 1);

    // The disk breaks in a way that holds as root too (a read-only mode bit does not stop root): the
    // directory is moved away in one step, as a cleanup script or an unmounted volume would, and a
    // file takes its name, so neither a segment nor a new directory can be created there.
    Files.move(outbox(), dir.resolve("gone"));
    Files.writeString(outbox(), "not a directory");
    trackRange(eye, 100, 200);
    await().atMost(Duration.ofSeconds(10)).until(() -> eye.outbox().orElseThrow().errors() > 0);
    assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
        .contains("new events are kept in memory"));
    collectorUp.countDown();
    trackRange(eye, 200, 300);
    eye.flush().get(10, TimeUnit.SECONDS);

    // The events of before the fault were read back from the failed log and sent; the later ones
    // from memory; the outbox cannot come back while the file blocks its directory.
    assertThat(receivedNumbers()).containsExactlyInAnyOrderElementsOf(
        Stream.iterate(0, i -> i + 1).limit(300).toList());
    assertThat(eye.outbox().orElseThrow().healthy()).isFalse();
    assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
        .containsPattern("the \\d+ event\\(s\\) already in it not yet sent are read back and sent"));

    // The disk works again.
    Files.delete(outbox());
    await().atMost(Duration.ofSeconds(10)).until(() -> eye.outbox().orElseThrow().healthy());
    assertThat(Files.isDirectory(outbox())).isTrue();
    trackRange(eye, 300, 400);
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(receivedNumbers()).containsExactlyInAnyOrderElementsOf(
        Stream.iterate(0, i -> i + 1).limit(400).toList());
    assertThat(collector.received.stream().map(Event::eventId).distinct()).hasSize(400);
    OutboxStatus status = eye.outbox().orElseThrow();
    assertThat(status.errors()).isEqualTo(1);
    assertThat(status.lost()).isZero();
    assertThat(eye.counters().failed()).isZero();
    assertThat(eye.counters().droppedTotal()).isZero();
  }

  /**
   * A disk error that leaves the directory in place (as a full disk does): the events are delivered,
   * but some may be sent twice, always under the same id, since the checkpoint of what was sent from
   * the failed log could not be written. The client does not take the directory back while it still
   * cannot write there, so the fault does not make it send the same events again and again.
   */
  @Test
  void aDiskErrorInPlaceMaySendAnEventTwiceButAlwaysUnderItsOneId() throws Exception {
    server.setDispatcher(collector);
    clientLog.setLevel(ch.qos.logback.classic.Level.DEBUG);
    try {
      EyeClient.Builder builder = clientFor(server).outbox(outbox()).outboxSyncInterval(Duration.ofMillis(10));
      eye = Internal.instance().newClient(Internal.instance().config(builder)
          .outboxRetryInterval(Duration.ofMillis(100)).build());
      trackRange(eye, 0, 100);
      eye.flush().get(10, TimeUnit.SECONDS);

      // The checkpoint cannot be replaced: its temporary file's name is taken by a directory (which
      // stops root as well as anyone). Renamed into place, which fails while the sender is writing
      // the temporary file; then it is tried again.
      Path blocker = Files.createDirectory(dir.resolve("blocker"));
      Path tmp = outbox().resolve("acked.tmp");
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try {
          Files.move(blocker, tmp);
          return true;
        } catch (IOException e) {
          return false;
        }
      });
      trackRange(eye, 100, 200);
      eye.flush().get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> eye.outbox().orElseThrow().errors() > 0);
      // Two retries find the directory still unwritable and leave it alone.
      await().atMost(Duration.ofSeconds(10)).until(() -> logs.list.stream()
          .filter(e -> e.getFormattedMessage().endsWith("still unusable")).count() >= 2);
      assertThat(eye.outbox().orElseThrow().healthy()).isFalse();
      trackRange(eye, 200, 300);
      eye.flush().get(10, TimeUnit.SECONDS);

      Files.delete(tmp);
      await().atMost(Duration.ofSeconds(10)).until(() -> eye.outbox().orElseThrow().healthy());
      trackRange(eye, 300, 400);
      eye.flush().get(10, TimeUnit.SECONDS);

      Map<Integer, java.util.Set<String>> idsByNumber = new java.util.HashMap<>();
      for (Event e : collector.received) {
        idsByNumber.computeIfAbsent(e.data().get("i").asInt(), k -> new java.util.HashSet<>()).add(e.eventId());
      }
      assertThat(idsByNumber.keySet()).containsExactlyInAnyOrderElementsOf(
          Stream.iterate(0, i -> i + 1).limit(400).toList());
      assertThat(idsByNumber.values()).allSatisfy(ids -> assertThat(ids).hasSize(1));
      OutboxStatus status = eye.outbox().orElseThrow();
      assertThat(status.errors()).isEqualTo(1);
      assertThat(status.lost()).isZero();
    } finally {
      clientLog.setLevel(null);
    }
  }

  @Test
  void eventsThatCannotBeReadBackAfterADiskErrorAreCountedLostAndLogged() throws Exception {
    CountDownLatch collectorUp = new CountDownLatch(1);
    holdRequestsUntil(collectorUp);
    EyeClient.Builder builder = clientFor(server).outbox(outbox()).maxBatchEvents(10).maxInFlightBatches(1);
    eye = Internal.instance().newClient(Internal.instance().config(builder)
        .outboxSegmentBytes(4096).outboxRetryInterval(Duration.ofMillis(200)).build());
    trackRange(eye, 0, 100);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.getRequestCount() >= 1);
    Path gone = dir.resolve("gone");
    Files.move(outbox(), gone);
    Files.writeString(outbox(), "not a directory");
    trackRange(eye, 100, 200);
    await().atMost(Duration.ofSeconds(10)).until(() -> eye.outbox().orElseThrow().errors() > 0);

    // The failed log's files lose their records before they are read back (the one batch in flight
    // holds the only slot, so nothing is read meanwhile).
    try (Stream<Path> files = Files.list(gone)) {
      for (Path segment : files.filter(p -> p.toString().endsWith(".seg")).toList()) {
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
          f.setLength(8);
        }
      }
    }
    collectorUp.countDown();
    eye.flush().get(10, TimeUnit.SECONDS);

    OutboxStatus status = eye.outbox().orElseThrow();
    assertThat(status.lost()).isPositive();
    assertThat(receivedNumbers()).doesNotHaveDuplicates().hasSize(200 - (int) status.lost())
        .containsAll(Stream.iterate(0, i -> i + 1).limit(10).toList());
    long lost = status.lost();
    assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
        .contains(lost + " event(s) accepted into the outbox could not be read back after the disk error"));
  }

  /** What {@code thread} is doing if it is waiting or in I/O, else {@code null}. */
  private static String blockingIn(Thread thread) {
    Thread.State state = thread.getState();
    StackTraceElement[] stack = thread.getStackTrace();
    String top = stack.length == 0 ? "" : " at " + stack[0];
    if (state != Thread.State.RUNNABLE) {
      return state + top;
    }
    for (StackTraceElement frame : stack) {
      String c = frame.getClassName();
      if (c.startsWith("sun.nio.ch.") || c.startsWith("java.io.File") || c.equals("java.io.RandomAccessFile")
          || c.startsWith("java.net.")) {
        return "in I/O at " + frame;
      }
    }
    return null;
  }
}
