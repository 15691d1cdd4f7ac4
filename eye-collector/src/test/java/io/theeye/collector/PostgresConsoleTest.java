package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.console.AdminSettings;
import io.theeye.testsupport.RequiresPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With PostgreSQL the overview works and the database pages say plainly that they need SQLite. */
@RequiresPostgres
@Timeout(60)
class PostgresConsoleTest extends CollectorTestSupport {

  @RegisterExtension final PostgresBackend pg = new PostgresBackend();

  @Override
  protected TestDatabase database() {
    return pg;
  }

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theOverviewWorksAndTheDatabasePagesAnswer501() throws Exception {
    Collector collector = start(b -> b.admin(AdminSettings.loopback(0)));
    assertThat(new TestSender(collector).post(KEY, SECRET, TestSender.batch(
        TestSender.pageview(null, "s-1", "2021-01-01 09:15:27.243860"))).status()).isEqualTo(202);

    HttpResponse<String> overview = get(collector.adminUri().resolve("/api/overview"));
    assertThat(overview.statusCode()).isEqualTo(200);
    assertThat(overview.body()).contains("\"accepted\":1").contains("\"database_bytes\":null")
        .doesNotContain(PostgresBackend.DB_PASSWORD);
    for (String page : new String[] {"errors", "applications", "types", "tail"}) {
      HttpResponse<String> answer = get(collector.adminUri().resolve("/api/" + page));
      assertThat(answer.statusCode()).as(page).isEqualTo(501);
      assertThat(answer.body()).contains("not_implemented").contains("reads SQLite").contains("PostgreSQL")
          .doesNotContain(PostgresBackend.DB_PASSWORD);
    }
  }
}
