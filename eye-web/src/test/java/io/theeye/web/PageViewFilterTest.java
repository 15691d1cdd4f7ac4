package io.theeye.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Server-side page views over real HTTP: which requests count, and the shared session cookie. */
@Timeout(60)
class PageViewFilterTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static HttpResponse<String> get(WebRig rig, String path, String accept, String cookie)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(rig.uri(path)).header("Accept", accept);
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return rig.send(request.build());
  }

  @Test
  void htmlPagesAreTrackedUnderTheSessionCookieWhichTheFilterSetsWhenAbsent() throws Exception {
    try (WebRig rig = WebRig.start(dir, b -> b.sessionIdleTimeout(Duration.ofMinutes(20)))) {
      rig.page("/home", "<h1>home</h1>");
      HttpResponse<String> first = get(rig, "/home?utm_source=mail", "text/html,*/*", null);
      String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
      String cookie = setCookie.substring(0, setCookie.indexOf(';'));
      HttpResponse<String> missing = get(rig, "/missing", "text/html", cookie);
      get(rig, "/api/data", "application/json", cookie);       // not a page
      get(rig, rig.web.scriptPath(), "*/*", cookie);          // the relay's own path
      rig.send(HttpRequest.newBuilder(rig.uri("/home")).header("Accept", "text/html")
          .header("Sec-Fetch-Dest", "image").build());        // fetch metadata says: not a page

      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(setCookie).startsWith("eye_sid=").contains("Path=/").contains("Max-Age=1200")
          .containsIgnoringCase("SameSite=Lax");
      assertThat(missing.statusCode()).isEqualTo(404);
      rig.client.flush().get(10, TimeUnit.SECONDS);
      List<Map<String, Object>> events = rig.events();
      assertThat(events).hasSize(2);
      assertThat(events).extracting(e -> e.get("session_id")).containsOnly(cookie.substring("eye_sid=".length()));
      JsonNode home = JSON.readTree((String) events.get(0).get("data"));
      assertThat(home.get("path").asText()).isEqualTo("/home");
      assertThat(home.get("host").asText()).isEqualTo("127.0.0.1");
      assertThat(home.get("status").asInt()).isEqualTo(200);
      assertThat(home.get("duration_ms").asLong()).isNotNegative();
      assertThat(home.get("source").asText()).isEqualTo("server");
      assertThat(JSON.readTree((String) events.get(1).get("data")).get("status").asInt()).isEqualTo(404);
      assertThat(rig.web.counters().pageViews()).isEqualTo(2);
      assertThat(rig.rejectedCount()).isZero();
    }
  }
}
