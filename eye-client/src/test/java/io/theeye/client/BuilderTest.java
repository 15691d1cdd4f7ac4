package io.theeye.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theeye.client.internal.Internal;
import io.theeye.client.internal.NoDelaySocketFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class BuilderTest {

  private static final String SECRET = "builder-test-secret-value";

  private static EyeClient.Builder valid() {
    return EyeClient.builder().endpoint("http://127.0.0.1:1").keyId("k").secret(SECRET);
  }

  @Test
  void eachSetterRefusesABadValueNamingTheSetting() {
    EyeClient.Builder b = EyeClient.builder();
    assertThatThrownBy(() -> b.maxQueueEvents(0)).hasMessageContaining("maxQueueEvents");
    assertThatThrownBy(() -> b.maxQueueBytes(1000)).hasMessageContaining("maxQueueBytes");
    assertThatThrownBy(() -> b.maxBatchEvents(0)).hasMessageContaining("maxBatchEvents");
    assertThatThrownBy(() -> b.maxBatchEvents(1001)).hasMessageContaining("maxBatchEvents");
    assertThatThrownBy(() -> b.maxBatchBytes((1 << 20) + 1)).hasMessageContaining("maxBatchBytes");
    assertThatThrownBy(() -> b.maxBatchBytes(1000)).hasMessageContaining("maxBatchBytes");
    assertThatThrownBy(() -> b.flushInterval(Duration.ZERO)).hasMessageContaining("flushInterval");
    assertThatThrownBy(() -> b.gzipThreshold(-1)).hasMessageContaining("gzipThreshold");
    assertThatThrownBy(() -> b.maxInFlightBatches(0)).hasMessageContaining("maxInFlightBatches");
    assertThatThrownBy(() -> b.maxInFlightBatches(65)).hasMessageContaining("maxInFlightBatches");
    assertThatThrownBy(() -> b.retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("retryBackoff");
    assertThatThrownBy(() -> b.retryBudget(Duration.ofSeconds(-1))).hasMessageContaining("retryBudget");
    assertThatThrownBy(() -> b.maxRetryAfter(Duration.ZERO)).hasMessageContaining("maxRetryAfter");
    assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> b.requestTimeout(Duration.ofSeconds(-1))).hasMessageContaining("requestTimeout");
    assertThatThrownBy(() -> b.closeTimeout(Duration.ofSeconds(-1))).hasMessageContaining("closeTimeout");
    assertThatThrownBy(() -> b.maxDataBytes(0)).hasMessageContaining("maxDataBytes");
    assertThatThrownBy(() -> b.endpoint("not a url")).hasMessageContaining("endpoint");
    assertThatThrownBy(() -> b.endpoint("ftp://example.com")).hasMessageContaining("endpoint");
    assertThatThrownBy(() -> b.endpoint("http://example.com/?q=1")).hasMessageContaining("endpoint");
    assertThatThrownBy(() -> b.keyId(" ")).hasMessageContaining("keyId");
    assertThatThrownBy(() -> b.secret("")).hasMessageContaining("secret");
    assertThatThrownBy(() -> b.secret(new char[0])).hasMessageContaining("secret");
    assertThatThrownBy(() -> b.listener(null)).isInstanceOf(NullPointerException.class).hasMessage("listener");
    assertThatThrownBy(() -> b.clock(null)).isInstanceOf(NullPointerException.class).hasMessage("clock");
  }

  @Test
  void theOutboxAndOverflowSettingsRefuseBadValuesNamingThemselves() {
    EyeClient.Builder b = EyeClient.builder();
    assertThatThrownBy(() -> b.outboxMaxBytes(EyeClient.Builder.MIN_OUTBOX_MAX_BYTES - 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outboxMaxBytes");
    b.outboxMaxBytes(EyeClient.Builder.MIN_OUTBOX_MAX_BYTES);
    assertThatThrownBy(() -> b.outboxSyncInterval(Duration.ZERO)).hasMessageContaining("outboxSyncInterval");
    assertThatThrownBy(() -> b.outbox(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("outbox");
    assertThatThrownBy(() -> b.overflow(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("overflow");
  }

  @Test
  void buildRequiresEndpointKeyIdAndSecret() {
    assertThatThrownBy(() -> EyeClient.builder().keyId("k").secret("s").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("endpoint");
    assertThatThrownBy(() -> EyeClient.builder().endpoint("http://h").secret("s").build())
        .hasMessageContaining("keyId");
    assertThatThrownBy(() -> EyeClient.builder().endpoint("http://h").keyId("k").build())
        .hasMessageContaining("secret");
  }

  @Test
  void theSecretNeverAppearsInToStringOrErrors() {
    EyeClient.Builder b = valid();
    assertThat(b.toString()).doesNotContain(SECRET).contains("secret=set");
    try (EyeClient eye = b.build()) {
      assertThat(eye.toString()).doesNotContain(SECRET).contains("keyId=k");
    }
    char[] chars = SECRET.toCharArray();
    assertThat(EyeClient.builder().secret(chars).toString()).doesNotContain(SECRET);
    assertThat(EyeClient.builder().secret(SECRET.getBytes(StandardCharsets.UTF_8)).toString())
        .doesNotContain(SECRET);
  }

  @Test
  void postsUnderTheEndpointsPath() throws Exception {
    try (EyeClient eye = EyeClient.builder().endpoint("https://eye.example.com/collect/").keyId("k")
        .secret("s").build()) {
      assertThat(eye.toString()).contains("https://eye.example.com/collect/v1/events");
    }
    try (EyeClient eye = valid().build()) {
      assertThat(eye.toString()).contains("http://127.0.0.1:1/v1/events");
    }
  }

  @Test
  void socketsOpenedForTheClientHaveNagleOff() throws Exception {
    try (Socket plain = SocketFactory.getDefault().createSocket();
        Socket ours = new NoDelaySocketFactory(SocketFactory.getDefault()).createSocket()) {
      assertThat(plain.getTcpNoDelay()).as("the JDK's default, which OkHttp keeps").isFalse();
      assertThat(ours.getTcpNoDelay()).isTrue();
    }
    try (EyeClient eye = valid().build()) {
      assertThat(httpOf(eye).socketFactory()).isInstanceOf(NoDelaySocketFactory.class);
    }
    OkHttpClient injected = new OkHttpClient();
    try (EyeClient eye = valid().okHttpClient(injected).build()) {
      OkHttpClient used = httpOf(eye);
      assertThat(used.socketFactory()).isInstanceOf(NoDelaySocketFactory.class);
      assertThat(used.dispatcher()).isSameAs(injected.dispatcher());
      assertThat(used.connectionPool()).isSameAs(injected.connectionPool());
    }
  }

  private static OkHttpClient httpOf(EyeClient eye) {
    return Internal.instance().core(eye).httpClient();
  }
}
