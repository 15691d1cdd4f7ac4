package io.theeye.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AnalyticsDocTest {

  @Test
  void namedQueryParametersAreFoundOutsideStringLiteralsAndComments() {
    assertThat(AnalyticsDoc.parameterNames(
        "SELECT strftime('%H:%M', x), ':quoted' FROM t WHERE a = :from AND b = :to AND c = :from -- :ignored"))
        .containsExactly("from", "to");
  }

  @Test
  void everyDocumentedQueryIsFoundByName() throws Exception {
    assertThat(AnalyticsDoc.load(NewcomerPathIT.ANALYTICS_DOC).names()).contains(
        "session-timeline", "category-in-range", "time-range", "rejections-last-hour", "latest-rejections",
        "rejected-share-last-hour");
  }
}
