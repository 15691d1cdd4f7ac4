package io.theeye.collector.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentSessionKeysTest {

  final AtomicLong now = new AtomicLong(1_000);
  final RecentSessionKeys keys = new RecentSessionKeys(now::get);

  @Test
  void remembersASessionWithinItsGeneration() {
    keys.put("s-1", 7);
    keys.putAll(Map.of("s-2", 8L));

    assertThat(keys.get("s-1")).isEqualTo(7L);
    assertThat(keys.get("s-2")).isEqualTo(8L);
    assertThat(keys.get("s-3")).isNull();
  }

  @Test
  void forgetsASessionThatDoesNotSendForTwoGenerations() {
    keys.put("quiet", 1);
    keys.put("busy", 2);

    passGeneration();
    assertThat(keys.get("quiet")).isEqualTo(1L);
    assertThat(keys.get("busy")).isEqualTo(2L);

    passGeneration();
    // "busy" was looked up in the previous generation, and so moved to the current one: it stays.
    assertThat(keys.get("busy")).isEqualTo(2L);
    passGeneration();
    passGeneration();
    assertThat(keys.get("quiet")).isNull();
    assertThat(keys.get("busy")).isNull();
  }

  @Test
  void aGenerationEndsOnlyOnceItHasLasted() {
    keys.put("s-1", 1);
    now.addAndGet(RecentSessionKeys.GENERATION_NANOS - 1);
    keys.tick();
    keys.tick();
    keys.tick();

    assertThat(keys.get("s-1")).isEqualTo(1L);
    assertThat(keys.size()).isEqualTo(1);
  }

  @Test
  void aFullGenerationEndsEarly() {
    keys.put("first", 1);
    for (int i = 1; i < RecentSessionKeys.GENERATION_SIZE; i++) {
      keys.put("s-" + i, i);
    }
    assertThat(keys.size()).isEqualTo(RecentSessionKeys.GENERATION_SIZE);

    // The generation is full: this one starts the next, and the full one becomes the previous.
    keys.put("one more", 0);
    assertThat(keys.size()).isEqualTo(RecentSessionKeys.GENERATION_SIZE + 1);
    for (int i = 0; i < RecentSessionKeys.GENERATION_SIZE; i++) {
      keys.put("t-" + i, i);
    }
    // Two generations at most, whatever arrives: memory stays bounded.
    assertThat(keys.size()).isLessThanOrEqualTo(2 * RecentSessionKeys.GENERATION_SIZE);
    assertThat(keys.get("first")).isNull();
  }

  @Test
  void clearForgetsEverything() {
    keys.put("s-1", 1);
    passGeneration();
    keys.put("s-2", 2);

    keys.clear();

    assertThat(keys.get("s-1")).isNull();
    assertThat(keys.get("s-2")).isNull();
    assertThat(keys.size()).isZero();
  }

  private void passGeneration() {
    now.addAndGet(RecentSessionKeys.GENERATION_NANOS);
    keys.tick();
  }
}
