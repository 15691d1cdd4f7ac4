package io.theeye.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.CollectorMetrics;
import io.theeye.collector.AckMode;
import io.theeye.collector.UnknownTypes;
import io.theeye.collector.schema.SchemaRegistry;
import io.theeye.collector.storage.EventStore;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteSync;
import io.theeye.model.EventReader;
import io.theeye.model.IngestResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingestion pipeline driven without HTTP, as a replay command or another transport would drive it:
 * a real SQLite file, the real writer, the bundled schemas.
 */
@Timeout(30)
class IngestTest {

  private static final Instant NOW = Instant.parse("2021-01-01T09:20:00Z");

  @TempDir Path dir;
  private EventStore store;
  private EventWriter writer;
  private Ingest ingest;

  @BeforeEach
  void start() throws Exception {
    store = new SqliteEventStore(dir.resolve("eye.db"), SqliteSync.NORMAL);
    store.open(Set.of("shop"));
    writer = new EventWriter(store, 10_000, CollectorMetrics.NOOP);
    writer.start();
    EventValidator validator = new EventValidator(SchemaRegistry.bundled(), UnknownTypes.ACCEPT, Duration.ofMinutes(5));
    ingest = new Ingest(EventReader.withDefaults(), validator, writer, CollectorMetrics.NOOP, AckMode.DURABLE);
  }

  @AfterEach
  void stop() throws Exception {
    writer.shutdown().get(10, TimeUnit.SECONDS);
    // Whoever opens the store closes it.
    store.close();
  }

  private IngestAnswer accept(String body) throws Exception {
    return ingest.accept("shop", NOW, body.getBytes(StandardCharsets.UTF_8)).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void storesValidEventsAndRejectsInvalidOnesWithoutHttp() throws Exception {
    IngestAnswer answer = accept("[{\"event_id\":\"a\",\"session_id\":\"s\",\"category\":\"page interaction\","
        + "\"name\":\"pageview\",\"timestamp\":\"2021-01-01 09:15:27.243860\",\"data\":{\"host\":\"h\",\"path\":\"/\"}},"
        + "{\"event_id\":\"b\",\"session_id\":\"s\",\"category\":\"page interaction\",\"name\":\"pageview\","
        + "\"timestamp\":\"2021-01-01 09:15:27.243860\",\"data\":{\"host\":1}},"
        + "{\"event_id\":\"a\",\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:28\"}]");

    assertThat(answer).isEqualTo(new IngestAnswer.Stored(new IngestResult(3, 1, 1, 1)));
    assertThat(query("SELECT event_id || ':' || session_id FROM events")).isEqualTo("a:s");
    assertThat(query("SELECT reason || ':' || event_id FROM rejected_events")).isEqualTo("schema_violation:b");
  }

  @Test
  void aMalformedBodyIsRecordedAndAnsweredMalformed() throws Exception {
    IngestAnswer answer = accept("{\"events\": 42}");

    assertThat(answer).isEqualTo(new IngestAnswer.Malformed("\"events\" must be an array of event objects"));
    assertThat(query("SELECT reason || ':' || raw FROM rejected_events")).isEqualTo("malformed_body:{\"events\": 42}");
  }

  @Test
  void aStoppedWriterAnswersShuttingDown() throws Exception {
    writer.shutdown().get(10, TimeUnit.SECONDS);

    assertThat(accept("{}")).isInstanceOf(IngestAnswer.ShuttingDown.class);
  }

  private String query(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("eye.db"));
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      String value = rs.getString(1);
      assertThat(rs.next()).as(sql + " has one row").isFalse();
      return value;
    }
  }
}
