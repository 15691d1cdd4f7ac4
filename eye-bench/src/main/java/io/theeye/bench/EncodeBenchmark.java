package io.theeye.bench;

import io.theeye.client.internal.EventEncoder;
import io.theeye.model.Uuid7;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH: the client's {@link EventEncoder#encode} of one realistic event, the serialization {@code track()}
 * does on the caller's thread (time stamp formatting and the event id's text included), without the
 * client's queueing or its sender competing for the cores.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EncodeBenchmark {

  private SampleEvents.Pool events;
  private long seq;

  /** Prepares a thousand realistic events. */
  @Setup
  public void setUp() {
    events = SampleEvents.Pool.of(1024, 5);
  }

  /** One event, as {@code track()} serializes it: a new UUIDv7, now, the next seq. */
  @Benchmark
  public EventEncoder.Encoded encode() throws Exception {
    int i = (int) (seq & 1023);
    return EventEncoder.encode(Uuid7.next(), events.sessions()[i], events.categories()[i], events.names()[i],
        events.data().get(i), Instant.now(), seq++);
  }
}
