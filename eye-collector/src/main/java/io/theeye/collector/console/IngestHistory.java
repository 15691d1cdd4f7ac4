package io.theeye.collector.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Events accepted, rejected and found duplicate in each second of the last hour, sampled once a second
 * from the collector's own counters (so the chart and {@code /metrics} agree). Kept in memory: after a
 * restart the chart starts empty.
 */
final class IngestHistory implements AutoCloseable {

  /** Seconds of history: {@value}. */
  static final int SECONDS = 3600;

  /** The counters summed over their labels, in series order. */
  static final List<String> COUNTERS = List.of("eye.events.accepted", "eye.events.rejected", "eye.events.duplicates");

  private final MeterRegistry registry;
  private final Clock clock;
  private final long[][] perSecond = new long[COUNTERS.size()][SECONDS];
  private final long[] slotSecond = new long[SECONDS];
  private final long[] lastTotals = new long[COUNTERS.size()];
  private final ScheduledExecutorService sampler;

  IngestHistory(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "eye-console-history");
      t.setDaemon(true);
      return t;
    });
    for (int i = 0; i < COUNTERS.size(); i++) {
      lastTotals[i] = total(COUNTERS.get(i));
    }
    sampler.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
  }

  /** The sum of a counter over all its label values. */
  long total(String counter) {
    return (long) registry.find(counter).counters().stream().mapToDouble(Counter::count).sum();
  }

  private synchronized void sample() {
    long second = clock.millis() / 1000 - 1;
    int slot = (int) Math.floorMod(second, (long) SECONDS);
    boolean same = slotSecond[slot] == second;
    slotSecond[slot] = second;
    for (int i = 0; i < COUNTERS.size(); i++) {
      long now = total(COUNTERS.get(i));
      perSecond[i][slot] = (same ? perSecond[i][slot] : 0) + (now - lastTotals[i]);
      lastTotals[i] = now;
    }
  }

  /**
   * The last hour, oldest first, ending with the last whole second.
   *
   * @return the epoch second of the first entry and one array per counter of {@link #COUNTERS}
   */
  synchronized Series series() {
    long last = clock.millis() / 1000 - 1;
    long first = last - SECONDS + 1;
    long[][] out = new long[COUNTERS.size()][SECONDS];
    for (int k = 0; k < SECONDS; k++) {
      long second = first + k;
      int slot = (int) Math.floorMod(second, (long) SECONDS);
      if (slotSecond[slot] == second) {
        for (int i = 0; i < COUNTERS.size(); i++) {
          out[i][k] = perSecond[i][slot];
        }
      }
    }
    return new Series(first, out[0], out[1], out[2]);
  }

  /** Per-second counts from {@code firstSecond} on. */
  record Series(long firstSecond, long[] accepted, long[] rejected, long[] duplicates) {}

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
