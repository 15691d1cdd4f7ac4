package io.theeye.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL of {@code docs/analytics.md}, exactly as analysts copy it: each query is the {@code sql} code
 * block right after an {@code <!-- query: NAME -->} marker, with named parameters ({@code :session_id}).
 */
final class AnalyticsDoc {

  private static final Pattern QUERY = Pattern.compile(
      "<!-- query: ([a-z0-9-]+) -->\\s*```sql\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern PARAMETER = Pattern.compile("(?<![:\\w]):([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern STRING_LITERAL = Pattern.compile("'(?:[^']|'')*'");

  private final Map<String, String> queries;
  private final java.util.Set<String> run = new java.util.TreeSet<>();

  private AnalyticsDoc(Map<String, String> queries) {
    this.queries = queries;
  }

  static AnalyticsDoc load(Path file) throws IOException {
    Map<String, String> queries = new LinkedHashMap<>();
    Matcher m = QUERY.matcher(Files.readString(file, StandardCharsets.UTF_8));
    while (m.find()) {
      if (queries.put(m.group(1), m.group(2).trim()) != null) {
        throw new IllegalStateException(file + " names the query " + m.group(1) + " twice");
      }
    }
    return new AnalyticsDoc(queries);
  }

  /** The query's text as documented. */
  String sql(String name) {
    String sql = queries.get(name);
    if (sql == null) {
      throw new IllegalStateException("docs/analytics.md has no query named " + name + "; it has " + queries.keySet());
    }
    return sql;
  }

  /** Every documented query's name. */
  java.util.Set<String> names() {
    return queries.keySet();
  }

  /**
   * Runs the named query with its parameters bound by name, and returns its rows as column → value maps.
   * SQLite numbers named parameters in the order their names first appear, which is how they are bound.
   */
  List<Map<String, Object>> run(Connection connection, String name, Map<String, ?> parameters) throws SQLException {
    String sql = sql(name);
    run.add(name);
    List<String> order = parameterNames(sql);
    if (!order.containsAll(parameters.keySet()) || !parameters.keySet().containsAll(order)) {
      throw new IllegalStateException("query " + name + " takes " + order + ", given " + parameters.keySet());
    }
    return query(connection, sql, parameters);
  }

  /**
   * Runs one statement with its named parameters bound from {@code parameters} (extra entries are
   * ignored) and returns its rows as column → value maps.
   */
  static List<Map<String, Object>> query(Connection connection, String sql, Map<String, ?> parameters)
      throws SQLException {
    List<String> order = parameterNames(sql);
    try (PreparedStatement statement = connection.prepareStatement(sql.replaceAll(";\\s*$", ""))) {
      for (int i = 0; i < order.size(); i++) {
        statement.setObject(i + 1, parameters.get(order.get(i)));
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        ResultSetMetaData meta = rs.getMetaData();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int c = 1; c <= meta.getColumnCount(); c++) {
            row.put(meta.getColumnLabel(c), rs.getObject(c));
          }
          rows.add(row);
        }
      }
      return rows;
    }
  }

  /** The details of {@code EXPLAIN QUERY PLAN} for the named query with these parameters. */
  List<String> plan(Connection connection, String name, Map<String, ?> parameters) throws SQLException {
    return planOf(connection, sql(name), parameters);
  }

  /** The details of {@code EXPLAIN QUERY PLAN} for one statement with these parameters. */
  static List<String> planOf(Connection connection, String sql, Map<String, ?> parameters) throws SQLException {
    List<String> order = parameterNames(sql);
    try (PreparedStatement statement = connection.prepareStatement("EXPLAIN QUERY PLAN " + sql.replaceAll(";\\s*$", ""))) {
      for (int i = 0; i < order.size(); i++) {
        statement.setObject(i + 1, parameters.get(order.get(i)));
      }
      List<String> details = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          details.add(rs.getString("detail"));
        }
      }
      return details;
    }
  }

  /** The documented queries that {@link #run} has not run yet. */
  java.util.Set<String> notRun() {
    java.util.Set<String> left = new java.util.TreeSet<>(queries.keySet());
    left.removeAll(run);
    return left;
  }

  /** The query's parameter names, each once, in order of first appearance (string literals skipped). */
  static List<String> parameterNames(String sql) {
    String code = STRING_LITERAL.matcher(sql).replaceAll("''");
    code = code.replaceAll("--[^\\n]*", "");
    List<String> names = new ArrayList<>();
    Matcher m = PARAMETER.matcher(code);
    while (m.find()) {
      if (!names.contains(m.group(1))) {
        names.add(m.group(1));
      }
    }
    return names;
  }
}
