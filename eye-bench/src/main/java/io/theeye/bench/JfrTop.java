package io.theeye.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's CPU samples ({@code jdk.ExecutionSample}) went: by thread (with pool
 * numbers folded, so all Undertow workers count together), by top frame, and by the first frame in
 * The Eye's own code — the same as {@code jfr print --events jdk.ExecutionSample} tallied by hand.
 * Time inside native code (SQLite's C, socket calls) is not in those samples; {@code
 * jdk.NativeMethodSample} shows it, by thread and native method, counting waiting as well as work.
 */
final class JfrTop {

  private JfrTop() {}

  /** Sample shares in percent, largest first, per section (thread, top frame, first Eye frame, native). */
  static Map<String, List<Map.Entry<String, Double>>> summarize(Path recording, int limit) throws IOException {
    Map<String, Long> byThread = new HashMap<>();
    Map<String, Long> byTop = new HashMap<>();
    Map<String, Long> byEye = new HashMap<>();
    Map<String, Long> nativeByMethod = new HashMap<>();
    long total = 0;
    long nativeTotal = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
      if (e.getEventType().getName().equals("jdk.NativeMethodSample")) {
        // Threads inside native code (SQLite, sockets, epoll waits): wall-clock, not only CPU.
        RecordedStackTrace stack = e.getStackTrace();
        String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
        if (stack != null && !stack.getFrames().isEmpty()) {
          nativeTotal++;
          nativeByMethod.merge(fold(thread) + " in " + name(stack.getFrames().get(0)), 1L, Long::sum);
        }
        continue;
      }
      if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
        continue;
      }
      total++;
      String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
      byThread.merge(fold(thread), 1L, Long::sum);
      RecordedStackTrace stack = e.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      byTop.merge(name(stack.getFrames().get(0)), 1L, Long::sum);
      for (RecordedFrame f : stack.getFrames()) {
        if (f.getMethod().getType().getName().startsWith("io.theeye.")) {
          byEye.merge(name(f), 1L, Long::sum);
          break;
        }
      }
    }
    Map<String, List<Map.Entry<String, Double>>> out = new LinkedHashMap<>();
    out.put("thread (" + total + " CPU samples)", top(byThread, total, limit));
    out.put("top frame", top(byTop, total, limit));
    out.put("first io.theeye frame", top(byEye, total, limit));
    out.put("native method (" + nativeTotal + " wall-clock samples)", top(nativeByMethod, nativeTotal, limit));
    return out;
  }

  /** Pool threads counted together: "XNIO-1 task-7" becomes "XNIO-N task-N". */
  private static String fold(String thread) {
    return thread == null ? "?" : thread.replaceAll("\\d+", "N");
  }

  private static String name(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
  }

  private static List<Map.Entry<String, Double>> top(Map<String, Long> counts, long total, int limit) {
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(limit)
        .map(e -> Map.entry(e.getKey(), 100.0 * e.getValue() / Math.max(1, total)))
        .collect(Collectors.toList());
  }
}
