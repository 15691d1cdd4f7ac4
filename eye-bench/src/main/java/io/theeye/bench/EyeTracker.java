package io.theeye.bench;

/** The Eye's client behind the benchmark's {@link ClientRunner.Tracker}. */
final class EyeTracker {

  private EyeTracker() {}

  static ClientRunner.Tracker create(String baseUrl, String keyId, String secret, int capacity) {
    throw new UnsupportedOperationException("EyeClient is not in main yet");
  }
}
