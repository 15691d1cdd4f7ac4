package io.theeye.testsupport;

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
 * A child JVM for tests that need a real process: a shaded jar started as a user starts it from a shell
 * ({@link #javaJar}), or a main class on the test's own class path ({@link #javaMain}) for kill and
 * SIGTERM tests. Its own working directory, standard output captured line by line, standard error to a
 * file; {@link #output()} shows both when an assertion fails.
 *
 * <pre>{@code
 * try (ChildProcess collector = ChildProcess.javaJar(dir, Map.of(), List.of(), jar, "--port", "0")) {
 *   String listening = collector.awaitLine("listening on ");
 *   ...
 *   collector.terminate();
 *   assertThat(collector.awaitExit(60)).as(collector.output()).isZero();
 * }
 * }</pre>
 */
public final class ChildProcess implements AutoCloseable {

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
   * Runs {@code java [jvmArgs] -jar jar args...} in {@code workDir}, as a user does: no {@code EYE_*}
   * variables inherited from the build's environment, plus the given extra environment.
   *
   * @param jvmArgs options before {@code -jar}
   */
  public static ChildProcess javaJar(Path workDir, Map<String, String> env, List<String> jvmArgs, Path jar,
      String... args) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: build it first with ./mvnw -B package");
    }
    List<String> command = java(jvmArgs);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(name -> name.startsWith("EYE_"));
    pb.environment().putAll(env);
    return start(workDir, pb);
  }

  /**
   * Runs {@code java [jvmArgs] -cp <this JVM's class path> mainClass args...} in {@code workDir}, with
   * this JVM's environment.
   *
   * @param jvmArgs options before {@code -cp}
   */
  public static ChildProcess javaMain(Path workDir, List<String> jvmArgs, Class<?> mainClass, String... args)
      throws IOException {
    List<String> command = java(jvmArgs);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
    command.addAll(List.of(args));
    return start(workDir, new ProcessBuilder(command));
  }

  /**
   * Runs a shell script as a user pastes it into a terminal ({@code bash -c script}) in {@code workDir}:
   * no {@code EYE_*} variables inherited from the build's environment, plus the given extra environment.
   * A script that starts a long-running program should {@code exec} it, so that {@link #terminate()}
   * reaches that program.
   */
  public static ChildProcess bash(Path workDir, Map<String, String> env, String script) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script);
    pb.environment().keySet().removeIf(name -> name.startsWith("EYE_"));
    pb.environment().putAll(env);
    return start(workDir, pb);
  }

  /**
   * {@code java jvmArgs...}, with SIGHUP set back to its default action first ({@code env
   * --default-signal=HUP}) where coreutils' {@code env} can: a build started under {@code nohup} hands
   * every child an ignored SIGHUP, and a JVM leaves an ignored SIGHUP ignored, so a child collector
   * could not be reloaded with {@code kill -HUP} as it can when an operator starts it.
   */
  private static List<String> java(List<String> jvmArgs) {
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/env")) && ENV_RESETS_SIGNALS) {
      command.addAll(List.of("/usr/bin/env", "--default-signal=HUP"));
    }
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    return command;
  }

  private static final boolean ENV_RESETS_SIGNALS = envResetsSignals();

  private static boolean envResetsSignals() {
    try {
      Process p = new ProcessBuilder("/usr/bin/env", "--default-signal=HUP", "true").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static ChildProcess start(Path workDir, ProcessBuilder pb) throws IOException {
    Path stderr = Files.createTempFile(workDir, "child-", ".stderr");
    pb.directory(workDir.toFile()).redirectError(stderr.toFile());
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
  public String awaitLine(String prefix) throws Exception {
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
  public int awaitExit(long seconds) throws Exception {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the process did not end within " + seconds + " s:\n" + output());
    }
    stdoutClosed.get(10, TimeUnit.SECONDS);
    return process.exitValue();
  }

  /** The process, e.g. to {@code destroyForcibly()} it as {@code kill -9} does. */
  public Process process() {
    return process;
  }

  /**
   * Sends SIGTERM, as {@code kill PID}, {@code docker stop} or a service manager does. Through the
   * process handle: {@code Process.destroy()} would also close this end of the child's standard output,
   * losing what it prints while it stops.
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** Everything the process wrote to standard output so far. */
  public String stdout() {
    return stdout.toString();
  }

  /** Standard output, then standard error. */
  public String output() {
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
