package io.theeye.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.client.EyeClient;
import io.theeye.collector.Collector;
import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** docs/web.md's plain-servlet listener, exactly as printed there, in a servlet container. */
@Timeout(60)
class PlainServletSetupTest {

  @TempDir
  Path dir;

  // --- docs/web.md: from here ---
  public static final class EyeSetup implements ServletContextListener {
    private EyeClient eye;

    @Override
    public void contextInitialized(ServletContextEvent event) {
      ServletContext context = event.getServletContext();
      eye = EyeClient.builder()                                 // context-params of your web.xml
          .endpoint(context.getInitParameter("eye.endpoint"))
          .keyId(context.getInitParameter("eye.keyId"))
          .secret(context.getInitParameter("eye.secret"))
          .build();
      EyeWeb web = EyeWeb.builder(eye)
          .prefix("/eye")                                       // the default
          .sessionIdleTimeout(Duration.ofMinutes(30))           // the default
          .build();
      context.addServlet("eye", web.servlet()).addMapping(web.servletMapping());
      context.addFilter("eye-pageviews", web.pageViewFilter())  // optional
          .addMappingForUrlPatterns(null, false, "/*");
      context.setAttribute("eyeScriptTag", web.scriptTag());    // for your page templates
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
      eye.close();
    }
  }
  // --- docs/web.md: to here ---

  @Test
  void theDocumentedListenerServesTheScriptAndRelaysEvents() throws Exception {
    try (Collector collector = Collector.builder().port(0).db(dir.resolve("eye.db"))
        .app(WebRig.APP, WebRig.KEY_ID, WebRig.SECRET).start()) {
      DeploymentInfo deployment = Servlets.deployment()
          .setClassLoader(getClass().getClassLoader())
          .setContextPath("/")
          .setDeploymentName("docs")
          .addInitParameter("eye.endpoint", collector.uri().toString())
          .addInitParameter("eye.keyId", WebRig.KEY_ID)
          .addInitParameter("eye.secret", WebRig.SECRET)
          .addListener(Servlets.listener(EyeSetup.class));
      DeploymentManager manager = Servlets.defaultContainer().addDeployment(deployment);
      manager.deploy();
      Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(manager.start()).build();
      server.start();
      try {
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        String origin = "http://127.0.0.1:" + port;
        String tag = (String) manager.getDeployment().getServletContext().getAttribute("eyeScriptTag");
        String path = tag.replaceAll(".*src=\"([^\"]+)\".*", "$1");
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> script = http.send(HttpRequest.newBuilder(URI.create(origin + path)).build(),
            HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> collect = http.send(HttpRequest.newBuilder(URI.create(origin + "/eye/collect"))
            .header("Content-Type", "application/json").header("Origin", origin)
            .POST(HttpRequest.BodyPublishers.ofString("{\"events\":[{\"session_id\":\"" + UUID.randomUUID()
                + "\",\"category\":\"page interaction\",\"name\":\"pageview\",\"timestamp\":\""
                + Instant.now() + "\",\"data\":{\"host\":\"h\",\"path\":\"/\"}}]}"))
            .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body()).contains("\"cookie\":\"eye_sid\"");
        assertThat(collect.statusCode()).isEqualTo(204);
      } finally {
        server.stop();
        manager.stop();
        manager.undeploy();
      }
    }
  }

  @Test
  void docsPrintTheListenerThatThisTestRuns() throws Exception {
    String source = Files.readString(Path.of("src/test/java/io/theeye/web/PlainServletSetupTest.java"));
    String from = "// --- docs/web.md: from here ---\n";
    String code = source.substring(source.indexOf(from) + from.length(),
        source.indexOf("  // --- docs/web.md: to here ---"));
    String unindented = code.replaceAll("(?m)^  ", "").replace("public static final class", "public final class");
    assertThat(Files.readString(Path.of("..", "docs", "web.md"))).contains(unindented);
  }
}
