package io.theeye.collector;

import static io.theeye.collector.TestSender.batch;
import static io.theeye.collector.TestSender.event;
import static io.theeye.collector.TestSender.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

@Timeout(60)
class IngestSummaryTest extends CollectorTestSupport {

  private static final String TS = "2021-01-01 09:15:27.243860";

  @Test
  void oneLineSaysWhatWasAcceptedRejectedAndSeenWithoutASchemaThenNothingWhenIdle() throws Exception {
    Collector c = start(b -> b.summaryInterval(Duration.ZERO));
    TestSender sender = new TestSender(c);
    assertThat(sender.post(KEY, SECRET, batch(pageview("e-1", "s-1", TS), pageview("e-2", "s-1", TS),
        event("e-3", "s-1", "page interaction", "pageview", TS, null, "{\"host\":\"www.ca.com\",\"path\":404}"),
        event("e-4", "s-1", "checkout", "step", TS, null, "{\"step\":2}"))).status()).isEqualTo(202);
    assertThat(sender.post(KEY, SECRET, batch(pageview("e-1", "s-1", TS))).status()).isEqualTo(202);

    assertThat(c.summary().take("in the test")).isEqualTo("ingest in the test: 3 accepted, 1 rejected "
        + "(schema_violation 1), 1 duplicates; accepted without a schema: shop checkout/step 1");
    assertThat(c.summary().take("in the test")).as("nothing arrived since").isNull();

    assertThat(sender.post(KEY, SECRET, batch(pageview("e-5", "s-2", TS))).status()).isEqualTo(202);
    assertThat(c.summary().take("later")).isEqualTo("ingest later: 1 accepted, 0 rejected, 0 duplicates");
  }

  @Test
  void theLineIsLoggedEveryInterval() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(IngestSummary.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      Collector c = start(b -> b.summaryInterval(Duration.ofSeconds(1)));
      assertThat(new TestSender(c).post(KEY, SECRET, batch(pageview("e-1", "s-1", TS))).status()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(10)).until(() -> lines.list.stream()
          .anyMatch(e -> e.getFormattedMessage().equals("ingest in the last 1 s: 1 accepted, 0 rejected, 0 duplicates")));
    } finally {
      logger.detachAppender(lines);
    }
  }

  @Test
  void theIntervalIsZeroOrAtLeastASecond() {
    assertThatThrownBy(() -> Collector.builder().summaryInterval(Duration.ofMillis(500)))
        .hasMessage("summaryInterval must be zero (off) or at least one second");
    assertThatThrownBy(() -> Collector.builder().summaryInterval(Duration.ofSeconds(-1)))
        .hasMessage("summaryInterval must be zero (off) or at least one second");
  }
}
