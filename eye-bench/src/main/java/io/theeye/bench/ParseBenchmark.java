package io.theeye.bench;

import io.theeye.model.EventReader;
import io.theeye.model.MalformedBodyException;
import io.theeye.model.ParsedBatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH: eye-model's {@link EventReader#parse} of one 100-event request body, the collector's per-request
 * decoding cost (JSON tree, field checks, timestamp parsing, data re-serialization).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ParseBenchmark {

  private final EventReader codec = EventReader.withDefaults();
  private byte[] body;

  /** Builds a realistic 100-event body, the same as the load generator sends. */
  @Setup
  public void setUp() {
    body = new BatchFactory(100, 1, 3).next(System.currentTimeMillis() * 1000L);
  }

  /** Parses the body. */
  @Benchmark
  public ParsedBatch parse100() throws MalformedBodyException {
    return codec.parse(body);
  }
}
