package io.theeye.collector.storage.postgres;

import static java.time.temporal.ChronoField.DAY_OF_MONTH;
import static java.time.temporal.ChronoField.HOUR_OF_DAY;
import static java.time.temporal.ChronoField.MICRO_OF_SECOND;
import static java.time.temporal.ChronoField.MINUTE_OF_HOUR;
import static java.time.temporal.ChronoField.MONTH_OF_YEAR;
import static java.time.temporal.ChronoField.SECOND_OF_MINUTE;
import static java.time.temporal.ChronoField.YEAR_OF_ERA;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.SignStyle;

/**
 * Instants as PostgreSQL {@code timestamptz} input text, exact to the microsecond. Text rather than
 * epoch arithmetic because {@code interval * bigint} goes through a double and loses microseconds far
 * from 1970; the era suffix because PostgreSQL has no year 0 (Java's year 0 is 1 BC).
 *
 * <p>Public only for the benchmark's {@code COPY} preload, which writes the same text: internal, not for
 * public use.
 */
public final class PgTimestamps {

  private static final DateTimeFormatter FORMAT = new java.time.format.DateTimeFormatterBuilder()
      .appendValue(YEAR_OF_ERA, 4, 9, SignStyle.NORMAL).appendLiteral('-')
      .appendValue(MONTH_OF_YEAR, 2).appendLiteral('-')
      .appendValue(DAY_OF_MONTH, 2).appendLiteral(' ')
      .appendValue(HOUR_OF_DAY, 2).appendLiteral(':')
      .appendValue(MINUTE_OF_HOUR, 2).appendLiteral(':')
      .appendValue(SECOND_OF_MINUTE, 2).appendLiteral('.')
      .appendValue(MICRO_OF_SECOND, 6)
      .appendLiteral("+00")
      .toFormatter();

  private PgTimestamps() {}

  /** {@code 2021-01-01 09:15:27.243860+00}, or {@code 0001-12-31 23:00:00.000000+00 BC}. */
  public static String format(Instant instant) {
    LocalDateTime utc = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    String text = FORMAT.format(utc);
    return utc.getYear() < 1 ? text + " BC" : text;
  }
}
