package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Grafana dashboard and the Prometheus alert rules in {@code deploy/} parse, and every metric they
 * use is in the {@code /metrics} output of a real collector that has seen the traffic that creates each
 * series (accepted, rejected, duplicate events, auth failures, a refused request).
 */
@Timeout(60)
class DeployFilesTest extends CollectorTestSupport {

  static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "eye-collector.json");
  static final Path ALERTS = Path.of("..", "deploy", "prometheus", "eye-alerts.yml");
  /** A metric name in PromQL: the collector's own series and the JVM's. */
  private static final Pattern METRIC = Pattern.compile("\\b(?:eye|jvm|process)_[a-z0-9_]+\\b");

  @Override
  protected Collector.Builder builder() {
    return ConsoleTraffic.keys(Collector.builder().port(0).db(db()));
  }

  private static JsonNode dashboard() throws Exception {
    return new ObjectMapper().readTree(DASHBOARD.toFile());
  }

  private static JsonNode alerts() throws Exception {
    return new YAMLMapper().readTree(ALERTS.toFile());
  }

  /** Every PromQL expression of both files. */
  private static List<String> expressions() throws Exception {
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : dashboard().path("panels")) {
      panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
    }
    for (JsonNode variable : dashboard().path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        exprs.add(variable.path("definition").asText());
      }
    }
    for (JsonNode group : alerts().path("groups")) {
      group.path("rules").forEach(r -> exprs.add(r.path("expr").asText()));
    }
    return exprs;
  }

  /** The metric names of a Prometheus text exposition. */
  private static Set<String> exposed(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  @Test
  void everyMetricTheDashboardAndTheAlertsUseIsInTheCollectorsMetrics() throws Exception {
    Collector collector = start();
    new ConsoleTraffic().send(new TestSender(collector));
    // A receiving budget smaller than one body: the request is refused, which creates that series.
    Collector tight = start(b -> b.db(tempDir.resolve("tight.db").toString()).maxReceivingBytes(16));
    TestSender.Answer refused = new TestSender(tight).post(ConsoleTraffic.SHOP_NEW_KEY, ConsoleTraffic.SECRET,
        TestSender.batch(TestSender.pageview(null, "s-1", "2021-01-01 09:15:27.243860")));
    assertThat(refused.status()).isEqualTo(503);

    Set<String> exposed = exposed(new TestSender(collector).get("/metrics").body());
    exposed.addAll(exposed(new TestSender(tight).get("/metrics").body()));
    List<String> exprs = expressions();
    assertThat(exprs).hasSizeGreaterThan(15);
    Set<String> used = new TreeSet<>();
    for (String expr : exprs) {
      Matcher m = METRIC.matcher(expr);
      int found = 0;
      while (m.find()) {
        used.add(m.group());
        found++;
      }
      assertThat(found).as("a metric in: " + expr).isPositive();
    }
    assertThat(exposed).as("metrics the collector exposes").containsAll(used);
    assertThat(used).contains("eye_events_rejected_total", "eye_requests_total", "eye_writer_commit_seconds",
        "eye_queue_depth", "eye_queue_capacity", "eye_auth_failures_total", "eye_requests_refused_total",
        "eye_sqlite_wal_bytes", "eye_sqlite_checkpoints_total");
  }

  @Test
  void theAlertRulesParseAndCoverWhatAnOperatorMustHear() throws Exception {
    JsonNode rules = alerts().path("groups").get(0).path("rules");
    Set<String> names = new TreeSet<>();
    for (JsonNode rule : rules) {
      names.add(rule.path("alert").asText());
      assertThat(rule.path("expr").asText()).isNotBlank();
      assertThat(rule.path("labels").path("severity").asText()).isIn("warning", "critical");
      assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
      assertThat(rule.path("annotations").path("description").asText()).isNotBlank();
    }
    assertThat(names).contains("EyeRejectionRateHigh", "EyeOverloaded", "EyeCommitLatencyHigh",
        "EyeQueueNearlyFull", "EyeAuthFailures", "EyeSqliteWalHeldByAReader");
    assertThat(rules.findValuesAsText("expr")).anyMatch(e -> e.contains("status=\"503\""));
  }

  @Test
  void theDashboardParsesWithAPrometheusDatasourceOnEveryPanel() throws Exception {
    JsonNode dashboard = dashboard();
    assertThat(dashboard.path("uid").asText()).isEqualTo("the-eye-collector");
    assertThat(dashboard.path("panels")).hasSizeGreaterThanOrEqualTo(8);
    Set<Integer> ids = new TreeSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      ids.add(panel.path("id").asInt());
      assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
      assertThat(panel.path("targets")).isNotEmpty();
      JsonNode grid = panel.path("gridPos");
      assertThat(grid.path("x").asInt() + grid.path("w").asInt()).isLessThanOrEqualTo(24);
    }
    assertThat(ids).hasSize(dashboard.path("panels").size());
  }
}
