package io.theeye.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The machine a run happened on, as recorded next to every result. */
final class Machine {

  private Machine() {}

  /** CPU count and model, memory, JDK and OS. */
  static Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    m.put("cpu_model", cpuModel().orElse("unknown"));
    m.put("memory_total_mib", memTotalMib().orElse(-1L));
    m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch") + osRelease().map(r -> " (" + r + ")").orElse(""));
    return m;
  }

  private static Optional<String> cpuModel() {
    return grep(Path.of("/proc/cpuinfo"), "model name");
  }

  private static Optional<Long> memTotalMib() {
    return grep(Path.of("/proc/meminfo"), "MemTotal")
        .map(v -> Long.parseLong(v.replaceAll("[^0-9]", "")) / 1024);
  }

  private static Optional<String> osRelease() {
    return grep(Path.of("/etc/os-release"), "PRETTY_NAME").map(v -> v.replace("\"", ""));
  }

  private static Optional<String> grep(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          int sep = line.indexOf(':') >= 0 ? line.indexOf(':') : line.indexOf('=');
          return Optional.of(line.substring(sep + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable: the description says "unknown".
    }
    return Optional.empty();
  }
}
