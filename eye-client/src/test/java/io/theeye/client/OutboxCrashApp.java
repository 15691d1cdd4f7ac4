package io.theeye.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The application {@link OutboxCrashTest} runs in a child JVM and kills. {@code track ENDPOINT DIR N
 * THRESHOLD}: tracks events 0..N-1 (number in {@code data.i}, ten sessions), printing {@code synced
 * K} whenever the outbox's fsynced count grows and {@code past-sync-point} once it reaches THRESHOLD.
 * {@code deliver ENDPOINT DIR}: sends what the outbox holds, prints {@code flushed ...} and exits.
 * {@code hold ENDPOINT DIR}: builds a client on the outbox, prints {@code holding DIR} and waits to be
 * killed.
 */
public final class OutboxCrashApp {

  static final String KEY_ID = "crash-app-1";
  static final String SECRET = "crash-test-secret";
  static final int SESSIONS = 10;

  public static void main(String[] args) throws Exception {
    EyeClient.Builder builder = EyeClient.builder()
        .endpoint(args[1])
        .keyId(KEY_ID)
        .secret(SECRET)
        .outbox(Path.of(args[2]))
        .outboxSyncInterval(Duration.ofMillis(20))
        // A backfill that must not lose events: wait for room rather than drop.
        .overflow(Overflow.blockUpTo(Duration.ofSeconds(30)));
    if (args[0].equals("hold")) {
      // Holds the outbox until the process is killed.
      EyeClient eye = builder.build();
      System.out.println("holding " + eye.outbox().orElseThrow().directory());
      while (true) {
        LockSupport.park();
      }
    }
    if (args[0].equals("deliver")) {
      try (EyeClient eye = builder.build()) {
        FlushResult r = eye.flush().get(60, TimeUnit.SECONDS);
        System.out.println("flushed acknowledged=" + r.acknowledged() + " kept=" + r.kept() + " failed="
            + r.failed() + " recovered=" + eye.outbox().orElseThrow().recovered());
      }
      return;
    }
    int n = Integer.parseInt(args[3]);
    long threshold = Long.parseLong(args[4]);
    EyeClient eye = builder.build();
    long lastSynced = 0;
    boolean past = false;
    for (int i = 0; i < n; i++) {
      if (!eye.track("session-" + (i % SESSIONS), "backfill", "imported", Map.of("i", i))) {
        System.out.println("dropped " + i);
      }
      if (i % 500 == 0) {
        long synced = eye.outbox().orElseThrow().synced();
        if (synced > lastSynced) {
          System.out.println("synced " + synced);
          lastSynced = synced;
        }
        if (!past && synced >= threshold) {
          System.out.println("past-sync-point");
          past = true;
        }
        // An application's pace, not a benchmark's: the kill must land mid-stream.
        LockSupport.parkNanos(1_000_000);
      }
    }
    System.out.println("tracked-all");
    eye.close();
  }

  private OutboxCrashApp() {}
}
