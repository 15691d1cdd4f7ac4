package io.theeye.collector.storage;

import io.theeye.model.Timestamps;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builders for storage rows and a plain JDBC reader for asserting on what a store wrote. */
public final class TestRows {

  /** A fixed receipt time. */
  public static final Instant RECEIVED = Timestamps.parse("2021-01-01 10:00:00.000000");

  private TestRows() {}

  /** An event of type {@code page interaction/pageview} with {@code data} {@code {"path":"/"}}. */
  public static EventRow event(String eventId, String sessionId, String occurredAt) {
    return new EventRow(eventId, sessionId, "page interaction", "pageview",
        Timestamps.parse(occurredAt), 0L, "{\"path\":\"/\"}");
  }

  /** An event with every field given. */
  public static EventRow event(String eventId, String sessionId, String category, String name,
      String occurredAt, Long seq, String dataJson) {
    return new EventRow(eventId, sessionId, category, name, Timestamps.parse(occurredAt), seq, dataJson);
  }

  /** A request of valid events only, received at {@link #RECEIVED}. */
  public static WriteRequest request(String appId, EventRow... events) {
    return new WriteRequest(appId, RECEIVED, Arrays.asList(events), List.of());
  }

  /** A read-only JDBC connection to {@code file}, separate from any store's. */
  public static Connection reader(Path file) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
  }

  /** Runs {@code sql} with {@code args} on a fresh connection and returns every row as strings. */
  public static List<List<String>> query(Path file, String sql, Object... args) throws SQLException {
    try (Connection c = reader(file)) {
      return query(c, sql, args);
    }
  }

  /** Runs {@code sql} with {@code args} on {@code connection} and returns every row as strings. */
  public static List<List<String>> query(Connection connection, String sql, Object... args)
      throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      List<List<String>> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<String> row = new ArrayList<>(columns);
          for (int c = 1; c <= columns; c++) {
            row.add(rs.getString(c));
          }
          rows.add(row);
        }
      }
      return rows;
    }
  }

  /** The single value {@code sql} returns, as a long. */
  public static long scalar(Path file, String sql, Object... args) throws SQLException {
    return Long.parseLong(query(file, sql, args).get(0).get(0));
  }
}
