package io.theeye.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.examples.Step.Expect;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TrafficTest {

  private static List<Step> steps(List<String> sites, int n) {
    Traffic traffic = new Traffic(sites.stream().map(Site::profile).toList(), new Random(42));
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      steps.add(traffic.next());
    }
    return steps;
  }

  @Test
  void aSmallFixedShareOfEventsIsBadOnPurpose() {
    List<Step> steps = steps(List.of("shop", "blog"), 1200);
    Map<Expect, Long> counts = steps.stream().collect(Collectors.groupingBy(Step::expect, Collectors.counting()));
    assertThat(counts.get(Expect.SCHEMA_VIOLATION)).isEqualTo(1200 / Traffic.SCHEMA_VIOLATION_EVERY);
    assertThat(counts.get(Expect.FUTURE_TIMESTAMP)).isBetween(15L, 1200L / Traffic.FUTURE_TIMESTAMP_EVERY);
    assertThat(steps.get(Traffic.FIRST_SCHEMA_VIOLATION).expect()).isEqualTo(Expect.SCHEMA_VIOLATION);
    assertThat(steps.get(Traffic.FIRST_FUTURE_TIMESTAMP).expect()).isEqualTo(Expect.FUTURE_TIMESTAMP);
  }

  @Test
  void schemaViolationsBreakTheShippedSchemasRules() {
    for (Step s : steps(List.of("shop", "blog"), 1200)) {
      if (s.expect() != Expect.SCHEMA_VIOLATION) {
        assertThat(s.data().get("host")).isInstanceOf(String.class);
        assertThat(s.data().get("path")).isInstanceOf(String.class);
        if (s.name().equals("cta click")) {
          assertThat(s.data().get("element")).isInstanceOf(String.class);
        }
        if (s.name().equals("submit")) {
          assertThat(s.data().get("form")).isInstanceOf(Map.class);
        }
        continue;
      }
      switch (s.name()) {
        case "cta click" -> assertThat(s.data()).doesNotContainKey("element");
        case "submit" -> assertThat(s.data().get("form")).isInstanceOf(String.class);
        default -> assertThat(s.data().get("path")).isInstanceOf(Integer.class);
      }
    }
  }

  @Test
  void aDoubleSubmitRepeatsTheFormWithTheSameEventIdRightAway() {
    List<Step> steps = steps(List.of("shop", "blog"), 1200);
    int duplicates = 0;
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).expect() == Expect.DUPLICATE) {
        duplicates++;
        Step first = steps.get(i - 1);
        assertThat(first.expect()).isEqualTo(Expect.STORED);
        assertThat(first.eventId()).isNotNull().isEqualTo(steps.get(i).eventId());
        assertThat(first.sessionId()).isEqualTo(steps.get(i).sessionId());
        assertThat(first.name()).isEqualTo("submit");
      }
    }
    assertThat(duplicates).isPositive();
  }

  @Test
  void someSessionsSpanBothSitesAndNoneDoesWithOneSite() {
    Map<String, Set<String>> sitesBySession = steps(List.of("shop", "blog"), 1200).stream()
        .collect(Collectors.groupingBy(Step::sessionId, Collectors.mapping(s -> s.site().name(), Collectors.toSet())));
    assertThat(sitesBySession.values()).anyMatch(sites -> sites.size() == 2);
    assertThat(steps(List.of("shop"), 300)).noneMatch(Step::shared);
  }
}
