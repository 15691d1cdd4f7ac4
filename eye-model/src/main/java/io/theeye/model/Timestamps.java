package io.theeye.model;

import static java.time.temporal.ChronoField.DAY_OF_MONTH;
import static java.time.temporal.ChronoField.HOUR_OF_DAY;
import static java.time.temporal.ChronoField.MINUTE_OF_HOUR;
import static java.time.temporal.ChronoField.MONTH_OF_YEAR;
import static java.time.temporal.ChronoField.NANO_OF_SECOND;
import static java.time.temporal.ChronoField.OFFSET_SECONDS;
import static java.time.temporal.ChronoField.SECOND_OF_MINUTE;
import static java.time.temporal.ChronoField.YEAR;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;

/**
 * Parses and formats event timestamps as the protocol defines them.
 *
 * <p>Accepted forms: {@code YYYY-MM-DD HH:MM:SS[.f…]} (always UTC) and ISO-8601 {@code
 * YYYY-MM-DDTHH:MM:SS[.f…][Z|±HH:MM]} (no offset means UTC), with up to nine fraction digits that are
 * truncated, not rounded, to the microsecond. Dates and times that do not exist (month 13, February 30,
 * hour 24, second 60) are rejected.
 *
 * <p>The storage form, {@link #format(Instant)}, is {@code YYYY-MM-DD HH:MM:SS.ffffff} in UTC: fixed
 * width, so text order is time order.
 */
public final class Timestamps {

  private static final int MAX_LENGTH = 40;

  private static final DateTimeFormatter SPACE_FORM = base(' ').toFormatter()
      .withResolverStyle(ResolverStyle.STRICT).withChronology(IsoChronology.INSTANCE);

  private static final DateTimeFormatter ISO_FORM = base('T')
      .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
      .toFormatter()
      .withResolverStyle(ResolverStyle.STRICT).withChronology(IsoChronology.INSTANCE);

  private static final DateTimeFormatter STORAGE_FORM =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  private static DateTimeFormatterBuilder base(char separator) {
    return new DateTimeFormatterBuilder()
        .appendValue(YEAR, 4).appendLiteral('-')
        .appendValue(MONTH_OF_YEAR, 2).appendLiteral('-')
        .appendValue(DAY_OF_MONTH, 2).appendLiteral(separator)
        .appendValue(HOUR_OF_DAY, 2).appendLiteral(':')
        .appendValue(MINUTE_OF_HOUR, 2).appendLiteral(':')
        .appendValue(SECOND_OF_MINUTE, 2)
        .optionalStart().appendFraction(NANO_OF_SECOND, 1, 9, true).optionalEnd();
  }

  private Timestamps() {}

  /**
   * Parses a timestamp in either accepted form.
   *
   * @return the instant, truncated to the microsecond
   * @throws InvalidTimestampException when the text is not an accepted form or not a real date/time
   */
  public static Instant parse(String text) {
    if (text == null) {
      throw new InvalidTimestampException("timestamp is missing");
    }
    if (text.length() < 19 || text.length() > MAX_LENGTH) {
      throw new InvalidTimestampException(
          "timestamp \"" + abbreviate(text) + "\" is not YYYY-MM-DD HH:MM:SS[.ffffff] or ISO-8601");
    }
    char separator = text.charAt(10);
    DateTimeFormatter formatter;
    if (separator == ' ') {
      formatter = SPACE_FORM;
    } else if (separator == 'T') {
      formatter = ISO_FORM;
    } else {
      throw new InvalidTimestampException(
          "timestamp \"" + text + "\" is not YYYY-MM-DD HH:MM:SS[.ffffff] or ISO-8601");
    }
    try {
      TemporalAccessor parsed = formatter.parse(text);
      LocalDateTime local = LocalDateTime.from(parsed);
      ZoneOffset offset = parsed.isSupported(OFFSET_SECONDS)
          ? ZoneOffset.ofTotalSeconds(parsed.get(OFFSET_SECONDS))
          : ZoneOffset.UTC;
      return local.toInstant(offset).truncatedTo(ChronoUnit.MICROS);
    } catch (DateTimeException e) {
      throw new InvalidTimestampException("timestamp \"" + text + "\" is not a valid date/time: "
          + e.getMessage());
    }
  }

  /** Formats an instant in the storage form {@code YYYY-MM-DD HH:MM:SS.ffffff} (UTC, microseconds). */
  public static String format(Instant instant) {
    char[] out = new char[26];
    return format(instant, out) ? new String(out) : STORAGE_FORM.format(instant);
  }

  /**
   * Writes the storage form of {@code instant} into {@code out[0..26)}, for a caller that reuses the
   * array (the client's event encoder); returns false (having written nothing usable) when the year is
   * not 0000-9999.
   */
  public static boolean format(Instant instant, char[] out) {
    // Every event is stamped on the client's hot path: write the fixed-width digits directly instead
    // of going through DateTimeFormatter, which costs several times more.
    LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
    int year = t.getYear();
    if (year < 0 || year > 9999) {
      return false;
    }
    digits(out, 0, year, 4);
    out[4] = '-';
    digits(out, 5, t.getMonthValue(), 2);
    out[7] = '-';
    digits(out, 8, t.getDayOfMonth(), 2);
    out[10] = ' ';
    digits(out, 11, t.getHour(), 2);
    out[13] = ':';
    digits(out, 14, t.getMinute(), 2);
    out[16] = ':';
    digits(out, 17, t.getSecond(), 2);
    out[19] = '.';
    formatMicros(t.getNano(), out);
    return true;
  }

  /**
   * Rewrites only the six fraction digits of a storage form already in {@code out[0..26)}: for an
   * instant in the same second as the one {@link #format(Instant, char[])} wrote there.
   */
  public static void formatMicros(int nanoOfSecond, char[] out) {
    digits(out, 20, nanoOfSecond / 1000, 6);
  }

  private static void digits(char[] out, int offset, int value, int width) {
    for (int i = offset + width - 1; i >= offset; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /** Normalizes a timestamp: {@code format(parse(text))}. */
  public static String normalize(String text) {
    return format(parse(text));
  }

  private static String abbreviate(String text) {
    return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH) + "…";
  }

  /** The timestamp text is not an accepted form or not a real date/time. */
  public static final class InvalidTimestampException extends IllegalArgumentException {
    InvalidTimestampException(String message) {
      super(message);
    }
  }
}
