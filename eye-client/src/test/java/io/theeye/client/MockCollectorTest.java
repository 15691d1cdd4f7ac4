package io.theeye.client;

import java.time.Duration;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The fixture of the client's unit tests: a {@link MockWebServer} standing in for the collector,
 * started before each test, and the test's client, closed (bounded) before the server stops.
 */
abstract class MockCollectorTest {

  protected final MockWebServer server = new MockWebServer();
  protected EyeClient eye;

  @BeforeEach
  final void startServer() throws Exception {
    server.start();
  }

  @AfterEach
  final void closeClientAndServer() throws Exception {
    if (eye != null) {
      eye.close(Duration.ofSeconds(1));
    }
    afterClientClosed();
    server.shutdown();
  }

  /** Runs between closing the client and stopping the server. */
  protected void afterClientClosed() {}
}
