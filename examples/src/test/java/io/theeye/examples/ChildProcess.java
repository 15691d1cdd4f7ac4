package io.theeye.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code java -jar} child process, started as a user starts it from a shell: its own working directory,
 * no {@code EYE_*} variables inherited from the build's environment, standard output captured line by line.
 */
final class ChildProcess implements AutoCloseable {

  private final Process process;
  private final Path stderr;
  private final StringBuffer stdout = new StringBuffer();
  private final List<Waiter> waiters = new ArrayList<>();
  private final CompletableFuture<Void> stdoutClosed = new CompletableFuture<>();

  private record Waiter(Predicate<String> match, CompletableFuture<String> line) {}

  private ChildProcess(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    Thread reader = new Thread(this::readStdout, "child-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Runs {@code java [jvmArgs] -jar jar args...} in {@code workDir} with the given extra environment.
   *
   * @param jvmArgs options before {@code -jar}
   */
  static ChildProcess javaJar(Path workDir, Map<String, String> env, List<String> jvmArgs, Path jar, String... args)
      throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: build it first with ./mvnw -B package");
    }
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    Path stderr = Files.createTempFile(workDir, "child-", ".stderr");
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectError(stderr.toFile());
    pb.environment().keySet().removeIf(name -> name.startsWith("EYE_"));
    pb.environment().putAll(env);
    return new ChildProcess(pb.start(), stderr);
  }

  private void readStdout() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        stdout.append(line).append('\n');
        synchronized (waiters) {
          for (Waiter w : waiters) {
            if (!w.line().isDone() && w.match().test(line)) {
              w.line().complete(line);
            }
          }
        }
      }
    } catch (IOException e) {
      // The process is gone; the waiters below learn it.
    }
    synchronized (waiters) {
      stdoutClosed.complete(null);
      waiters.forEach(w -> w.line().completeExceptionally(
          new IllegalStateException("the process ended before printing the expected line:\n" + output())));
    }
  }

  /** The first line of standard output that starts with {@code prefix} (waits up to 60 s for it). */
  String awaitLine(String prefix) throws Exception {
    CompletableFuture<String> line = new CompletableFuture<>();
    synchronized (waiters) {
      for (String l : stdout.toString().split("\n")) {
        if (l.startsWith(prefix)) {
          return l;
        }
      }
      if (stdoutClosed.isDone()) {
        throw new IllegalStateException("the process ended before printing '" + prefix + "':\n" + output());
      }
      waiters.add(new Waiter(l -> l.startsWith(prefix), line));
    }
    return line.get(60, TimeUnit.SECONDS);
  }

  /** Waits up to {@code seconds} for the process to end and returns its exit code. */
  int awaitExit(long seconds) throws Exception {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the process did not end within " + seconds + " s:\n" + output());
    }
    stdoutClosed.get(10, TimeUnit.SECONDS);
    return process.exitValue();
  }

  /** Sends SIGTERM, as {@code kill PID}, {@code docker stop} or a service manager does. */
  void terminate() {
    process.destroy();
  }

  /** Everything the process wrote to standard output so far. */
  String stdout() {
    return stdout.toString();
  }

  /** Standard output, then standard error. */
  String output() {
    try {
      return stdout + "--- stderr ---\n" + Files.readString(stderr, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return stdout + "(stderr unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
