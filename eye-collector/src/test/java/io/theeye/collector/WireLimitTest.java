package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.model.EyeProtocol;
import io.theeye.model.Signatures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The wire limit, seen from a raw socket: what is (not) read before the 413. */
@Timeout(30)
class WireLimitTest extends CollectorTestSupport {

  private static final int LIMIT = 64 * 1024;

  @Test
  void declaredLengthOverTheLimitIsRefusedBeforeTheBodyIsSent() throws Exception {
    Collector c = start(b -> b.maxBodyBytes(LIMIT));
    try (Socket socket = new Socket(c.host(), c.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      // Headers only: were the collector to wait for the 2 MiB it announces, the read below would time out.
      out.write(("POST /v1/events HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
          + EyeProtocol.HEADER_KEY_ID + ": " + KEY + "\r\n"
          + EyeProtocol.HEADER_SIGNATURE + ": t=1,v1=00\r\n"
          + "Content-Length: " + (2 << 20) + "\r\n\r\n{\"events\":[").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String response = readResponse(socket.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 413").contains("\"error\":\"payload_too_large\"");
    }
    assertThat(storedRows()).isZero();
  }

  @Test
  void chunkedBodyStopsBeingReadPastTheLimit() throws Exception {
    Collector c = start(b -> b.maxBodyBytes(LIMIT));
    byte[] chunk = " ".repeat(8192).getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = new Socket(c.host(), c.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      long now = Instant.now().getEpochSecond();
      out.write(("POST /v1/events HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
          + EyeProtocol.HEADER_KEY_ID + ": " + KEY + "\r\n"
          + EyeProtocol.HEADER_SIGNATURE + ": " + Signatures.header(SECRET.getBytes(StandardCharsets.UTF_8), now, new byte[0])
          + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      // Just past the limit, and no final chunk: the collector must answer without the end of the body.
      for (int sent = 0; sent <= LIMIT; sent += chunk.length) {
        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(chunk);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
      String response = readResponse(socket.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 413").contains("\"error\":\"payload_too_large\"");
    }
    assertThat(storedRows()).isZero();
  }

  @Test
  void expectContinueGetsA100OnlyWhenTheBodyIsWanted() throws Exception {
    Collector c = start(b -> b.maxBodyBytes(LIMIT));
    byte[] body = TestSender.pageview("e-1", "s-1", "2021-01-01 09:15:27").getBytes(StandardCharsets.UTF_8);
    String signature = Signatures.header(SECRET.getBytes(StandardCharsets.UTF_8), Instant.now().getEpochSecond(), body);
    try (Socket socket = new Socket(c.host(), c.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/events HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
          + EyeProtocol.HEADER_KEY_ID + ": " + KEY + "\r\n" + EyeProtocol.HEADER_SIGNATURE + ": " + signature + "\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] interim = new byte["HTTP/1.1 100 Continue".length()];
      assertThat(in.readNBytes(interim, 0, interim.length)).isEqualTo(interim.length);
      assertThat(new String(interim, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 100 Continue");
      out.write(body);
      out.flush();
      assertThat(readResponse(in)).contains("HTTP/1.1 202").contains("\"accepted\":1");
    }
    try (Socket socket = new Socket(c.host(), c.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("POST /v1/events HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
          + "Expect: 100-continue\r\nContent-Length: " + (LIMIT + 1) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 413");
    }
  }

  /** Reads until the connection closes or a complete JSON body arrived. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    byte[] b = new byte[4096];
    try {
      int n;
      while ((n = in.read(b)) > 0) {
        buffer.write(b, 0, n);
        String text = buffer.toString(StandardCharsets.UTF_8);
        if (text.contains("\r\n\r\n") && text.endsWith("}")) {
          break;
        }
      }
    } catch (SocketException e) {
      // A reset after the answer was read is fine; the assertion looks at what arrived.
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
