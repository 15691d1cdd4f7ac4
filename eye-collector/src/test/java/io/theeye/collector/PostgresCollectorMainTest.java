package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.testsupport.PostgresTestSchema;
import io.theeye.testsupport.RequiresPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line selecting PostgreSQL: credentials from flags, environment and file, kept secret. */
@RequiresPostgres
@Timeout(60)
class PostgresCollectorMainTest {

  private static final String DB_SECRET = "db-secret-never-printed-93";
  private static final String APP_SPEC = "shop:shop-key-1:app-secret-0123456789";

  @TempDir Path dir;

  private PostgresTestSchema schema;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private CollectorMain main;

  @BeforeEach
  void createSchema() throws Exception {
    schema = PostgresTestSchema.create();
  }

  @AfterEach
  void stop() throws Exception {
    if (main != null && main.collector() != null) {
      main.collector().close();
    }
    schema.close();
  }

  /** The schema's URL without the test server's user parameter. */
  private String urlWithoutUser() {
    String server = PostgresTestSchema.SERVER_URL;
    int query = server.indexOf('?');
    return (query < 0 ? server : server.substring(0, query)) + "?currentSchema=" + schema.name();
  }

  private int run(Map<String, String> env, String... args) {
    main = new CollectorMain(env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return main.commandLine(args).execute(args);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void credentialsFromTheEnvironmentSelectPostgresAndThePasswordIsNeverPrinted() throws Exception {
    int code = run(Map.of("EYE_DB_USER", "postgres", "EYE_DB_PASSWORD", DB_SECRET),
        "--port", "0", "--db", urlWithoutUser(), "--app", APP_SPEC);

    assertThat(code).as(stderr()).isZero();
    assertThat(stdout()).contains("database: PostgreSQL " + urlWithoutUser() + " as postgres")
        .doesNotContain(DB_SECRET);
    assertThat(stderr()).doesNotContain(DB_SECRET);
    TestSender.Answer a = new TestSender(main.collector()).post("shop-key-1", "app-secret-0123456789",
        TestSender.pageview("cli-1", "s-1", "2021-01-01 09:15:27"));
    assertThat(a.status()).as(a.toString()).isEqualTo(202);
    try (Connection c = schema.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT event_id, occurred_at FROM events")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("cli-1");
      assertThat(rs.getString(2)).isEqualTo("2021-01-01 09:15:27.000000");
    }
  }

  @Test
  void aPasswordInTheUrlIsMaskedInTheStartupLine() {
    String url = urlWithoutUser() + "&user=postgres&password=" + DB_SECRET;
    int code = run(Map.of(), "--port", "0", "--db", url, "--app", APP_SPEC);

    assertThat(code).as(stderr()).isZero();
    assertThat(stdout()).contains("database: PostgreSQL " + urlWithoutUser() + "&user=postgres&password=***")
        .doesNotContain(DB_SECRET);
  }

  @Test
  void theUserFlagWinsOverTheEnvironmentWhichWinsOverTheConfigFile() throws Exception {
    Path config = dir.resolve("collector.properties");
    Files.writeString(config, "db-user = from_file\ndb-password = " + DB_SECRET + "\n");
    CollectorMain m = new CollectorMain(Map.of("EYE_DB_USER", "from_env"),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String[] flag = {"--config", config.toString(), "--db-user", "from_flag"};
    m.commandLine(flag).parseArgs(flag);
    assertThat(m.dbUser).isEqualTo("from_flag");
    assertThat(m.dbPassword).as("from the file").isEqualTo(DB_SECRET);

    CollectorMain e = new CollectorMain(Map.of("EYE_DB_USER", "from_env"),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String[] noFlag = {"--config", config.toString()};
    e.commandLine(noFlag).parseArgs(noFlag);
    assertThat(e.dbUser).isEqualTo("from_env");
  }

  @Test
  void anUnknownDatabaseUserStopsTheStartWithAClearMessageAndNoPassword() {
    int code = run(Map.of("EYE_DB_PASSWORD", DB_SECRET),
        "--port", "0", "--db", urlWithoutUser(), "--db-user", "eye_no_such_role", "--app", APP_SPEC);

    assertThat(code).isNotZero();
    assertThat(stderr()).contains("eye_no_such_role").doesNotContain(DB_SECRET);
    assertThat(stdout()).doesNotContain(DB_SECRET);
  }
}
