package io.theeye.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {

  @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
  @CsvSource(delimiter = '|', value = {
      // the brief's form, always UTC
      "2021-01-01 09:15:27.243860     | 2021-01-01 09:15:27.243860",
      "2021-01-01 09:15:27            | 2021-01-01 09:15:27.000000",
      "2021-01-01 09:15:27.2          | 2021-01-01 09:15:27.200000",
      "2021-01-01 09:15:27.243        | 2021-01-01 09:15:27.243000",
      // nine digits are read, then truncated (not rounded) to the microsecond
      "2021-01-01 09:15:27.243860999  | 2021-01-01 09:15:27.243860",
      "2021-01-01 09:15:27.9999999    | 2021-01-01 09:15:27.999999",
      // ISO-8601; no offset means UTC
      "2021-01-01T09:15:27.243860     | 2021-01-01 09:15:27.243860",
      "2021-01-01T09:15:27Z           | 2021-01-01 09:15:27.000000",
      "2021-01-01T09:15:27.5Z         | 2021-01-01 09:15:27.500000",
      // offsets are normalized to UTC, across midnight and the year
      "2021-01-01T09:15:27.243860+02:00 | 2021-01-01 07:15:27.243860",
      "2021-01-01T01:00:00-05:30      | 2021-01-01 06:30:00.000000",
      "2021-01-01T01:00:00+02:00      | 2020-12-31 23:00:00.000000",
      "2021-01-01T00:00:00.123456789+00:00 | 2021-01-01 00:00:00.123456",
      // real edge dates
      "2020-02-29 23:59:59.999999     | 2020-02-29 23:59:59.999999",
      "1970-01-01 00:00:00            | 1970-01-01 00:00:00.000000",
      "1969-12-31 23:59:59.5          | 1969-12-31 23:59:59.500000",
  })
  void acceptedFormsNormalize(String text, String expected) {
    assertThat(Timestamps.normalize(text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" is invalid")
  @ValueSource(strings = {
      "",
      "2021-01-01",
      "2021-13-01 09:15:27",          // month 13
      "2021-00-10 09:15:27",          // month 0
      "2021-02-30 09:15:27",          // February 30
      "2021-02-29 09:15:27",          // not a leap year
      "2021-04-31 09:15:27",          // April has 30 days
      "2021-01-01 24:00:00",          // hour 24
      "2021-01-01 23:60:00",          // minute 60
      "2021-01-01 23:59:60",          // leap second
      "2021-01-01 09:15:27.",         // dot without digits
      "2021-01-01 09:15:27.1234567890", // ten fraction digits
      "2021-01-01 09:15:27Z",         // the space form carries no offset
      "2021-01-01 09:15:27+02:00",
      "2021-01-01T09:15:27+2:00",     // offset must be ±HH:MM
      "2021-01-01T09:15:27+0200",
      "2021-01-01T09:15",             // seconds are required
      "2021/01/01 09:15:27",
      "21-01-01 09:15:27",
      "12021-01-01 09:15:27",
      "2021-1-01 09:15:27",
      "2021-01-01_09:15:27",
      "2021-01-01t09:15:27",
      " 2021-01-01 09:15:27",
      "2021-01-01 09:15:27 ",
      "yesterday at noon, more or less",
      "1609492527",
  })
  void rejectedFormsAreInvalidTimestamps(String text) {
    assertThatThrownBy(() -> Timestamps.parse(text))
        .isInstanceOf(Timestamps.InvalidTimestampException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2021-13-01 09:15:27", "2021-02-30 09:15:27", "2021-01-01 24:00:00", "not a time"})
  void rejectedTimestampsBecomeInvalidTimestampRejections(String text) throws Exception {
    String body = "{\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"" + text + "\"}";
    ParsedEvent e = EventReader.withDefaults().parse(body.getBytes(StandardCharsets.UTF_8)).events().get(0);
    assertThat(e).isInstanceOfSatisfying(ParsedEvent.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(Reason.INVALID_TIMESTAMP);
      assertThat(r.detail()).contains(text);
    });
  }

  @org.junit.jupiter.api.Test
  void formatIsFixedWidthSoTextOrderIsTimeOrder() {
    assertThat(Timestamps.format(Instant.parse("2021-01-01T09:15:27Z"))).isEqualTo("2021-01-01 09:15:27.000000");
    assertThat(Timestamps.format(Instant.parse("2021-01-01T09:15:27.000000999Z")))
        .isEqualTo("2021-01-01 09:15:27.000000");
    assertThat(Timestamps.format(Instant.parse("2021-01-01T09:15:27.1Z")))
        .isLessThan(Timestamps.format(Instant.parse("2021-01-01T09:15:27.11Z")));
  }

  @org.junit.jupiter.api.Test
  void formatAgreesWithDateTimeFormatterAcrossTheYears() {
    java.time.format.DateTimeFormatter reference =
        java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS").withZone(java.time.ZoneOffset.UTC);
    java.util.Random random = new java.util.Random(42);
    long max = Instant.parse("9999-12-31T23:59:59.999999999Z").getEpochSecond();
    for (int i = 0; i < 100_000; i++) {
      Instant t = Instant.ofEpochSecond(Math.floorMod(random.nextLong(), max + 1), random.nextInt(1_000_000_000));
      assertThat(Timestamps.format(t)).isEqualTo(reference.format(t));
    }
    assertThat(Timestamps.format(Instant.parse("0000-01-01T00:00:00Z"))).isEqualTo("0000-01-01 00:00:00.000000");
    assertThat(Timestamps.format(Instant.parse("1969-12-31T23:59:59.999999999Z")))
        .isEqualTo("1969-12-31 23:59:59.999999");
  }
}
