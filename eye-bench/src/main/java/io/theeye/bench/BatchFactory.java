package io.theeye.bench;

import io.theeye.client.internal.EventEncoder;
import io.theeye.model.Timestamps;
import io.theeye.model.Uuid7;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes realistic 100-event request bodies fast enough that the load generator does not steal the
 * collector's CPU: bodies are built once by the client's {@link EventEncoder} as templates, and each
 * request gets a copy with fresh UUIDv7 event ids, session ids, timestamps (now) and {@code seq}
 * numbers written over fixed-width placeholders. Sessions come from a pool of active ones, each
 * retired after about twenty events, as a busy site's traffic would look; or, with {@link
 * #BatchFactory(int, int, long, int)}, from a few fixed sessions shared by every sender (a handful of
 * busy sessions: each commit then touches few pages of the session index).
 *
 * <p>Not thread-safe: one per sending thread (each thread plays one application instance).
 */
final class BatchFactory {

  private static final String ID_PLACEHOLDER = "00000000-0000-7000-8000-000000000000";
  private static final String SESSION_PLACEHOLDER = "11111111-1111-4111-8111-111111111111";
  private static final Instant TS_PLACEHOLDER = Instant.parse("2000-01-01T00:00:00Z");
  private static final long SEQ_START = 1_000_000_000L;
  private static final int SESSION_POOL = 2_000;
  private static final int SESSION_LENGTH = 20;

  private final int events;
  private final byte[][] templates;
  private final int[][] idAt;
  private final int[][] sessionAt;
  private final int[][] timestampAt;
  private final int[][] seqAt;
  private final byte[][] sessions;
  /** Whether sessions are retired after about {@value #SESSION_LENGTH} events (false: fixed sessions). */
  private final boolean retire;
  private final SplittableRandom random;
  private long seq = SEQ_START;
  private int nextTemplate;
  private long cachedSecond = Long.MIN_VALUE;
  private final byte[] cachedPrefix = new byte[20];

  /**
   * @param events events per body
   * @param templateCount distinct bodies to rotate through (their category/name/data mixes differ)
   * @param seed random seed, different per sending thread
   */
  BatchFactory(int events, int templateCount, long seed) {
    this(events, templateCount, seed, 0);
  }

  /**
   * As {@link #BatchFactory(int, int, long)}, but with {@code fixedSessions > 0} every event belongs to
   * one of {@code fixedSessions} sessions that never end, the same ids in every factory (they come from
   * one seed), so senders that share them write into the same few sessions.
   */
  BatchFactory(int events, int templateCount, long seed, int fixedSessions) {
    if (fixedSessions < 0) {
      throw new IllegalArgumentException("fixedSessions must not be negative");
    }
    this.events = events;
    this.random = new SplittableRandom(seed);
    this.retire = fixedSessions == 0;
    this.sessions = new byte[retire ? SESSION_POOL : fixedSessions][];
    templates = new byte[templateCount][];
    idAt = new int[templateCount][];
    sessionAt = new int[templateCount][];
    timestampAt = new int[templateCount][];
    seqAt = new int[templateCount][];
    for (int t = 0; t < templateCount; t++) {
      List<byte[]> encoded = new ArrayList<>(events);
      for (int i = 0; i < events; i++) {
        SampleEvents.Sample s = SampleEvents.next(random);
        try {
          encoded.add(EventEncoder.encode(ID_PLACEHOLDER, SESSION_PLACEHOLDER, s.category(), s.name(), s.data(),
              TS_PLACEHOLDER, SEQ_START).json());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalStateException("sample data must serialize", e);
        }
      }
      byte[] body = EventEncoder.envelope(null, encoded);
      templates[t] = body;
      idAt[t] = offsets(body, "\"event_id\":\"");
      sessionAt[t] = offsets(body, "\"session_id\":\"");
      timestampAt[t] = offsets(body, "\"timestamp\":\"");
      seqAt[t] = offsets(body, "\"seq\":");
    }
    SplittableRandom ids = retire ? random : new SplittableRandom(42);
    for (int i = 0; i < sessions.length; i++) {
      sessions[i] = ascii(SampleEvents.sessionId(ids));
    }
  }

  /** Events per body. */
  int events() {
    return events;
  }

  /** A fresh body whose events occurred just before {@code nowMicros} (Unix epoch microseconds). */
  byte[] next(long nowMicros) {
    int t = nextTemplate;
    nextTemplate = (t + 1) % templates.length;
    byte[] body = templates[t].clone();
    for (int i = 0; i < events; i++) {
      writeAscii(body, idAt[t][i], Uuid7.next());
      int slot = random.nextInt(sessions.length);
      System.arraycopy(sessions[slot], 0, body, sessionAt[t][i], 36);
      if (retire && random.nextInt(SESSION_LENGTH) == 0) {
        sessions[slot] = ascii(SampleEvents.sessionId(random));
      }
      writeTimestamp(body, timestampAt[t][i], nowMicros - (events - 1 - i) * 7L);
      writeDigits(body, seqAt[t][i], seq++, 10);
    }
    return body;
  }

  private void writeTimestamp(byte[] body, int at, long micros) {
    long second = Math.floorDiv(micros, 1_000_000L);
    if (second != cachedSecond) {
      byte[] formatted = ascii(Timestamps.format(Instant.ofEpochSecond(second)));
      System.arraycopy(formatted, 0, cachedPrefix, 0, 20);
      cachedSecond = second;
    }
    System.arraycopy(cachedPrefix, 0, body, at, 20);
    writeDigits(body, at + 20, Math.floorMod(micros, 1_000_000L), 6);
  }

  private static void writeDigits(byte[] body, int at, long value, int width) {
    for (int i = width - 1; i >= 0; i--) {
      body[at + i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }

  private static void writeAscii(byte[] body, int at, String text) {
    for (int i = 0; i < text.length(); i++) {
      body[at + i] = (byte) text.charAt(i);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** The offset just after each occurrence of {@code key}, in order; there must be one per event. */
  private int[] offsets(byte[] body, String key) {
    byte[] k = ascii(key);
    int[] at = new int[events];
    int found = 0;
    outer:
    for (int i = 0; i <= body.length - k.length; i++) {
      for (int j = 0; j < k.length; j++) {
        if (body[i + j] != k[j]) {
          continue outer;
        }
      }
      if (found == events) {
        throw new IllegalStateException(key + " occurs more often than there are events");
      }
      at[found++] = i + k.length;
    }
    if (found != events) {
      throw new IllegalStateException(key + " found " + found + " times, expected " + events);
    }
    return at;
  }
}
