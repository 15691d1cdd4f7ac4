package io.theeye.bench;

import io.theeye.model.EventCodec;
import io.theeye.model.Uuid7;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH: eye-model's {@link EventCodec#encode} of one realistic event, the serialization {@code track()}
 * does on the caller's thread (time stamp formatting and the event id's text included), without the
 * client's queueing or its sender competing for the cores.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EncodeBenchmark {

  private String[] sessions;
  private String[] categories;
  private String[] names;
  private List<Map<String, Object>> data;
  private long seq;

  /** Prepares a thousand realistic events. */
  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(5);
    sessions = new String[1024];
    categories = new String[1024];
    names = new String[1024];
    data = new ArrayList<>(1024);
    String session = SampleEvents.sessionId(random);
    for (int i = 0; i < 1024; i++) {
      if (random.nextInt(20) == 0) {
        session = SampleEvents.sessionId(random);
      }
      SampleEvents.Sample s = SampleEvents.next(random);
      sessions[i] = session;
      categories[i] = s.category();
      names[i] = s.name();
      data.add(new LinkedHashMap<>(s.data()));
    }
  }

  /** One event, as {@code track()} serializes it: a new UUIDv7, now, the next seq. */
  @Benchmark
  public EventCodec.EncodedEvent encode() throws Exception {
    int i = (int) (seq & 1023);
    return EventCodec.encode(Uuid7.next(), sessions[i], categories[i], names[i], data.get(i), Instant.now(),
        seq++);
  }
}
