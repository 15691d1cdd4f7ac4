package io.theeye.collector.http;

import io.undertow.util.HeaderValues;
import java.util.Locale;

/** The two header checks that come first on {@code POST /v1/events} (both answer 415). */
final class MediaTypes {

  /** What the body is encoded with. */
  enum Encoding {
    /** As is ({@code Content-Encoding} absent, empty, or {@code identity}). */
    NONE,
    /** {@code Content-Encoding: gzip}. */
    GZIP
  }

  private MediaTypes() {}

  /**
   * Whether {@code contentType} is {@code application/json}, compared case-insensitively, with no
   * parameter other than {@code charset=utf-8} (the JSON media type has no other meaningful one).
   */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String[] parts = contentType.split(";", -1);
    if (!parts[0].trim().equalsIgnoreCase("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim();
      if (parameter.isEmpty()) {
        continue;
      }
      int eq = parameter.indexOf('=');
      if (eq < 0) {
        return false;
      }
      String name = parameter.substring(0, eq).trim();
      String value = parameter.substring(eq + 1).trim();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      if (!name.equalsIgnoreCase("charset") || !value.equalsIgnoreCase("utf-8")) {
        return false;
      }
    }
    return true;
  }

  /**
   * The body's encoding, or {@code null} when it is one the collector does not accept. {@code gzip} is
   * the only real encoding; {@code identity} (RFC 9110's name for "no encoding") is tolerated anywhere
   * in the list, and {@code gzip} may appear once.
   */
  static Encoding encoding(HeaderValues values) {
    if (values == null) {
      return Encoding.NONE;
    }
    int gzip = 0;
    for (String value : values) {
      for (String token : value.split(",", -1)) {
        String coding = token.trim().toLowerCase(Locale.ROOT);
        if (coding.isEmpty() || coding.equals("identity")) {
          continue;
        }
        if (!coding.equals("gzip")) {
          return null;
        }
        gzip++;
      }
    }
    return switch (gzip) {
      case 0 -> Encoding.NONE;
      case 1 -> Encoding.GZIP;
      default -> null;
    };
  }
}
