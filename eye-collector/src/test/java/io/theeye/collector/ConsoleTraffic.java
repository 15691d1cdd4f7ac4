package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.model.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Traffic for the console's tests, sent as applications send it (signed, over real HTTP): two
 * applications, one rotating its key; pageviews and clicks; the demo's deliberate bad events (a
 * payload breaking its schema, a timestamp an hour ahead, a double-submitted form); an event type
 * without a schema; a bad signature and an unknown key id. Remembers what it sent, for the assertions.
 */
final class ConsoleTraffic {

  static final String SHOP = "shop";
  static final String SHOP_OLD_KEY = "shop-key-1";
  static final String SHOP_NEW_KEY = "shop-key-2";
  static final String BLOG = "blog";
  static final String BLOG_KEY = "blog-key-1";
  static final String SECRET = "console-test-secret-0123456789";
  /** The session every event of the traffic belongs to. */
  static final String SESSION = "e2085be5-9137-4e4e-80b5-f1ffddc25423";

  /** The JSON pointer the schema violation is reported at. */
  static final String VIOLATION_POINTER = "/path";

  final List<String> eventIds = new ArrayList<>();
  String futureTimestamp;
  int requestsOldKey;
  int requestsNewKey;
  int requestsBlog;
  int duplicates;

  /** A collector with both applications' keys and the console on a free loopback port. */
  static Collector.Builder keys(Collector.Builder b) {
    return b.app(SHOP, SHOP_OLD_KEY, SECRET).app(SHOP, SHOP_NEW_KEY, SECRET).app(BLOG, BLOG_KEY, SECRET);
  }

  /** Sends everything once; every answer is checked, so the counts the tests compare are known. */
  ConsoleTraffic send(TestSender sender) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    for (int i = 0; i < 6; i++) {
      // The rotation: the old key sends the first requests, the new one the rest.
      String key = i < 2 ? SHOP_OLD_KEY : SHOP_NEW_KEY;
      accepted(sender.post(key, SECRET, TestSender.batch(
          pageview(now.minusSeconds(60 - i)),
          click(now.minusSeconds(59 - i)))));
      if (i < 2) {
        requestsOldKey++;
      } else {
        requestsNewKey++;
      }
    }
    // The brief's form submit with "path" a number: the schema violation at /path.
    String violation = TestSender.event(id(), SESSION, "form interaction", "submit", ts(now.minusSeconds(30)), null,
        "{\"host\":\"www.ca.com\",\"path\":404,\"form\":{\"first_name\":\"John\",\"last_name\":\"Doe\"}}");
    futureTimestamp = ts(now.plus(Duration.ofHours(1)));
    String future = TestSender.event(id(), SESSION, "page interaction", "pageview", futureTimestamp, null,
        "{\"host\":\"www.ca.com\",\"path\":\"/pricing\"}");
    accepted(sender.post(SHOP_NEW_KEY, SECRET, TestSender.batch(violation, future)));
    requestsNewKey++;
    // A double click: the same submit twice, one event id.
    String submitId = id();
    String submit = TestSender.event(submitId, SESSION, "form interaction", "submit", ts(now.minusSeconds(20)), null,
        "{\"host\":\"www.ca.com\",\"path\":\"/contact\",\"form\":{\"first_name\":\"Jane\"}}");
    accepted(sender.post(SHOP_NEW_KEY, SECRET, TestSender.batch(submit)));
    accepted(sender.post(SHOP_NEW_KEY, SECRET, TestSender.batch(submit)));
    requestsNewKey += 2;
    duplicates++;
    // The blog sends a type nobody wrote a schema for.
    accepted(sender.post(BLOG_KEY, SECRET, TestSender.batch(
        TestSender.event(id(), "blog-session-1", "video", "play", ts(now.minusSeconds(10)), null, "{\"video\":\"intro\"}"),
        TestSender.event(id(), "blog-session-1", "page interaction", "pageview", ts(now.minusSeconds(9)), null,
            "{\"host\":\"blog.ca.com\",\"path\":\"/\"}"))));
    requestsBlog++;
    // A wrong secret on the old key, and a key id nobody configured.
    assertThat(sender.post(SHOP_OLD_KEY, "not-the-secret", TestSender.batch(pageview(now))).status()).isEqualTo(401);
    requestsOldKey++;
    assertThat(sender.post("stolen-key", SECRET, TestSender.batch(pageview(now))).status()).isEqualTo(401);
    return this;
  }

  private String pageview(Instant at) {
    return TestSender.pageview(id(), SESSION, ts(at));
  }

  private String click(Instant at) {
    return TestSender.event(id(), SESSION, "page interaction", "cta click", ts(at), null,
        "{\"host\":\"www.ca.com\",\"path\":\"/\",\"element\":\"chat bubble\"}");
  }

  private String id() {
    String id = UUID.randomUUID().toString();
    eventIds.add(id);
    return id;
  }

  static String ts(Instant at) {
    return Timestamps.format(at);
  }

  private static void accepted(TestSender.Answer answer) {
    assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
  }
}
