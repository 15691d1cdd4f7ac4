package io.theeye.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class Uuid7Test {

  @Test
  void isAVersion7VariantRfcUuid() {
    UUID uuid = UUID.fromString(Uuid7.next());
    assertThat(uuid.version()).isEqualTo(7);
    assertThat(uuid.variant()).isEqualTo(2);
    assertThat(Uuid7.nextUuid().version()).isEqualTo(7);
  }

  @Test
  void carriesTheCurrentTimeInMilliseconds() {
    long before = System.currentTimeMillis();
    UUID uuid = UUID.fromString(Uuid7.next());
    long after = System.currentTimeMillis();
    long millis = uuid.getMostSignificantBits() >>> 16;
    // The counter may run a few milliseconds ahead under a burst; never behind.
    assertThat(millis).isBetween(before, after + 100);
  }

  @Test
  void idsFromOneProcessSortInTheOrderTheyWereMade() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      ids.add(Uuid7.next());
    }
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    assertThat(new HashSet<>(ids)).hasSize(ids.size());
  }

  @Test
  void aClockStepBackStillCountsUp() {
    AtomicLong last = new AtomicLong();
    long first = Uuid7.nextMostSignificant(last, 4_000_000_000_000L);
    long second = Uuid7.nextMostSignificant(last, 3_000_000_000_000L);
    assertThat(Long.compareUnsigned(second, first)).isPositive();
  }
}
