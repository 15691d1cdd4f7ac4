package io.theeye.collector.http;

import java.time.Duration;
import java.util.Objects;

/**
 * What the HTTP edge lets one request, and all of them together, hold before it is authenticated and
 * while it is parsed. Memory at the edge is bounded by these, whatever senders declare.
 *
 * @param maxBodyBytes the wire limit of one body
 * @param maxDecodedBytes the decompressed limit of one body
 * @param bodyTimeout how long a body may take to arrive, from its headers to its last byte
 * @param maxReceivingBytes the bytes all bodies being received (and not yet parsed) may hold at once
 * @param maxConcurrentParses how many bodies are decompressed and parsed at once
 * @param parseWait how long a body waits for a parsing slot before it is answered 503
 */
public record EdgeLimits(int maxBodyBytes, int maxDecodedBytes, Duration bodyTimeout, long maxReceivingBytes,
    int maxConcurrentParses, Duration parseWait) {

  /** Checks every limit. */
  public EdgeLimits {
    Objects.requireNonNull(bodyTimeout, "bodyTimeout");
    Objects.requireNonNull(parseWait, "parseWait");
    if (maxBodyBytes <= 0 || maxDecodedBytes <= 0 || maxReceivingBytes <= 0 || maxConcurrentParses <= 0) {
      throw new IllegalArgumentException("every edge limit must be positive");
    }
    if (bodyTimeout.isNegative() || bodyTimeout.isZero()) {
      throw new IllegalArgumentException("bodyTimeout must be positive");
    }
  }
}
