package io.theeye.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The configuration metadata IDEs read: every property described, every default the real one. */
class EyePropertiesMetadataTest {

  private static final Set<String> REQUIRED = Set.of("eye.endpoint", "eye.key-id", "eye.secret");

  private final JsonNode properties = read();

  @Test
  void everyPropertyHasADescriptionAndEveryOptionalOneADefault() {
    Set<String> names = new TreeSet<>();
    for (JsonNode property : properties) {
      String name = property.get("name").asText();
      names.add(name);
      assertThat(property.path("description").asText()).as(name).isNotBlank();
      if (!REQUIRED.contains(name)) {
        assertThat(property.has("defaultValue")).as(name + " has a default").isTrue();
      }
    }
    // One property per builder option (closeTimeout is eye.shutdown-timeout), plus eye.enabled and
    // the health check's timeout; listener, okHttpClient and clock are set by a customizer bean.
    assertThat(names).containsExactlyInAnyOrder("eye.enabled", "eye.endpoint", "eye.key-id", "eye.secret",
        "eye.max-queue-events", "eye.max-queue-bytes", "eye.max-batch-events", "eye.max-batch-bytes",
        "eye.flush-interval", "eye.gzip-threshold", "eye.max-in-flight-batches", "eye.retry-backoff.initial",
        "eye.retry-backoff.max", "eye.max-retry-after", "eye.retry-budget", "eye.connect-timeout",
        "eye.request-timeout", "eye.shutdown-timeout", "eye.max-data-bytes", "eye.strict",
        "eye.health.timeout",
        // One per EyeWeb.Builder option but the clock, plus eye.web.enabled and eye.web.page-views.
        "eye.web.enabled", "eye.web.page-views", "eye.web.prefix", "eye.web.allowed-origins",
        "eye.web.session-idle-timeout", "eye.web.cookie-name", "eye.web.max-body-bytes",
        "eye.web.max-events-per-request", "eye.web.session-rate-limit.requests",
        "eye.web.session-rate-limit.period", "eye.web.address-rate-limit.requests",
        "eye.web.address-rate-limit.period", "eye.web.max-tracked-sessions", "eye.web.max-clock-correction",
        "eye.web.capture-client-address", "eye.web.track-all-clicks", "eye.web.snippet.max-batch-events",
        "eye.web.snippet.max-queue-events", "eye.web.snippet.flush-interval");
  }

  @Test
  void theDocumentedDefaultsAreTheDefaults() {
    Map<String, Object> defaults = new LinkedHashMap<>();
    for (JsonNode property : properties) {
      if (property.has("defaultValue")) {
        JsonNode value = property.get("defaultValue");
        defaults.put(property.get("name").asText(), value.isArray() ? "" : value.asText());
      }
    }
    Binder binder = new Binder(new MapConfigurationPropertySource(defaults));
    EyeProperties unset = new EyeProperties();
    assertThat(binder.bind("eye", Bindable.of(EyeProperties.class)).get()).usingRecursiveComparison()
        .isEqualTo(unset);
    assertThat(binder.bind("eye.web", Bindable.of(EyeWebProperties.class)).get()).usingRecursiveComparison()
        .isEqualTo(new EyeWebProperties());
    // And the unset ones are the client's own defaults (a sample; the rest are named constants too).
    assertThat(unset.getMaxQueueBytes().toBytes()).isEqualTo(8L << 20);
    assertThat(unset.getShutdownTimeout()).hasSeconds(10);
  }

  private static JsonNode read() {
    try (InputStream in = EyePropertiesMetadataTest.class.getResourceAsStream(
        "/META-INF/spring-configuration-metadata.json")) {
      return new ObjectMapper().readTree(in).get("properties");
    } catch (Exception e) {
      throw new AssertionError("no configuration metadata", e);
    }
  }
}
