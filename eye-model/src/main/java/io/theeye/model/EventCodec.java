package io.theeye.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The protocol's JSON text helpers: compact serialization of a tree exactly as it is stored, and UTF-8
 * lengths and cuts that never split a character. {@link EventReader} reads request bodies; the client
 * writes them with its own tuned encoder.
 *
 * <pre>{@code
 * String stored = EventCodec.toJson(dataTree);
 * String raw = EventCodec.truncateUtf8(body, EyeProtocol.MAX_RAW_BYTES);
 * }</pre>
 */
public final class EventCodec {

  /** Writes the stored JSON text; package-private: each module owns the mappers it reads with. */
  static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private EventCodec() {}

  /** Serializes a JSON tree compactly. */
  public static String toJson(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** The number of bytes {@code text} takes in UTF-8, without encoding it. */
  public static int utf8Length(CharSequence text) {
    int bytes = 0;
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** Cuts {@code text} to at most {@code maxBytes} UTF-8 bytes, never inside a character. */
  public static String truncateUtf8(String text, int maxBytes) {
    if (text.length() * 3L <= maxBytes || utf8Length(text) <= maxBytes) {
      return text;
    }
    int bytes = 0;
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + len > maxBytes) {
        break;
      }
      bytes += len;
      i += Character.charCount(cp);
    }
    return text.substring(0, i);
  }

  /** Cuts raw bytes to at most {@code maxBytes} and decodes them as UTF-8 (malformed input replaced). */
  public static String truncateUtf8(byte[] body, int maxBytes) {
    int n = Math.min(body.length, maxBytes);
    // Step back off a multi-byte sequence that the cut left incomplete.
    if (n < body.length) {
      int back = 0;
      while (back < 3 && n - back > 0 && (body[n - back - 1] & 0xC0) == 0x80) {
        back++;
      }
      int lead = n - back - 1;
      if (lead >= 0 && (body[lead] & 0xC0) == 0xC0) {
        int b = body[lead] & 0xFF;
        int expected = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
        if (back + 1 < expected) {
          n = lead;
        }
      }
    }
    return new String(body, 0, n, StandardCharsets.UTF_8);
  }
}
