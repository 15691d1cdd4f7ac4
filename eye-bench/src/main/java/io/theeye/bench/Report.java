package io.theeye.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one suite found: a compact table for people, {@code RESULT <name> <value> <unit>} lines for
 * scripts, and the same figures as a JSON file under the results directory.
 */
final class Report {

  /** One key figure. */
  record Result(String name, double value, String unit) {}

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();
  private static final DateTimeFormatter FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final String suite;
  private final boolean quick;
  private final Instant startedAt = Instant.now();
  private final Map<String, Object> parameters = new LinkedHashMap<>();
  private final Map<String, String> notes = new LinkedHashMap<>();
  private final List<Result> results = new ArrayList<>();
  private final List<String> header = new ArrayList<>();
  private final List<List<String>> rows = new ArrayList<>();

  Report(String suite, boolean quick) {
    this.suite = suite;
    this.quick = quick;
  }

  String suite() {
    return suite;
  }

  /** Records a run parameter (shown in the JSON file and at the top of the table). */
  Report parameter(String name, Object value) {
    parameters.put(name, value);
    return this;
  }

  /** Records how a figure was measured, for the JSON file. */
  Report note(String name, String text) {
    notes.put(name, text);
    return this;
  }

  /** Sets the table's column names. */
  void columns(String... names) {
    header.clear();
    header.addAll(List.of(names));
  }

  /** Adds one table row. */
  void row(Object... cells) {
    List<String> row = new ArrayList<>(cells.length);
    for (Object c : cells) {
      row.add(c instanceof Double d ? format(d) : String.valueOf(c));
    }
    rows.add(row);
  }

  /** Adds a key figure. */
  void result(String name, double value, String unit) {
    results.add(new Result(suite + "." + name, value, unit));
  }

  List<Result> results() {
    return List.copyOf(results);
  }

  /** Prints the table and the RESULT lines. */
  void print(PrintStream out) {
    out.println();
    out.println("== " + suite + (quick ? " (quick)" : "") + " " + parameters);
    if (!header.isEmpty()) {
      int[] width = new int[header.size()];
      for (int i = 0; i < width.length; i++) {
        width[i] = header.get(i).length();
        for (List<String> r : rows) {
          if (i < r.size()) {
            width[i] = Math.max(width[i], r.get(i).length());
          }
        }
      }
      out.println(line(header, width));
      StringBuilder rule = new StringBuilder();
      for (int w : width) {
        rule.append("-".repeat(w)).append("  ");
      }
      out.println(rule.toString().stripTrailing());
      for (List<String> r : rows) {
        out.println(line(r, width));
      }
    }
    for (Result r : results) {
      out.println("RESULT " + r.name() + " " + format(r.value()) + " " + r.unit());
    }
    out.flush();
  }

  /** Writes {@code <suite>-<UTC time>.json} into {@code dir} and returns its path. */
  Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(suite + (quick ? "-quick-" : "-") + FILE_TIME.format(startedAt) + ".json");
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("suite", suite);
    doc.put("quick", quick);
    doc.put("started_at", startedAt.toString());
    doc.put("finished_at", Instant.now().toString());
    doc.put("machine", Machine.describe());
    doc.put("parameters", parameters);
    doc.put("notes", notes);
    List<Map<String, Object>> list = new ArrayList<>();
    for (Result r : results) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", r.name());
      m.put("value", r.value());
      m.put("unit", r.unit());
      list.add(m);
    }
    doc.put("results", list);
    Map<String, Object> table = new LinkedHashMap<>();
    table.put("columns", header);
    table.put("rows", rows);
    doc.put("table", table);
    JSON.writeValue(file.toFile(), doc);
    return file;
  }

  private static String line(List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      // Text left-aligned, numbers right-aligned.
      boolean numeric = !c.isEmpty() && (Character.isDigit(c.charAt(0)) || c.charAt(0) == '-');
      String pad = " ".repeat(Math.max(0, width[i] - c.length()));
      b.append(numeric && i > 0 ? pad + c : c + pad).append("  ");
    }
    return b.toString().stripTrailing();
  }

  /** Integers without decimals, small values with three significant decimals. */
  static String format(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return String.valueOf(v);
    }
    if (Math.abs(v) >= 100 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (Math.abs(v) >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (Math.abs(v) >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }
}
