package io.theeye.collector.console;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's five pages: each is {@code shell.html} (head, navigation, scripts) around its own
 * fragment from {@code pages/}, put together once when the class loads. Anything else is handed on.
 */
final class Pages implements HttpHandler {

  /** Page name (its path is {@code /NAME.html}, its script {@code NAME.js}) → title. */
  static final Map<String, String> TITLES = Map.of(
      "overview", "Overview", "errors", "Errors", "applications", "Applications", "types", "Event types",
      "tail", "Live tail");

  private final Map<String, byte[]> pages = new LinkedHashMap<>();
  private final HttpHandler next;

  Pages(HttpHandler next) {
    this.next = next;
    String shell = resource("shell.html");
    TITLES.forEach((name, title) -> pages.put("/" + name + ".html", shell
        .replace("{{title}}", title)
        .replace("{{page}}", name)
        .replace("{{main}}", resource("pages/" + name + ".html"))
        .getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    byte[] page = pages.get(exchange.getRelativePath());
    if (page == null) {
      next.handleRequest(exchange);
      return;
    }
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
    exchange.getResponseSender().send(ByteBuffer.wrap(page));
  }

  private static String resource(String name) {
    try (InputStream in = Pages.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the console's resource " + name + " is missing from the build");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
