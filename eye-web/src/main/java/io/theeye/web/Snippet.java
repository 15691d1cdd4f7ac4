package io.theeye.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The browser script as served: {@code eye.js} from the jar with this relay's settings written into
 * it, its content hash (which names the long-cached URL and is the ETag), and a gzipped copy.
 */
final class Snippet {

  static final String RESOURCE = "eye.js";
  static final String CONFIG_PLACEHOLDER = "__EYE_CONFIG__";

  private final String text;
  private final byte[] bytes;
  private final byte[] gzipped;
  private final String hash;

  private Snippet(String text) {
    this.text = text;
    this.bytes = text.getBytes(StandardCharsets.UTF_8);
    this.gzipped = gzip(bytes);
    this.hash = sha256Hex(bytes).substring(0, 12);
  }

  static Snippet load(EyeWeb.Settings settings) {
    String template = resource();
    if (!template.contains(CONFIG_PLACEHOLDER)) {
      throw new IllegalStateException(RESOURCE + " has no " + CONFIG_PLACEHOLDER);
    }
    return new Snippet(template.replace(CONFIG_PLACEHOLDER, config(settings)));
  }

  /** The settings the script reads; nothing secret is known here, and nothing but these is written. */
  static String config(EyeWeb.Settings settings) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("cookie", settings.cookieName);
    config.put("idle", settings.sessionIdleTimeout.toSeconds());
    config.put("batch", settings.maxBatchEvents);
    config.put("queue", settings.maxQueueEvents);
    config.put("flush", settings.flushInterval.toMillis());
    config.put("clickAll", settings.trackAllClicks);
    try {
      return new ObjectMapper().writeValueAsString(config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String text() {
    return text;
  }

  byte[] bytes() {
    return bytes;
  }

  byte[] gzipped() {
    return gzipped;
  }

  /** The first 12 hex digits of the served bytes' SHA-256. */
  String hash() {
    return hash;
  }

  String hashedName() {
    return "eye." + hash + ".js";
  }

  String etag() {
    return "\"" + hash + "\"";
  }

  private static String resource() {
    try (InputStream in = Snippet.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the eye-web jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
