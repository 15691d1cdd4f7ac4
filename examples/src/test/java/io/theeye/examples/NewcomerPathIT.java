package io.theeye.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.theeye.testsupport.ChildProcess;
import io.theeye.testsupport.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The newcomer's path of the README, from the built jars: start the collector with the documented command,
 * run the demo in the same directory (it reads the shop's and the blog's keys the collector kept in
 * {@code eye.db.dev-keys}), then run docs/analytics.md's SQL against the database (read-only, while the
 * collector runs) and stop the collector with SIGTERM.
 */
@Timeout(120)
class NewcomerPathIT {

  static final Path MODULE = Path.of("").toAbsolutePath();
  static final Path COLLECTOR_JAR = MODULE.resolveSibling("eye-collector").resolve("target/eye-collector.jar");
  static final Path DEMO_JAR = MODULE.resolve("target/eye-demo.jar");
  static final Path ANALYTICS_DOC = MODULE.resolveSibling("docs").resolve("analytics.md");
  static final Path README = MODULE.resolveSibling("README.md");

  private static final List<String> JVM = QuickStartCollector.JVM;
  private static final DateTimeFormatter SQL_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  @TempDir
  Path work;

  /** One line of the demo's --journal file. */
  record Tracked(long n, String app, String keyId, String sessionId, String category, String name, String path,
      boolean shared, String expect, String eventId) {
    boolean stored() {
      return expect.equals("stored");
    }

    boolean rejected() {
      return expect.equals("schema_violation") || expect.equals("future_timestamp");
    }
  }

  @Test
  void readmeCommandsStoreTheDemoSessionsInOrderAndRecordItsBadEvents() throws Exception {
    // README.md's blocks this test runs: the collector, the demo, the sqlite3 look, the Querying SQL.
    List<DocBlocks.Block> readme = DocBlocks.runBy(README, "NewcomerPathIT");
    assertThat(readme).hasSize(4);
    assertThat(readme.get(0).text()).endsWith("&& java -jar eye-collector/target/eye-collector.jar\n");
    assertThat(readme.get(1).text()).isEqualTo("java -jar examples/target/eye-demo.jar\n");

    // README: java -jar eye-collector/target/eye-collector.jar (here on a free port; ./eye.db is fresh)
    try (QuickStartCollector collector = QuickStartCollector.start(work)) {
      assertThat(collector.keyId).isEqualTo(DemoApp.DEFAULT_KEY_ID);

      // README: java -jar examples/target/eye-demo.jar (in the collector's directory; no key to paste)
      Instant from = Instant.now().minusSeconds(60);
      List<Tracked> journal = runDemo(Map.of(), "--endpoint", collector.endpoint, "--rate", "200", "--duration", "3s");
      Instant to = Instant.now().plusSeconds(60);

      assertThat(journal).hasSizeGreaterThan(100);
      assertThat(journal).extracting(Tracked::expect)
          .contains("stored", "schema_violation", "future_timestamp", "duplicate").doesNotContain("dropped");

      try (Connection db = DriverManager.getConnection("jdbc:sqlite:file:" + work.resolve("eye.db") + "?mode=ro")) {
        AnalyticsDoc doc = AnalyticsDoc.load(ANALYTICS_DOC);
        checkDocumentedQueries(doc, db, journal, from, to, Set.of("shop", "blog"));
        checkSessionsAcrossApps(doc, db, journal, from, to);
        checkEveryDocumentedQueryRan(doc);
        checkReadmeQueries(readme.get(3).text(), db, journal, from, to);
      }
      checkReadmeLook(readme.get(2).text(), journal);

      collector.stop();
    }
  }

  @Test
  void demoWithOneKeyPerApplicationStoresSessionsSharedByBoth() throws Exception {
    String shop = "shop:shop-key-1:" + "s3cret-shop";
    String blog = "blog:blog-key-1:" + "s3cret-blog";
    try (ChildProcess collector = ChildProcess.javaJar(work, Map.of(), JVM, COLLECTOR_JAR,
        "--port", "0", "--db", work.resolve("apps.db").toString(), "--app", shop, "--app", blog)) {
      String endpoint = collector.awaitLine("listening on ").substring("listening on ".length()).trim();
      Instant from = Instant.now().minusSeconds(60);
      List<Tracked> journal = runDemo(Map.of(), "--endpoint", endpoint, "--app", shop, "--app", blog,
          "--rate", "200", "--duration", "2s");
      Instant to = Instant.now().plusSeconds(60);

      try (Connection db = DriverManager.getConnection("jdbc:sqlite:file:" + work.resolve("apps.db") + "?mode=ro")) {
        AnalyticsDoc doc = AnalyticsDoc.load(ANALYTICS_DOC);
        checkDocumentedQueries(doc, db, journal, from, to, Set.of("shop", "blog"));
        checkSessionsAcrossApps(doc, db, journal, from, to);
        checkEveryDocumentedQueryRan(doc);
      }
      collector.terminate();
      assertThat(collector.awaitExit(60)).as(collector.output()).isZero();
    }
  }

  private List<Tracked> runDemo(Map<String, String> env, String... args) throws Exception {
    Path journalFile = work.resolve("journal-" + System.nanoTime() + ".jsonl");
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--journal", journalFile.toString()));
    try (ChildProcess demo = ChildProcess.javaJar(work, env, JVM, DEMO_JAR, all.toArray(String[]::new))) {
      assertThat(demo.awaitExit(90)).as(demo.output()).isZero();
      assertThat(demo.stdout()).contains("Every tracked event was acknowledged by the collector.");
      List<Tracked> journal = new ArrayList<>();
      for (String line : Files.readAllLines(journalFile, StandardCharsets.UTF_8)) {
        journal.add(JSON.readValue(line, Tracked.class));
      }
      // The printed summary agrees with what the demo says it sent.
      long rejected = journal.stream().filter(Tracked::rejected).count();
      long duplicates = journal.stream().filter(t -> t.expect().equals("duplicate")).count();
      assertThat(demo.stdout()).contains(rejected + " rejected, " + duplicates + " duplicates, 0 not delivered");
      for (String session : journal.stream().map(Tracked::sessionId).limit(3).toList()) {
        assertThat(demo.stdout()).contains(session);
      }
      return journal;
    }
  }

  /** Runs every use-case query of docs/analytics.md and compares it with what the demo tracked. */
  private static void checkDocumentedQueries(AnalyticsDoc doc, Connection db, List<Tracked> journal, Instant from,
      Instant to, Set<String> apps) throws Exception {
    List<Tracked> stored = journal.stream().filter(Tracked::stored).toList();

    // A session's timeline: every stored event, in the order the demo tracked them.
    Map<String, List<Tracked>> bySession = stored.stream()
        .collect(Collectors.groupingBy(Tracked::sessionId, LinkedHashMap::new, Collectors.toList()));
    for (Map.Entry<String, List<Tracked>> session : bySession.entrySet()) {
      List<Map<String, Object>> rows = doc.run(db, "session-timeline", Map.of("session_id", session.getKey()));
      assertThat(rows).extracting(r -> r.get("category") + "/" + r.get("name") + " " + r.get("path"))
          .as("session %s", session.getKey())
          .containsExactlyElementsOf(session.getValue().stream()
              .map(t -> t.category() + "/" + t.name() + " " + t.path()).toList());
      assertThat(rows).extracting(r -> (String) r.get("app_id"))
          .containsExactlyElementsOf(session.getValue().stream().map(Tracked::app).toList());
      List<Map<String, Object>> summary = doc.run(db, "session-summary", Map.of("session_id", session.getKey()));
      assertThat(summary).singleElement()
          .satisfies(s -> assertThat(((Number) s.get("event_count")).intValue()).isEqualTo(session.getValue().size()))
          .satisfies(s -> assertThat(s.get("first_seen_at")).isEqualTo(rows.get(0).get("occurred_at")))
          .satisfies(s -> assertThat(s.get("last_seen_at")).isEqualTo(rows.get(rows.size() - 1).get("occurred_at")));
    }

    // A category over a time range, and a time range.
    Map<String, Object> range = range(from, to);
    Map<String, Object> categoryRange = new LinkedHashMap<>(range);
    categoryRange.put("category", "page interaction");
    List<Map<String, Object>> pageInteractions = doc.run(db, "category-in-range", categoryRange);
    assertThat(pageInteractions).hasSize((int) stored.stream()
        .filter(t -> t.category().equals("page interaction")).count());
    assertThat(pageInteractions).extracting(r -> (String) r.get("occurred_at")).isSorted();
    assertThat(doc.run(db, "time-range", range)).hasSize(stored.size())
        .extracting(r -> (String) r.get("occurred_at")).isSorted();
    Map<String, Long> byType = stored.stream()
        .collect(Collectors.groupingBy(t -> t.category() + "/" + t.name(), TreeMap::new, Collectors.counting()));
    assertThat(doc.run(db, "cta-clicks-by-element", range).stream()
        .mapToLong(r -> ((Number) r.get("clicks")).longValue()).sum())
        .isEqualTo(stored.stream().filter(t -> t.name().equals("cta click")).count());
    for (String useCase : List.of("session-timeline", "category-in-range", "time-range")) {
      Map<String, Object> any = new LinkedHashMap<>(categoryRange);
      any.put("session_id", stored.get(0).sessionId());
      Map<String, Object> parameters = new LinkedHashMap<>();
      AnalyticsDoc.parameterNames(doc.sql(useCase)).forEach(p -> parameters.put(p, any.get(p)));
      assertThat(doc.plan(db, useCase, parameters)).as("EXPLAIN QUERY PLAN of %s", useCase)
          .anyMatch(d -> d.startsWith("SEARCH e USING INDEX"))
          .noneMatch(d -> d.startsWith("SCAN"));
    }
    Map<String, Long> byTypeFromDb = new TreeMap<>();
    for (Map<String, Object> r : doc.run(db, "time-range-by-type", range)) {
      byTypeFromDb.put(r.get("category") + "/" + r.get("name"), ((Number) r.get("events")).longValue());
    }
    assertThat(byTypeFromDb).isEqualTo(byType);

    // Error monitoring: every deliberately bad event is in rejected_events with its reason.
    Map<String, Long> expectedReasons = journal.stream().filter(Tracked::rejected)
        .collect(Collectors.groupingBy(Tracked::expect, TreeMap::new, Collectors.counting()));
    Map<String, Long> reasons = new TreeMap<>();
    for (Map<String, Object> r : doc.run(db, "rejections-last-hour", Map.of())) {
      assertThat(apps).contains((String) r.get("app_id"));
      reasons.merge((String) r.get("reason"), ((Number) r.get("rejected")).longValue(), Long::sum);
    }
    assertThat(reasons).isEqualTo(expectedReasons);

    Set<String> badSessions = journal.stream().filter(Tracked::rejected).map(Tracked::sessionId)
        .collect(Collectors.toSet());
    List<Map<String, Object>> latest = doc.run(db, "latest-rejections", Map.of());
    assertThat(latest).isNotEmpty().allSatisfy(r -> {
      assertThat(badSessions).contains((String) r.get("session_id"));
      assertThat((String) r.get("detail")).isNotBlank();
      if (r.get("reason").equals("schema_violation")) {
        assertThat((String) r.get("detail")).containsAnyOf("/path", "/element", "/form", "required");
      } else {
        assertThat(r.get("reason")).isEqualTo("future_timestamp");
      }
    });

    Map<String, List<String>> reasonsBySession = journal.stream().filter(Tracked::rejected)
        .collect(Collectors.groupingBy(Tracked::sessionId, Collectors.mapping(Tracked::expect, Collectors.toList())));
    for (Map.Entry<String, List<String>> bad : reasonsBySession.entrySet()) {
      List<Map<String, Object>> rows = doc.run(db, "session-rejections", Map.of("session_id", bad.getKey()));
      // ORDER BY id is arrival order: a session's bad events sent by two applications (two clients,
      // two senders) arrive in either order, so only the multiset is the demo's to decide.
      assertThat(rows).extracting(r -> (String) r.get("reason")).containsExactlyInAnyOrderElementsOf(bad.getValue());
      assertThat(rows).allSatisfy(r -> assertThat((String) r.get("raw")).contains(bad.getKey()));
    }

    List<Map<String, Object>> share = doc.run(db, "rejected-share-last-hour", Map.of());
    assertThat(share).extracting(r -> (String) r.get("app_id")).containsExactlyInAnyOrderElementsOf(apps);
    long storedTotal = share.stream().mapToLong(r -> ((Number) r.get("stored")).longValue()).sum();
    long rejectedTotal = share.stream().mapToLong(r -> ((Number) r.get("rejected")).longValue()).sum();
    assertThat(storedTotal).isEqualTo(stored.size());
    assertThat(rejectedTotal).isEqualTo(journal.stream().filter(Tracked::rejected).count());
  }

  /**
   * README's "Look at the data": the two sqlite3 commands as written, run in the collector's directory,
   * with a session id the demo printed in place of the placeholder.
   */
  private void checkReadmeLook(String block, List<Tracked> journal) throws Exception {
    Requirements.requireExecutable(Path.of("/usr/bin/sqlite3"));
    String placeholder = "<a session id the demo printed>";
    assertThat(block).contains(placeholder);
    String session = journal.stream().filter(Tracked::stored).findFirst().orElseThrow().sessionId();
    List<String> paths = journal.stream().filter(t -> t.stored() && t.sessionId().equals(session))
        .map(Tracked::path).toList();
    try (ChildProcess sqlite = ChildProcess.bash(work, Map.of(), block.replace(placeholder, session))) {
      assertThat(sqlite.awaitExit(30)).as(sqlite.output()).isZero();
      String out = sqlite.stdout();
      assertThat(out).contains("schema_violation", "future_timestamp");
      List<String> eventRows = out.lines().filter(l -> l.contains(" interaction ")).toList();
      assertThat(eventRows).as(out).hasSameSizeAs(paths);
      for (int i = 0; i < paths.size(); i++) {
        assertThat(eventRows.get(i)).as("row %d of the session, in order", i).contains(paths.get(i));
      }
    }
  }

  /** README's "Querying" block: each statement, with its parameters bound, answers what the demo sent. */
  private static void checkReadmeQueries(String block, Connection db, List<Tracked> journal, Instant from,
      Instant to) throws Exception {
    List<String> statements = java.util.Arrays.stream(block.split(";\\s*\\n")).map(String::strip)
        .filter(s -> !s.isEmpty()).toList();
    assertThat(statements).hasSize(4);
    List<Tracked> stored = journal.stream().filter(Tracked::stored).toList();
    String session = stored.get(0).sessionId();
    Map<String, Object> parameters = new LinkedHashMap<>(range(from, to));
    parameters.put("session_id", session);
    parameters.put("category", "page interaction");
    assertThat(AnalyticsDoc.query(db, statements.get(0), parameters))
        .hasSize((int) stored.stream().filter(t -> t.sessionId().equals(session)).count());
    assertThat(AnalyticsDoc.query(db, statements.get(1), parameters))
        .hasSize((int) stored.stream().filter(t -> t.category().equals("page interaction")).count());
    assertThat(AnalyticsDoc.query(db, statements.get(2), parameters)).hasSize(stored.size());
    assertThat(AnalyticsDoc.query(db, statements.get(3), parameters).stream()
        .mapToLong(r -> ((Number) r.get("count(*)")).longValue()).sum())
        .isEqualTo(journal.stream().filter(Tracked::rejected).count());
    for (String statement : statements.subList(0, 3)) {
      assertThat(AnalyticsDoc.planOf(db, statement, parameters)).as("EXPLAIN QUERY PLAN of %s", statement)
          .anyMatch(d -> d.startsWith("SEARCH e USING INDEX")).noneMatch(d -> d.startsWith("SCAN"));
    }
  }

  /** docs/analytics.md's sessions-across-apps: exactly the sessions the demo sent through both sites. */
  private static void checkSessionsAcrossApps(AnalyticsDoc doc, Connection db, List<Tracked> journal, Instant from,
      Instant to) throws Exception {
    Set<String> sharedExpected = journal.stream().filter(Tracked::stored)
        .collect(Collectors.groupingBy(Tracked::sessionId, Collectors.mapping(Tracked::app, Collectors.toSet())))
        .entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey)
        .collect(Collectors.toSet());
    assertThat(sharedExpected).isNotEmpty();
    List<Map<String, Object>> shared = doc.run(db, "sessions-across-apps", range(from, to));
    assertThat(shared).extracting(r -> (String) r.get("session_id"))
        .containsExactlyInAnyOrderElementsOf(sharedExpected);
  }

  private static void checkEveryDocumentedQueryRan(AnalyticsDoc doc) {
    assertThat(doc.notRun()).as("queries of docs/analytics.md this test does not check").isEmpty();
  }

  private static Map<String, Object> range(Instant from, Instant to) {
    Map<String, Object> range = new LinkedHashMap<>();
    range.put("from", SQL_TIME.format(from));
    range.put("to", SQL_TIME.format(to));
    return range;
  }
}
