package io.theeye.client.internal;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * The sender's growable byte buffer, reset and refilled for every request body so that assembling a
 * batch allocates only the body it sends. Unsynchronized (one thread uses it), unlike
 * {@code ByteArrayOutputStream}.
 */
final class BodyBuffer extends OutputStream {

  private static final int INITIAL_BYTES = 64 * 1024;
  /** Kept between bodies up to this size: the largest default batch, 512 KiB, fits. */
  private static final int KEEP_BYTES = 1024 * 1024;

  private byte[] buf = new byte[0];
  private int count;

  @Override
  public void write(int b) {
    ensure(1);
    buf[count++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, count, len);
    count += len;
  }

  private void ensure(int more) {
    if (more > buf.length - count) {
      int needed = Math.addExact(count, more);
      buf = Arrays.copyOf(buf, Math.max(needed, Math.max(INITIAL_BYTES, buf.length * 2)));
    }
  }

  int size() {
    return count;
  }

  /** The backing array; its first {@link #size()} bytes are the content. */
  byte[] array() {
    return buf;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, count);
  }

  void reset() {
    count = 0;
  }

  /** Called after each body: lets go of an array grown past what a default batch needs. */
  void release() {
    count = 0;
    if (buf.length > KEEP_BYTES) {
      buf = new byte[0];
    }
  }
}
