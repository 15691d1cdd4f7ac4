package io.theeye.client;

import static io.theeye.client.TestSupport.SESSION;
import static io.theeye.client.TestSupport.clientFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.theeye.client.TestSupport.AcceptingDispatcher;
import io.theeye.model.Event;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

@Timeout(60)
class DropTest extends MockCollectorTest {

  private final AcceptingDispatcher collector = new AcceptingDispatcher();

  @BeforeEach
  void start() {
    server.setDispatcher(collector);
  }


  /** The URL of a collector that is down: nothing listens there any more. */
  private static String downCollector() throws Exception {
    MockWebServer down = new MockWebServer();
    down.start();
    String url = down.url("/").toString();
    down.shutdown();
    return url;
  }

  @Test
  void dropsExactlyWhatDoesNotFitWhileTheCollectorIsDownAndTheHeapStaysBounded() throws Exception {
    int capacity = 10_000;
    int calls = 1_000_000;
    eye = clientFor(server)
        .endpoint(downCollector())
        .maxQueueEvents(capacity)
        .retryBudget(Duration.ofMinutes(10))
        .build();
    Map<String, Object> data = Map.of("host", "www.ca.com", "path", "/", "element", "chat bubble");
    long heapBefore = usedHeapAfterGc();

    int accepted = 0;
    for (int i = 0; i < calls; i++) {
      if (eye.track(SESSION, "page interaction", "cta click", data)) {
        accepted++;
      }
    }

    long heapGrowth = usedHeapAfterGc() - heapBefore;
    EyeCounters c = eye.counters();
    assertThat(accepted).isEqualTo(capacity);
    assertThat(c.tracked()).isEqualTo(capacity);
    assertThat(c.dropped(DropReason.QUEUE_FULL)).isEqualTo(calls - capacity);
    assertThat(c.droppedTotal()).isEqualTo(calls - capacity);
    assertThat(c.pending()).isEqualTo(capacity);
    // 10,000 held events take a few MB; a million would take hundreds.
    assertThat(heapGrowth).isLessThan(64L << 20);

    long undelivered = eye.close(Duration.ZERO);
    assertThat(undelivered).isEqualTo(capacity);
    assertThat(eye.counters().failed()).isEqualTo(capacity);
    assertThat(eye.counters().pending()).isZero();
  }

  private static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    return rt.totalMemory() - rt.freeMemory();
  }

  @Test
  void dropsWhenTheQueueIsFullByBytes() throws Exception {
    eye = clientFor(server)
        .endpoint(downCollector())
        .maxQueueBytes(EyeClient.Builder.MIN_BATCH_BYTES)
        .retryBudget(Duration.ofMinutes(10))
        .build();
    String tenKb = "x".repeat(10_000);

    int accepted = 0;
    for (int i = 0; i < 10; i++) {
      if (eye.track(SESSION, "page interaction", "pageview", Map.of("text", tenKb))) {
        accepted++;
      }
    }

    // Each event is ~10.2 KB serialized: six fit in 64 KiB, the seventh does not.
    assertThat(accepted).isEqualTo(6);
    assertThat(eye.counters().dropped(DropReason.QUEUE_FULL)).isEqualTo(4);
  }

  @Test
  void acceptsDataAtTheSizeLimitAndDropsDataOneByteOver() throws Exception {
    eye = clientFor(server).maxDataBytes(1000).build();
    // {"k":"..."} is 8 bytes around the value.
    Map<String, Object> atLimit = Map.of("k", "a".repeat(1000 - 8));
    Map<String, Object> overLimit = Map.of("k", "a".repeat(1000 - 7));

    assertThat(eye.track(SESSION, "page interaction", "pageview", atLimit)).isTrue();
    assertThat(eye.track(SESSION, "page interaction", "pageview", overLimit)).isFalse();
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(collector.received).hasSize(1);
    assertThat(eye.counters().dropped(DropReason.PAYLOAD_TOO_LARGE)).isEqualTo(1);
  }

  @Test
  void dropsDataOverTheProtocolsDefault32KiB() {
    eye = clientFor(server).build();

    assertThat(eye.track(SESSION, "page interaction", "pageview", Map.of("k", "a".repeat(32 * 1024)))).isFalse();

    assertThat(eye.counters().dropped(DropReason.PAYLOAD_TOO_LARGE)).isEqualTo(1);
  }

  /** A value whose serialization fails. */
  public static final class Exploding {
    public String getValue() {
      throw new IllegalStateException("no value today");
    }
  }

  @Test
  void dropsDataJacksonCannotSerialize() throws Exception {
    eye = clientFor(server).build();
    Map<String, Object> withNullKey = new HashMap<>();
    withNullKey.put(null, "v");

    assertThat(eye.track(SESSION, "c", "n", Map.of("v", new Object()))).isFalse();
    assertThat(eye.track(SESSION, "c", "n", Map.of("v", new Exploding()))).isFalse();
    assertThat(eye.track(SESSION, "c", "n", withNullKey)).isFalse();
    assertThat(eye.track(SESSION, "c", "n", Map.of("ok", true))).isTrue();
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(eye.counters().dropped(DropReason.NOT_SERIALIZABLE)).isEqualTo(3);
    assertThat(collector.received).hasSize(1);
  }

  @Test
  void dropsInvalidArgumentsInsteadOfThrowing() throws Exception {
    eye = clientFor(server).build();
    String tooLong = "x".repeat(129);

    assertThat(eye.track(null, "c", "n", null)).isFalse();
    assertThat(eye.track(" ", "c", "n", null)).isFalse();
    assertThat(eye.track(SESSION, null, "n", null)).isFalse();
    assertThat(eye.track(SESSION, "", "n", null)).isFalse();
    assertThat(eye.track(SESSION, "c", "\t", null)).isFalse();
    assertThat(eye.track(SESSION, "c", tooLong, null)).isFalse();
    assertThat(eye.track(tooLong, "c", "n", null)).isFalse();
    assertThat(eye.track(SESSION, "c", "n", null, null)).isFalse();
    assertThat(eye.track((EyeEvent) null)).isFalse();
    assertThat(eye.track(EyeEvent.builder().sessionId(SESSION).category("c").build())).isFalse();
    assertThat(eye.track(EyeEvent.builder().sessionId(SESSION).category("c").name("n")
        .eventId("x".repeat(65)).build())).isFalse();
    // The limits themselves are fine: 128 characters, counted in code points.
    assertThat(eye.track("x".repeat(128), "c", "\uD83D\uDC41".repeat(128), null)).isTrue();
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(eye.counters().dropped(DropReason.INVALID_ARGUMENT)).isEqualTo(11);
    assertThat(collector.received).singleElement().extracting(Event::name)
        .isEqualTo("\uD83D\uDC41".repeat(128));
  }

  @Test
  void strictModeThrowsInsteadOfDropping() {
    eye = clientFor(server).strict(true).build();

    assertThatThrownBy(() -> eye.track(SESSION, " ", "n", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("category");
    assertThatThrownBy(() -> eye.track(SESSION, "c", "n", Map.of("v", new Object())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not_serializable");
    assertThatThrownBy(() -> eye.track(SESSION, "c", "n", null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestamp");
    eye.close();
    assertThatThrownBy(() -> eye.track(SESSION, "c", "n", null))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThat(eye.counters().droppedTotal()).isEqualTo(4);
  }

  @Test
  void dropsAreSummarizedInOneLogLinePerReason() {
    Logger logger = (Logger) LoggerFactory.getLogger("io.theeye.client.EyeClient");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      eye = clientFor(server).build();
      // The first drop is reported at once, by the sender, whenever it next looks; wait for that report
      // so that the drops below all fall inside the following interval, whatever the sender's timing.
      eye.track(SESSION, "c", "n", Map.of("v", new Object()));
      await().atMost(Duration.ofSeconds(5)).until(() -> warnings(logs).size() == 1);
      synchronized (logs) {
        logs.list.clear();
      }
      for (int i = 0; i < 3; i++) {
        eye.track(SESSION, "c", "n", Map.of("v", new Object()));
      }
      eye.track(SESSION, null, "n", null);
      eye.close();

      List<String> lines = warnings(logs);
      assertThat(lines).hasSize(2);
      assertThat(lines).anySatisfy(line -> assertThat(line)
          .startsWith("dropped 3 event(s) since the last report because their data could not be serialized"
              + " to JSON (latest: data could not be serialized to JSON: InvalidDefinitionException: ")
          .contains("java.lang.Object"));
      assertThat(lines).contains("dropped 1 event(s) since the last report because an argument was missing,"
          + " blank or too long (latest: category is null)");
    } finally {
      logger.detachAppender(logs);
    }
  }

  @Test
  void tracksAfterCloseAreDroppedAsClosed() {
    eye = clientFor(server).build();
    eye.close();

    assertThat(eye.track(SESSION, "c", "n", null)).isFalse();
    assertThat(eye.track(SESSION, "c", "n", null, Instant.now())).isFalse();
    assertThat(eye.track(EyeEvent.builder().sessionId(SESSION).category("c").name("n").build())).isFalse();

    assertThat(eye.counters().dropped(DropReason.CLOSED)).isEqualTo(3);
    assertThat(eye.counters().tracked()).isZero();
  }

  /** The drop reports logged so far. */
  private static List<String> warnings(ListAppender<ILoggingEvent> logs) {
    // AppenderBase appends under the appender's own lock.
    synchronized (logs) {
      return logs.list.stream()
          .filter(e -> e.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.startsWith("dropped"))
          .toList();
    }
  }
}
