package io.theeye.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theeye.client.EyeClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The script as served, and the builder's checks; no server needed. */
class SnippetTest {

  private static EyeClient client() {
    return EyeClient.builder().endpoint("http://127.0.0.1:9").keyId("k").secret("s").build();
  }

  @Test
  void servedScriptIsUnderFourKilobytesGzipped() {
    try (EyeClient client = client()) {
      EyeWeb web = EyeWeb.builder(client).trackAllClicks(true).build();
      Snippet snippet = Snippet.load(settingsOf(web));
      assertThat(snippet.gzipped().length).isLessThan(4096);
      assertThat(snippet.text()).isEqualTo(web.script());
    }
  }

  @Test
  void configurationChangesTheContentHashAndThePath() {
    try (EyeClient client = client()) {
      EyeWeb a = EyeWeb.builder(client).build();
      EyeWeb b = EyeWeb.builder(client).sessionIdleTimeout(Duration.ofMinutes(10)).build();
      EyeWeb c = EyeWeb.builder(client).prefix("/assets/eye").build();
      assertThat(a.scriptPath()).isNotEqualTo(b.scriptPath());
      assertThat(b.script()).contains("\"idle\":600");
      assertThat(c.scriptPath()).startsWith("/assets/eye/eye.");
      assertThat(c.servletMapping()).isEqualTo("/assets/eye/*");
    }
  }

  @Test
  void builderChecksEachSettingByName() {
    try (EyeClient client = client()) {
      EyeWeb.Builder b = EyeWeb.builder(client);
      assertThatThrownBy(() -> b.prefix("/eye/")).hasMessageContaining("prefix");
      assertThatThrownBy(() -> b.prefix("eye")).hasMessageContaining("prefix");
      assertThatThrownBy(() -> b.allowedOrigins(List.of("https://x.example/path")))
          .hasMessageContaining("allowedOrigins");
      assertThatThrownBy(() -> b.sessionIdleTimeout(Duration.ofSeconds(5)))
          .hasMessageContaining("sessionIdleTimeout");
      assertThatThrownBy(() -> b.cookieName("a b")).hasMessageContaining("cookieName");
      assertThatThrownBy(() -> b.maxBodyBytes(10)).hasMessageContaining("maxBodyBytes");
      assertThatThrownBy(() -> b.sessionRateLimit(0, Duration.ofMinutes(1)))
          .hasMessageContaining("sessionRateLimit");
      assertThatThrownBy(() -> EyeWeb.builder(client).maxEventsPerRequest(10).build())
          .hasMessageContaining("maxBatchEvents");
      assertThatThrownBy(() -> EyeWeb.builder(null)).hasMessageContaining("client");
    }
  }

  @Test
  void clientAddressesAreTruncatedAndNamesNeverResolved() {
    assertThat(ServerContext.truncatedAddress("203.0.113.77")).isEqualTo("203.0.113.0");
    assertThat(ServerContext.truncatedAddress("2001:db8:1234:5678::1")).isEqualTo("2001:db8:1234:0:0:0:0:0");
    assertThat(ServerContext.truncatedAddress("example.com")).isNull();
  }

  private static EyeWeb.Settings settingsOf(EyeWeb web) {
    return web.settings();
  }
}
