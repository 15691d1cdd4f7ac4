package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Posts thousands of generated bodies — valid events with awkward data (escapes, surrogate pairs,
 * exact decimals, big integers, deep nesting, trailing commas), events with planted problems (lone
 * surrogates, duplicate keys, numbers beyond a double), and bodies mutated byte by byte — to a real
 * collector. Every answer must be 202, 400 or 413, and every stored {@code data} must re-parse to
 * exactly what was sent. The seed is fixed, so a failure reproduces; the failing body is printed.
 */
@Timeout(300)
class JsonFuzzTest extends CollectorTestSupport {

  private static final int BODIES = 2000;
  private static final long SEED = 20261203L;

  /** Reads as a careful analyst would: every digit kept, trailing zeros too, a repeated key an error. */
  private static final ObjectMapper EXACT = new ObjectMapper(JsonFactory.builder()
      .enable(JsonReadFeature.ALLOW_TRAILING_COMMA).enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  private enum Kind { CLEAN, PLANTED, MUTATED }

  @Test
  void everyAnswerIsExpectedAndEveryStoredPayloadIsExactlyWhatWasSent() throws Exception {
    TestSender sender = new TestSender(start());
    Random random = new Random(SEED);
    Map<Kind, Integer> bodies = new EnumMap<>(Kind.class);
    Map<Integer, Integer> statuses = new LinkedHashMap<>();
    int storedChecked = 0;
    for (int n = 0; n < BODIES; n++) {
      Generator g = new Generator(random, n);
      Kind kind = switch (random.nextInt(10)) {
        case 0, 1, 2 -> Kind.MUTATED;
        case 3, 4 -> Kind.PLANTED;
        default -> Kind.CLEAN;
      };
      bodies.merge(kind, 1, Integer::sum);
      String text = g.body(kind == Kind.PLANTED);
      byte[] body = text.getBytes(StandardCharsets.UTF_8);
      if (kind == Kind.MUTATED) {
        body = g.mutate(body);
      }
      TestSender.Answer answer = sender.post(KEY, SECRET, body, false);
      String context = "body " + n + " (" + kind + "): " + new String(body, StandardCharsets.UTF_8)
          + "\nanswer: " + answer;
      statuses.merge(answer.status(), 1, Integer::sum);
      assertThat(answer.status()).as(context).isIn(202, 400, 413);
      if (answer.status() != 202) {
        assertThat(kind).as(context).isNotEqualTo(Kind.CLEAN);
        continue;
      }
      // Without duplicate detection: a body the collector took may hold an event it rejected for one.
      JsonNode sent = EXACT.readTree(
          EXACT.createParser(body).disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature()));
      List<JsonNode> events = new ArrayList<>();
      if (sent.isArray()) {
        sent.forEach(events::add);
      } else if (sent.has("events")) {
        sent.get("events").forEach(events::add);
      } else {
        events.add(sent);
      }
      int found = 0;
      int withoutId = 0;
      for (JsonNode event : events) {
        JsonNode id = event.path("event_id");
        if (!id.isTextual()) {
          // A mutation hit the key: the collector assigns an id, so the row cannot be looked up.
          withoutId++;
          continue;
        }
        List<Map<String, Object>> stored = rows("SELECT data FROM events WHERE event_id = ?", id.textValue());
        if (stored.isEmpty()) {
          continue;
        }
        found++;
        JsonNode expected = event.path("data").isObject() ? event.get("data") : EXACT.createObjectNode();
        JsonNode back = EXACT.readTree((String) stored.get(0).get("data"));
        assertThat(back).as(context + "\nstored: " + stored.get(0).get("data")).isEqualTo(expected);
        // Exact text, not just an equal tree: the stored text re-parses to the very same numbers' text.
        assertThat(EXACT.writeValueAsString(back)).as(context).isEqualTo(EXACT.writeValueAsString(expected));
        storedChecked++;
      }
      if (kind == Kind.CLEAN) {
        assertThat(answer.json().path("accepted").asInt()).as(context).isEqualTo(events.size());
        assertThat(found).as(context).isEqualTo(events.size());
      } else if (kind == Kind.PLANTED) {
        assertThat(answer.json().path("accepted").asInt()).as(context).isEqualTo(events.size() - 1);
        assertThat(answer.json().path("rejected").asInt()).as(context).isEqualTo(1);
        assertThat(found).as(context).isEqualTo(events.size() - 1);
      } else {
        assertThat(answer.json().path("accepted").asInt()).as(context).isBetween(found, found + withoutId);
      }
    }
    System.out.printf("fuzz: %d bodies %s, answers %s, %d stored payloads compared%n",
        BODIES, bodies, statuses, storedChecked);
    assertThat(storedChecked).isGreaterThan(BODIES);
    assertThat(statuses).containsKeys(202, 400);
  }

  /** Builds one body from a seeded random source. */
  private static final class Generator {
    private static final String[] PIECES = {
        "a", "Z", "0", " ", "é", "中", "\uD83D\uDC41", "\\n", "\\t", "\\\"", "\\\\", "\\/", "\\u00e9",
        "\\u4e2d", "\\ud83d\\udc41", "\\u0001", "\\u007f", "<", "&", "'", "%", "ß", "\u2028"};
    private static final String[] NUMBERS = {
        "0", "-0", "7", "-42", "2147483648", "-9223372036854775809", "123456789012345678901234567890",
        "0.1", "0.30000000000000004441", "1.50", "-2.000", "1e5", "1E-7", "2.5e+10", "6.02214076E23",
        "1e308", "-1.7976931348623157e308", "4.9e-324", "1e-400"};

    private static final String INSERTED = "{}[],:\"\\0e.-\u00ff";

    private final Random r;
    private final int n;
    private boolean planted;

    Generator(Random r, int n) {
      this.r = r;
      this.n = n;
    }

    String body(boolean plant) {
      int events = 1 + r.nextInt(r.nextInt(10) == 0 ? 40 : 4);
      List<String> list = new ArrayList<>();
      for (int i = 0; i < events; i++) {
        planted = false;
        list.add(event(i, plant && i == events - 1));
      }
      String joined = String.join("," + ws(), list) + (r.nextInt(8) == 0 ? "," : "");
      return switch (r.nextInt(3)) {
        case 0 -> "[" + ws() + joined + ws() + "]";
        case 1 -> "{\"sent_at\":\"2021-01-01T09:15:28Z\"," + ws() + "\"events\":[" + joined + "]}";
        default -> events == 1 ? list.get(0) : "[" + joined + "]";
      };
    }

    private String event(int i, boolean plant) {
      String data = object(0, plant);
      if (plant && !planted) {
        data = "{\"x\":" + switch (r.nextInt(3)) {
          case 0 -> "\"\\ud800\"";
          case 1 -> "1e309";
          default -> "1,\"x\":2";
        } + "}";
      }
      return "{" + ws() + "\"event_id\":\"f" + n + "-" + i + "-"
          // A random tail, so that a mutated id does not land on an earlier body's id.
          + Long.toHexString(r.nextLong() | Long.MIN_VALUE) + "\"," + ws() + "\"session_id\":\"s" + r.nextInt(5)
          + "\",\"category\":\"fuzz\",\"name\":\"n" + r.nextInt(3) + "\",\"timestamp\":\"2021-01-01 09:15:27."
          + (100000 + r.nextInt(900000)) + "\",\"seq\":" + i + ",\"data\":" + ws() + data + ws() + "}";
    }

    private String object(int depth, boolean plant) {
      int fields = r.nextInt(depth == 0 ? 6 : 4);
      StringBuilder b = new StringBuilder("{");
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < fields; i++) {
        String key = "k" + i + string(2);
        keys.add(key);
        b.append(i == 0 ? "" : ",").append(ws()).append('"').append(key).append("\":").append(ws())
            .append(value(depth + 1, plant));
      }
      if (plant && !planted && fields > 0 && r.nextBoolean()) {
        planted = true;
        b.append(",\"").append(keys.get(0)).append("\":1");
      }
      if (fields > 0 && r.nextInt(6) == 0) {
        b.append(',');
      }
      return b.append('}').toString();
    }

    private String value(int depth, boolean plant) {
      int choice = r.nextInt(depth > 4 ? 5 : 8);
      switch (choice) {
        case 0, 1:
          if (plant && !planted && r.nextInt(4) == 0) {
            planted = true;
            return "\"" + string(3) + "\\udc00\"";
          }
          return "\"" + string(1 + r.nextInt(8)) + "\"";
        case 2:
          if (plant && !planted && r.nextInt(4) == 0) {
            planted = true;
            return "-1.0e999";
          }
          return NUMBERS[r.nextInt(NUMBERS.length)];
        case 3:
          return r.nextBoolean() ? "true" : "false";
        case 4:
          return "null";
        case 5:
          return object(depth, plant);
        default:
          int items = r.nextInt(4);
          StringBuilder b = new StringBuilder("[");
          for (int i = 0; i < items; i++) {
            b.append(i == 0 ? "" : ",").append(value(depth + 1, plant));
          }
          return b.append(items > 0 && r.nextInt(6) == 0 ? ",]" : "]").toString();
      }
    }

    private String string(int pieces) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < pieces; i++) {
        b.append(PIECES[r.nextInt(PIECES.length)]);
      }
      return b.toString();
    }

    private String ws() {
      return switch (r.nextInt(6)) {
        case 0 -> " ";
        case 1 -> "\n  ";
        default -> "";
      };
    }

    /** One to three byte-level changes: flips, insertions, deletions, or a cut. */
    byte[] mutate(byte[] body) {
      byte[] out = body;
      for (int m = 1 + r.nextInt(3); m > 0 && out.length > 1; m--) {
        int at = r.nextInt(out.length);
        out = switch (r.nextInt(4)) {
          case 0 -> {
            byte[] copy = out.clone();
            copy[at] = (byte) r.nextInt(256);
            yield copy;
          }
          case 1 -> {
            byte[] copy = new byte[out.length + 1];
            System.arraycopy(out, 0, copy, 0, at);
            copy[at] = (byte) INSERTED.charAt(r.nextInt(INSERTED.length()));
            System.arraycopy(out, at, copy, at + 1, out.length - at);
            yield copy;
          }
          case 2 -> {
            byte[] copy = new byte[out.length - 1];
            System.arraycopy(out, 0, copy, 0, at);
            System.arraycopy(out, at + 1, copy, at, out.length - at - 1);
            yield copy;
          }
          default -> java.util.Arrays.copyOf(out, at);
        };
      }
      return out;
    }
  }
}
