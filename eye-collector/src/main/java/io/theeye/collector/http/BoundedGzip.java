package io.theeye.collector.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Decompresses a gzip body without ever holding more than the decoded limit: a gzip bomb stops being
 * inflated at {@code limit + 1} bytes.
 */
final class BoundedGzip {

  /** The body inflates to more than the limit. */
  static final class TooLargeException extends Exception {
    TooLargeException() {
      super(null, null, false, false);
    }
  }

  private BoundedGzip() {}

  /**
   * Inflates {@code compressed}.
   *
   * @throws TooLargeException when the result would exceed {@code limit} bytes
   * @throws IOException when the body is not valid gzip
   */
  static byte[] decode(byte[] compressed, int limit) throws TooLargeException, IOException {
    // Start near a typical JSON compression ratio; grow by doubling, never past limit + 1.
    int initial = (int) Math.min((long) limit + 1, Math.max(8192L, compressed.length * 8L));
    byte[] buffer = new byte[initial];
    int size = 0;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed), 8192)) {
      while (true) {
        if (size == buffer.length) {
          if (size > limit) {
            throw new TooLargeException();
          }
          buffer = Arrays.copyOf(buffer, (int) Math.min((long) limit + 1, buffer.length * 2L));
        }
        int n = in.read(buffer, size, buffer.length - size);
        if (n < 0) {
          break;
        }
        size += n;
        if (size > limit) {
          throw new TooLargeException();
        }
      }
    }
    return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
  }
}
