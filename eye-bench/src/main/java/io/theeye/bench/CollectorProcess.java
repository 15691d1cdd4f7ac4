package io.theeye.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real collector (or another server jar: {@link #startJar}), started from its shaded jar as a child process: {@code java -Xmx512m
 * -Xlog:gc:file=… -jar eye-collector.jar --port 0 --db … --app …}. Its address comes from the
 * startup line {@code listening on http://H:N}; its heap figures from its own GC log (heap occupancy
 * before and after every collection, as HotSpot reports it); its peak resident memory from
 * {@code /proc/<pid>/status} (VmHWM).
 */
final class CollectorProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+?)/?\\s*$");
  private static final Pattern GC_HEAP = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

  private final Process process;
  private final Path gcLog;
  private final String baseUrl;
  private final Thread drain;

  private CollectorProcess(Process process, Path gcLog, String baseUrl, Thread drain) {
    this.process = process;
    this.gcLog = gcLog;
    this.baseUrl = baseUrl;
    this.drain = drain;
  }

  /**
   * Starts the collector and waits (up to two minutes) for its startup line.
   *
   * @param extraArgs further collector flags, e.g. {@code --queue-capacity}
   */
  static CollectorProcess start(Path jar, String xmx, Path db, String app, List<String> extraArgs, Path logDir)
      throws IOException {
    return start(jar, xmx, db.toString(), app, extraArgs, logDir);
  }

  /**
   * Starts the collector on {@code db}, a SQLite path or a {@code jdbc:postgresql:} URL, with its logs
   * in {@code logDir}; see {@link #start(Path, String, Path, String, List, Path)}.
   */
  static CollectorProcess start(Path jar, String xmx, String db, String app, List<String> extraArgs, Path logDir)
      throws IOException {
    return start(jar, xmx, List.of(), db, app, extraArgs, logDir);
  }

  /** As {@link #start(Path, String, String, String, List, Path)}, with further JVM flags (e.g. GC). */
  static CollectorProcess start(Path jar, String xmx, List<String> jvmArgs, String db, String app,
      List<String> extraArgs, Path logDir) throws IOException {
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0", "--db", db, "--app", app));
    args.addAll(extraArgs);
    return startJar("collector", jar, xmx, jvmArgs, args, logDir);
  }

  /**
   * Starts any server jar that prints {@code listening on http://H:N} once it serves — the collector,
   * or the demo shop — as {@code java -Xmx… -Xlog:gc:file=<logDir>/<name>-gc.log -jar jar args…}, its
   * output in {@code <logDir>/<name>.log}, and waits (up to two minutes) for that line.
   */
  static CollectorProcess startJar(String name, Path jar, String xmx, List<String> args, Path logDir)
      throws IOException {
    return startJar(name, jar, xmx, List.of(), args, logDir);
  }

  /** As {@link #startJar(String, Path, String, List, Path)}, with further JVM flags before {@code -jar}. */
  static CollectorProcess startJar(String name, Path jar, String xmx, List<String> jvmArgs, List<String> args,
      Path logDir) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("no " + name + " jar at " + jar.toAbsolutePath()
          + "; build it first: ./mvnw -B -q package -DskipTests");
    }
    Files.createDirectories(logDir);
    Path gcLog = logDir.resolve(name + "-gc.log");
    Path log = logDir.resolve(name + ".log");
    Files.deleteIfExists(gcLog);
    List<String> command = new ArrayList<>();
    command.add(ChildJvm.javaBinary());
    command.add("-Xmx" + xmx);
    // Wall-clock time on each line, to line pauses up with the load generator's slowest requests.
    command.add("-Xlog:gc:file=" + gcLog + ":time,uptime,level,tags");
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<String> url = new CompletableFuture<>();
    Thread drain = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
          PrintWriter file = new PrintWriter(Files.newBufferedWriter(log), true)) {
        String line;
        while ((line = out.readLine()) != null) {
          file.println(line);
          Matcher m = LISTENING.matcher(line);
          if (!url.isDone() && m.find()) {
            url.complete(m.group(1));
          }
        }
      } catch (IOException e) {
        url.completeExceptionally(e);
      }
      url.completeExceptionally(new IOException("the " + name + " exited before its startup line; see " + log));
    }, "eye-bench-" + name + "-output");
    drain.setDaemon(true);
    drain.start();
    try {
      return new CollectorProcess(p, gcLog, url.get(2, TimeUnit.MINUTES), drain);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IOException("the " + name + " did not start; see " + log, e);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  String baseUrl() {
    return baseUrl;
  }

  /**
   * One value of the collector's {@code GET /metrics}: the line that starts with {@code series} (its
   * labels included, e.g. {@code eye_writer_sync_seconds{quantile="0.99"}}); NaN when absent.
   */
  double metric(String series) throws IOException, InterruptedException {
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
        .connectTimeout(java.time.Duration.ofSeconds(5)).build();
    String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl + "/metrics"))
        .timeout(java.time.Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  long pid() {
    return process.pid();
  }

  /** Peak resident set size so far (VmHWM), bytes, if the OS tells. */
  Optional<Long> peakRss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux: no figure.
    }
    return Optional.empty();
  }

  /** Heap figures from the GC log: {peak before a GC, peak after a GC, collections}, bytes. */
  long[] gcHeap() throws IOException {
    long before = 0;
    long after = 0;
    long count = 0;
    if (Files.exists(gcLog)) {
      for (String line : Files.readAllLines(gcLog)) {
        Matcher m = GC_HEAP.matcher(line);
        if (m.find()) {
          before = Math.max(before, bytes(m.group(1), m.group(2)));
          after = Math.max(after, bytes(m.group(3), m.group(4)));
          count++;
        }
      }
    }
    return new long[] {before, after, count};
  }

  private static long bytes(String n, String unit) {
    long v = Long.parseLong(n);
    return switch (unit) {
      case "K" -> v << 10;
      case "M" -> v << 20;
      default -> v << 30;
    };
  }

  /**
   * Starts a JFR recording (settings=profile) in the running collector with {@code jcmd}, so the
   * profile covers the load only, not startup.
   */
  void startJfr(Path file) throws IOException, InterruptedException {
    jcmd("JFR.start", "name=eye-bench", "settings=profile", "filename=" + file.toAbsolutePath());
  }

  /** Stops the recording started by {@link #startJfr} and writes its file. */
  void stopJfr() throws IOException, InterruptedException {
    jcmd("JFR.stop", "name=eye-bench");
  }

  private void jcmd(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    command.add(Long.toString(process.pid()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("jcmd " + String.join(" ", args) + " failed: " + output);
    }
  }

  /** Sends SIGTERM and waits (up to two minutes) for a clean exit; returns the exit status. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      process.waitFor();
    }
    drain.join(10_000);
    return process.exitValue();
  }

  /** Kills the collector if it still runs (a failed benchmark must not leave it behind). */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
