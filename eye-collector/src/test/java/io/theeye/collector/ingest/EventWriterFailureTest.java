package io.theeye.collector.ingest;

import static io.theeye.collector.ingest.EventWriterTest.events;
import static io.theeye.collector.ingest.EventWriterTest.queued;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theeye.collector.CollectorMetrics;
import io.theeye.collector.storage.EventStore;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteSync;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What happens to the requests queued behind a transaction the store could not take. */
@Timeout(30)
class EventWriterFailureTest {

  @TempDir Path dir;
  private EventWriter writer;
  private SqliteEventStore sqlite;

  @AfterEach
  void stop() {
    if (writer != null) {
      writer.shutdown().join();
    }
    if (sqlite != null) {
      sqlite.close();
    }
  }

  @ParameterizedTest(name = "keep queued requests through a failure: {0}")
  @ValueSource(booleans = {false, true})
  void requestsQueuedBehindAnUnavailableStoreFailWithItUnlessKept(boolean keep) throws Exception {
    Path file = dir.resolve("eye.db");
    sqlite = new SqliteEventStore(file, SqliteSync.FULL, Duration.ofSeconds(2));
    sqlite.open(Set.of("shop"));
    CountDownLatch writing = new CountDownLatch(1);
    EventWriterTest.HeldSync signalling = new EventWriterTest.HeldSync(sqlite) {
      @Override
      public List<WriteOutcome> write(List<WriteRequest> requests) throws StorageException {
        writing.countDown();
        return super.write(requests);
      }
    };
    signalling.release.countDown(); // syncs go through at once
    writer = new EventWriter(signalling, 1_000, CollectorMetrics.NOOP);
    if (keep) {
      writer.keepQueuedThroughFailures();
    }
    writer.start();
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement lock = other.createStatement()) {
      lock.execute("BEGIN IMMEDIATE");
      CompletableFuture<WriteOutcome> first = queued(writer.submit(events("shop", "s", 1, "first-")));
      assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
      // Queued while the first transaction waits for the lock.
      CompletableFuture<WriteOutcome> behind = queued(writer.submit(events("shop", "s", 2, "behind-")));
      assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageException.class);
      lock.execute("ROLLBACK");
      if (keep) {
        assertThat(behind.get(10, TimeUnit.SECONDS).accepted()).isEqualTo(2);
      } else {
        assertThatThrownBy(() -> behind.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageException.class);
      }
    }
  }

}
