package io.theeye.bench;

import io.theeye.client.EyeClient;
import io.theeye.client.OutboxStatus;
import java.nio.file.Path;

/**
 * The Eye's client behind the benchmark's {@link ClientRunner.Tracker}: its defaults (batches of 500,
 * gzip over 4 KiB, 4 batches in flight, its own TCP_NODELAY sockets), except a queue big enough for the
 * whole run. Segment's queue is unbounded by default; with The Eye's default of 10,000 events, a loop
 * of 200,000 calls far faster than any network would mostly measure drops, not delivery.
 */
final class EyeTracker implements ClientRunner.Tracker {

  private final EyeClient eye;

  private EyeTracker(EyeClient eye) {
    this.eye = eye;
  }

  /**
   * A client for {@code capacity} events in flight at most; {@code gzipThreshold} overrides the
   * client's own when not {@code null}; with an {@code outbox} directory, its outbox is on (bounded at
   * 2 GiB, so that no event of the run is dropped for room).
   */
  static ClientRunner.Tracker create(String baseUrl, String keyId, String secret, int capacity,
      Integer gzipThreshold, Path outbox) {
    EyeClient.Builder builder = EyeClient.builder()
        .endpoint(baseUrl)
        .keyId(keyId)
        .secret(secret)
        .maxQueueEvents(capacity)
        .maxQueueBytes(capacity * 1024L);
    if (gzipThreshold != null) {
      builder.gzipThreshold(gzipThreshold);
    }
    if (outbox != null) {
      builder.outbox(outbox).outboxMaxBytes(2L << 30);
    }
    return new EyeTracker(builder.build());
  }

  @Override
  public void track(ClientRunner.Sample s) {
    eye.track(s.sessionId(), s.category(), s.name(), s.data());
  }

  @Override
  public void flush() {
    eye.flush();
  }

  @Override
  public long dropped() {
    return eye.counters().droppedTotal();
  }

  @Override
  public long diskBytesWritten() {
    return eye.outbox().map(OutboxStatus::bytesWritten).orElse(0L);
  }

  @Override
  public void close() {
    eye.close();
  }
}
