package io.theeye.model;

import java.util.Objects;

/**
 * One event's JSON text exactly as it was received: a range of the request body, turned into text only
 * when a rejected row needs it.
 */
public final class RawJson {
  private final byte[] body;
  private final int offset;
  private final int length;

  RawJson(byte[] body, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, body.length);
    this.body = body;
    this.offset = offset;
    this.length = length;
  }

  /** The text as sent, cut to at most {@link EyeProtocol#MAX_RAW_BYTES} bytes, never inside a character. */
  public String text() {
    byte[] range = offset == 0 && length == body.length ? body : java.util.Arrays.copyOfRange(body, offset,
        offset + Math.min(length, EyeProtocol.MAX_RAW_BYTES + 4));
    return EventCodec.truncateUtf8(range, EyeProtocol.MAX_RAW_BYTES);
  }

  /** The number of bytes as sent. */
  public int length() {
    return length;
  }

  @Override
  public String toString() {
    return text();
  }
}
