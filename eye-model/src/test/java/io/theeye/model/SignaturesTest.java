package io.theeye.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theeye.model.Signatures.SignatureVerifier;
import io.theeye.model.Signatures.SignatureVerifier.Result;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Test vectors computed independently with {@code openssl dgst -sha256 -hmac}; see docs/protocol.md. */
class SignaturesTest {

  static final byte[] SECRET = "eye-test-secret".getBytes(StandardCharsets.UTF_8);
  static final long T = 1_700_000_000L;
  static final byte[] BODY = ("{\"events\":[{\"session_id\":\"s-1\",\"category\":\"page interaction\","
      + "\"name\":\"pageview\",\"timestamp\":\"2021-01-01 09:15:27.243860\","
      + "\"data\":{\"host\":\"www.ca.com\",\"path\":\"/\"}}]}").getBytes(StandardCharsets.UTF_8);
  static final String BODY_HEX = "6c4743297eb4fd1d2e66ec1ed8ca3614b00161affdaa7c703d7d77cd6203da0d";
  static final String EMPTY_BODY_HEX = "68945d410af2d635c573363aff1abf75e44b248366b72183e95f043c0cfcbaf6";

  private final SignatureVerifier verifier = new SignatureVerifier(
      Clock.fixed(Instant.ofEpochSecond(T + 10), ZoneOffset.UTC), Duration.ofSeconds(300));

  @Test
  void signsTheDocumentedVectors() {
    assertThat(BODY).hasSize(162);
    assertThat(Signatures.sign(SECRET, T, BODY)).isEqualTo(BODY_HEX);
    assertThat(Signatures.sign(SECRET, T, new byte[0])).isEqualTo(EMPTY_BODY_HEX);
    assertThat(Signatures.header(SECRET, T, BODY)).isEqualTo("t=1700000000,v1=" + BODY_HEX);
    Signatures.Signer signer = Signatures.signer(SECRET);
    assertThat(signer.header(T, BODY)).isEqualTo("t=1700000000,v1=" + BODY_HEX);
    assertThat(signer.header(T, new byte[0])).isEqualTo("t=1700000000,v1=" + EMPTY_BODY_HEX);
    // Each signature starts afresh: signing again gives the same value.
    assertThat(signer.header(T, BODY)).isEqualTo("t=1700000000,v1=" + BODY_HEX);
    assertThatThrownBy(() -> Signatures.signer(new byte[0])).hasMessage("secret must not be empty");
  }

  @Test
  void verifiesAGoodSignature() {
    assertThat(verifier.verify("t=1700000000,v1=" + BODY_HEX, SECRET, BODY)).isEqualTo(Result.VALID);
    assertThat(verifier.verify(" t=1700000000 , v1=" + BODY_HEX, SECRET, BODY)).isEqualTo(Result.VALID);
  }

  @Test
  void aChangedByteFails() {
    byte[] changed = BODY.clone();
    changed[changed.length - 5] ^= 1;
    assertThat(verifier.verify("t=1700000000,v1=" + BODY_HEX, SECRET, changed)).isEqualTo(Result.BAD_SIGNATURE);
  }

  @Test
  void aChangedTFails() {
    assertThat(verifier.verify("t=1700000001,v1=" + BODY_HEX, SECRET, BODY)).isEqualTo(Result.BAD_SIGNATURE);
  }

  @Test
  void theWrongSecretFails() {
    byte[] other = "eye-test-secreT".getBytes(StandardCharsets.UTF_8);
    assertThat(verifier.verify("t=1700000000,v1=" + BODY_HEX, other, BODY)).isEqualTo(Result.BAD_SIGNATURE);
  }

  @Test
  void aTOutsideTheWindowFailsEitherWay() {
    SignatureVerifier late = new SignatureVerifier(
        Clock.fixed(Instant.ofEpochSecond(T + 301), ZoneOffset.UTC), Duration.ofSeconds(300));
    SignatureVerifier early = new SignatureVerifier(
        Clock.fixed(Instant.ofEpochSecond(T - 301), ZoneOffset.UTC), Duration.ofSeconds(300));
    SignatureVerifier edge = new SignatureVerifier(
        Clock.fixed(Instant.ofEpochSecond(T + 300), ZoneOffset.UTC), Duration.ofSeconds(300));
    String header = "t=1700000000,v1=" + BODY_HEX;
    assertThat(late.verify(header, SECRET, BODY)).isEqualTo(Result.OUTSIDE_WINDOW);
    assertThat(early.verify(header, SECRET, BODY)).isEqualTo(Result.OUTSIDE_WINDOW);
    assertThat(edge.verify(header, SECRET, BODY)).isEqualTo(Result.VALID);
  }

  @Test
  void malformedHeadersFail() {
    for (String header : new String[] {
        null, "", "v1=" + BODY_HEX, "t=1700000000", "t=abc,v1=" + BODY_HEX,
        "t=1700000000,v1=" + BODY_HEX.toUpperCase(), "t=1700000000,v1=" + BODY_HEX.substring(2),
        "t=-1700000000,v1=" + BODY_HEX, "sha256=" + BODY_HEX}) {
      assertThat(verifier.verify(header, SECRET, BODY)).as(String.valueOf(header)).isEqualTo(Result.MALFORMED_HEADER);
    }
  }
}
