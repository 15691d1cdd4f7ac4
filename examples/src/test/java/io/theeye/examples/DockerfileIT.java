package io.theeye.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.theeye.testsupport.ChildProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be checked of the container image without a container engine (CI has none; the real run is
 * scripts/container-smoke.sh, results in docs/docker.md): the files the Dockerfile copies exist in the
 * build output, the image runs as a non-root user on port 8080 with an exec-form entrypoint, and its
 * exact command, environment and config file start a collector whose health check passes and which stops
 * cleanly on SIGTERM.
 */
@Timeout(120)
class DockerfileIT {

  static final Path ROOT = NewcomerPathIT.MODULE.getParent();
  private static final Path JAR = ROOT.resolve("eye-collector/target/eye-collector.jar");

  @TempDir
  Path data;

  private static Dockerfile runtime() throws Exception {
    return Dockerfile.read(ROOT.resolve("Dockerfile")).finalStage();
  }

  /** COPY destination → source in the build context, for the runtime stage's plain COPYs. */
  private static Map<String, Path> copies(Dockerfile stage) {
    Map<String, Path> copies = new LinkedHashMap<>();
    for (String args : stage.all("COPY")) {
      String[] parts = args.split("\\s+");
      if (!parts[0].startsWith("--")) {
        copies.put(parts[parts.length - 1], ROOT.resolve(parts[0]));
      }
    }
    return copies;
  }

  @Test
  void copiesTheJarThatTheBuildProducesAndTheShippedConfigFile() throws Exception {
    Map<String, Path> copies = copies(runtime());
    assertThat(copies).containsEntry("/opt/eye/eye-collector.jar", JAR);
    copies.values().forEach(source -> assertThat(source).isRegularFile());
    assertThat(copies.get(runtime().env().get("EYE_CONFIG"))).isEqualTo(ROOT.resolve("docker/collector.properties"));
    // The build context keeps what the COPYs need.
    List<String> ignore = Files.readAllLines(ROOT.resolve(".dockerignore"), StandardCharsets.UTF_8);
    assertThat(ignore).contains("**/target", "!eye-collector/target/eye-collector.jar").doesNotContain("docker", "docker/");
  }

  @Test
  void runsAsAnUnprivilegedUserOnPort8080WithAnExecFormEntrypoint() throws Exception {
    Dockerfile image = runtime();
    assertThat(image.last("USER")).isEqualTo("eye:eye");
    assertThat(String.join(" ", image.all("RUN"))).contains("useradd --system --uid 10001 --gid eye");
    assertThat(image.last("EXPOSE")).isEqualTo("8080");
    assertThat(image.last("STOPSIGNAL")).isEqualTo("SIGTERM");
    assertThat(image.last("VOLUME")).isEqualTo("[\"/data\"]");
    assertThat(image.last("WORKDIR")).isEqualTo("/data");
    assertThat(Dockerfile.execForm(image.last("ENTRYPOINT"))).containsExactly("java", "-jar", "/opt/eye/eye-collector.jar");
    assertThat(image.env()).containsEntry("EYE_HOST", "0.0.0.0").containsEntry("EYE_PORT", "8080")
        .containsEntry("EYE_CONFIG", "/etc/eye/collector.properties")
        .containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError");
    assertThat(image.last("HEALTHCHECK")).contains("CMD [\"bash\", \"-c\"").contains("GET /health");
    assertThat(image.last("FROM")).isEqualTo("debian:bookworm-slim");
    assertThat(String.join(" ", image.all("RUN")))
        .contains("--no-install-recommends openjdk-17-jre-headless", "rm -rf /var/lib/apt/lists/*");
  }

  @Test
  void theMultistageVariantRunsTheSameImageFromAJarItBuilds() throws Exception {
    Dockerfile multistage = Dockerfile.read(ROOT.resolve("Dockerfile.multistage"));
    List<Dockerfile.Instruction> runtime = new ArrayList<>(runtime().instructions());
    List<Dockerfile.Instruction> theirs = new ArrayList<>(multistage.finalStage().instructions());
    assertThat(theirs).contains(new Dockerfile.Instruction("COPY",
        "--from=build /src/eye-collector/target/eye-collector.jar /opt/eye/eye-collector.jar"));
    runtime.removeIf(i -> i.keyword().equals("COPY") && i.arguments().endsWith(" /opt/eye/eye-collector.jar"));
    theirs.removeIf(i -> i.keyword().equals("COPY") && i.arguments().endsWith(" /opt/eye/eye-collector.jar"));
    assertThat(theirs).containsExactlyElementsOf(runtime);
    String build = String.join("\n", multistage.all("RUN"));
    assertThat(build).contains("./mvnw -B -q -pl eye-collector -am package -DskipTests");
    // Every module's pom is in the build stage, or the reactor refuses to start.
    java.util.regex.Matcher modules = java.util.regex.Pattern.compile("<module>([^<]+)</module>")
        .matcher(Files.readString(NewcomerPathIT.MODULE.resolveSibling("pom.xml")));
    List<String> all = new java.util.ArrayList<>();
    while (modules.find()) {
      all.add(modules.group(1));
    }
    assertThat(all).contains("eye-model", "eye-collector", "eye-web", "eye-test-support");
    for (String module : all) {
      assertThat(multistage.all("COPY")).as("the pom of %s", module).anyMatch(c -> c.startsWith(module + "/"));
    }
  }

  @Test
  void theImagesCommandEnvironmentAndConfigStartACollectorThatIsHealthyAndStopsCleanly() throws Exception {
    Dockerfile image = runtime();
    Map<String, Path> copies = copies(image);
    List<String> entrypoint = Dockerfile.execForm(image.last("ENTRYPOINT"));

    // The image's environment, with a free port and a temporary directory standing in for /data.
    Map<String, String> env = new HashMap<>(image.env());
    env.put("EYE_PORT", "0");
    Path config = data.resolve("collector.properties");
    Files.writeString(config, Files.readString(copies.get(env.get("EYE_CONFIG")), StandardCharsets.UTF_8)
        .replace("/data/", data.toString() + "/"), StandardCharsets.UTF_8);
    env.put("EYE_CONFIG", config.toString());

    try (ChildProcess collector = ChildProcess.javaJar(data, env, List.of(), copies.get(entrypoint.get(2)))) {
      String listening = collector.awaitLine("listening on ");
      assertThat(listening).startsWith("listening on http://0.0.0.0:");
      int port = URI.create(listening.substring("listening on ".length()).trim()).getPort();
      assertThat(data.resolve("eye.db")).as("the config file's db = /data/eye.db").isRegularFile();

      HttpResponse<String> health = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(10))
              .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);

      assertThat(runHealthCheck(image, port)).as("the HEALTHCHECK command against the collector").isZero();
      int closed;
      try (ServerSocket s = new ServerSocket(0)) {
        closed = s.getLocalPort();
      }
      assertThat(runHealthCheck(image, closed)).as("the HEALTHCHECK command against a closed port").isNotZero();

      collector.terminate();
      assertThat(collector.awaitExit(60)).as(collector.output()).isZero();
      assertThat(collector.output()).contains("stopped: everything queued was committed");
    }
  }

  /** Runs the image's HEALTHCHECK command on this machine, with EYE_PORT set as the image would have it. */
  private static int runHealthCheck(Dockerfile image, int port) throws Exception {
    String healthcheck = image.last("HEALTHCHECK");
    List<String> command = Dockerfile.execForm(healthcheck.substring(healthcheck.indexOf("CMD ") + 4).strip());
    assumeThat(Path.of("/bin/bash")).as("bash, as in the image").isRegularFile();
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("EYE_PORT", Integer.toString(port));
    Process p = pb.start();
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  @Test
  void composeRunsTheCollectorAndTheDemoWithTheSameApplicationKeys() throws Exception {
    JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("compose.yaml").toFile());
    JsonNode collector = compose.path("services").path("collector");
    JsonNode demo = compose.path("services").path("demo");
    assertThat(collector.path("build").asText()).isEqualTo(".");
    assertThat(demo.path("image").asText()).isEqualTo(collector.path("image").asText());
    assertThat(collector.path("volumes").get(0).asText()).endsWith(":/data");
    assertThat(collector.path("stop_grace_period").asText()).isEqualTo("70s");

    Set<String> keys = new TreeSet<>();
    collector.path("environment").fields().forEachRemaining(e -> {
      assertThat(e.getKey()).startsWith("EYE_APP_");
      keys.add(e.getValue().asText());
    });
    Set<String> demoKeys = new TreeSet<>();
    demo.path("command").forEach(arg -> {
      if (arg.asText().startsWith("--app=")) {
        demoKeys.add(arg.asText().substring("--app=".length()));
      }
    });
    assertThat(demoKeys).isNotEmpty().isEqualTo(keys);
    String jarMount = demo.path("volumes").get(0).asText();
    assertThat(ROOT.resolve(jarMount.substring(0, jarMount.indexOf(':')))).isRegularFile();
    assertThat(Dockerfile.execForm(demo.path("entrypoint").toString().replace(",", ", ")))
        .containsExactly("java", "-jar", jarMount.split(":")[1]);
  }
}
