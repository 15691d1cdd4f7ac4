package io.theeye.collector;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@link CollectorMain} in its own JVM, as an operator runs it: for kill and SIGTERM tests. */
final class ChildCollector implements AutoCloseable {

  private final Process process;
  private final StringBuffer stdout = new StringBuffer();
  private final Path stderr;
  private final CompletableFuture<URI> listening = new CompletableFuture<>();

  private ChildCollector(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    Thread reader = new Thread(this::readStdout, "child-collector-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code CollectorMain} with {@code args} in a new JVM on this test's class path. */
  static ChildCollector start(Path workDir, String... args) throws IOException {
    return startWithHeap(workDir, "256m", args);
  }

  /** As {@link #start}, with the JVM's maximum heap {@code -Xmx<heap>}. */
  static ChildCollector startWithHeap(Path workDir, String heap, String... args) throws IOException {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), CollectorMain.class.getName()));
    command.addAll(List.of(args));
    Path stderr = Files.createTempFile(workDir, "collector-", ".stderr");
    Process p = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectError(stderr.toFile())
        .start();
    return new ChildCollector(p, stderr);
  }

  private void readStdout() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        stdout.append(line).append('\n');
        if (line.startsWith(CollectorMain.LISTENING_PREFIX)) {
          listening.complete(URI.create(line.substring(CollectorMain.LISTENING_PREFIX.length()).trim()));
        }
      }
    } catch (IOException e) {
      listening.completeExceptionally(e);
    }
    listening.completeExceptionally(new IllegalStateException("the collector exited before listening:\n" + output()));
  }

  /** The address from the {@code listening on} line. */
  URI awaitListening() throws Exception {
    return listening.get(60, TimeUnit.SECONDS);
  }

  Process process() {
    return process;
  }

  /** Waits for the process to exit and returns its exit code. */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the collector did not exit");
    }
    return process.exitValue();
  }

  /** Everything the process wrote to standard output and standard error so far. */
  String output() {
    try {
      return stdout + Files.readString(stderr, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return stdout + "\n(stderr unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
