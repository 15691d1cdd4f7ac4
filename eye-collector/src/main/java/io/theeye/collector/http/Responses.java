package io.theeye.collector.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.theeye.model.ErrorBody;
import io.theeye.model.ErrorCode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Writes the collector's JSON answers. Safe to call from an IO thread, a worker, or any other thread. */
final class Responses {

  /** {@code Retry-After} for a full queue: the writer drains it within about a second. */
  static final int RETRY_OVERLOADED_SECONDS = 1;

  /** {@code Retry-After} while stopping or when the database fails: give a restart or a disk time. */
  static final int RETRY_UNAVAILABLE_SECONDS = 5;

  static final String JSON_TYPE = "application/json";
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private Responses() {}

  /** Sends {@code body} serialized as JSON with {@code status}, ending the exchange. */
  static void json(HttpServerExchange exchange, int status, Object body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      // Our answer bodies are plain records and maps; this cannot happen short of a programming error.
      throw new IllegalStateException("cannot serialize an answer body", e);
    }
    send(exchange, status, JSON_TYPE, bytes);
  }

  /** Sends raw bytes with {@code status} and {@code contentType}, ending the exchange. */
  static void send(HttpServerExchange exchange, int status, String contentType, byte[] bytes) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, bytes.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
  }

  /** Sends {@code {"error": code, "message": message}} with the code's status. */
  static void error(HttpServerExchange exchange, ErrorCode code, String message) {
    json(exchange, code.status(), ErrorBody.of(code, message));
  }

  /** Sends a 503 error with {@code Retry-After}. */
  static void unavailable(HttpServerExchange exchange, ErrorCode code, String message, int retryAfterSeconds) {
    exchange.getResponseHeaders().put(Headers.RETRY_AFTER, Integer.toString(Math.max(1, retryAfterSeconds)));
    error(exchange, code, message);
  }

  /** The UTF-8 bytes of a string, for small fixed bodies. */
  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
