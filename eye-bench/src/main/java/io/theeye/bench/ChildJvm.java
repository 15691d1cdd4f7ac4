package io.theeye.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM started from this benchmark's own classpath, talking over its standard streams: lines
 * starting with {@code @@ } are protocol, everything else goes to a log file.
 */
final class ChildJvm implements AutoCloseable {

  private final Process process;
  private final BufferedReader out;
  private final BufferedWriter in;
  private final PrintWriter log;
  private boolean closed;

  private ChildJvm(Process process, Path logFile) throws IOException {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.log = new PrintWriter(Files.newBufferedWriter(logFile), true);
  }

  /** The {@code java} launcher of the running JVM. */
  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Starts {@code mainClass} with {@code jvmArgs} on this JVM's classpath; stderr goes to the log. */
  static ChildJvm start(List<String> jvmArgs, Class<?> mainClass, List<String> args, Path logFile)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(args);
    Path errFile = Path.of(logFile + ".err");
    Process p = new ProcessBuilder(command)
        .redirectError(errFile.toFile())
        .start();
    return new ChildJvm(p, logFile);
  }

  /** The next protocol line's words after {@code @@}, skipping (and logging) other output. */
  String[] expect(String word) throws IOException {
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("@@ ")) {
        String[] words = line.substring(3).trim().split(" ");
        if (!words[0].equals(word)) {
          throw new IOException("expected " + word + " from the child, got: " + line);
        }
        return words;
      }
      log.println(line);
    }
    throw new IOException("the child exited (status " + waitFor() + ") before saying " + word
        + "; see its log");
  }

  /** Sends one line to the child. */
  void send(String line) throws IOException {
    in.write(line);
    in.newLine();
    in.flush();
  }

  long pid() {
    return process.pid();
  }

  private int waitFor() {
    try {
      return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Waits for the child to exit (killing it after 30 s) and closes the log; idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (waitFor() < 0) {
        process.destroyForcibly();
      }
      String line;
      while ((line = out.readLine()) != null) {
        log.println(line);
      }
    } finally {
      log.close();
    }
  }
}
