package io.theeye.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The outbox's log as a storage engine: append, read, acknowledge, reopen, and damage of every kind. */
@Timeout(60)
class OutboxLogTest {

  private static final long BOUND = 1L << 30;
  /** Small segments, so that a few hundred records span several. */
  private static final long SEGMENT = 8 << 10;

  @TempDir
  Path dir;

  private static byte[] record(int i) {
    return ("{\"event_id\":\"e-" + i + "\",\"i\":" + i + ",\"pad\":\"" + "x".repeat(i % 50) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static OutboxLog writeAndClose(Path dir, int n) throws IOException {
    OutboxLog log = OutboxLog.open(dir, BOUND, SEGMENT);
    for (int i = 0; i < n; i++) {
      log.append(record(i));
    }
    log.sync();
    log.close();
    return log;
  }

  /** Everything the log gives to send, in order, settling nothing. */
  private static List<String> readAll(OutboxLog log) throws IOException {
    List<String> out = new ArrayList<>();
    OutboxLog.Range r;
    while ((r = log.read(100, 1 << 20)) != null) {
      for (byte[] rec : r.records) {
        out.add(new String(rec, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static List<String> expected(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(new String(record(i), StandardCharsets.UTF_8));
    }
    return out;
  }

  private List<Path> segments(Path d) throws IOException {
    try (Stream<Path> files = Files.list(d)) {
      return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  @Test
  void recordsComeBackInOrderAcrossSegmentsAndAcknowledgedOnesAreNotSentAgain() throws IOException {
    OutboxLog log = OutboxLog.open(dir, BOUND, SEGMENT);
    for (int i = 0; i < 600; i++) {
      log.append(record(i));
    }
    assertThat(segments(dir)).hasSizeGreaterThan(3);
    List<OutboxLog.Range> ranges = new ArrayList<>();
    OutboxLog.Range r;
    List<String> read = new ArrayList<>();
    while ((r = log.read(100, 1 << 20)) != null) {
      ranges.add(r);
      r.records.forEach(b -> read.add(new String(b, StandardCharsets.UTF_8)));
    }
    assertThat(read).containsExactlyElementsOf(expected(0, 600));
    int settled = 0;
    for (int k = 0; k < ranges.size() / 2; k++) {
      log.settle(ranges.get(k));
      settled += ranges.get(k).records.size();
    }
    // Settled out of order: the checkpoint stays before the first unsettled range.
    log.settle(ranges.get(ranges.size() - 1));
    log.sync();
    long before = log.storedBytes();
    log.close();

    OutboxLog reopened = OutboxLog.open(dir, BOUND, SEGMENT);
    assertThat(reopened.recoveredRecords()).isEqualTo(600 - settled);
    assertThat(readAll(reopened)).containsExactlyElementsOf(expected(settled, 600));
    assertThat(reopened.storedBytes()).isLessThanOrEqualTo(before);
    reopened.close();
  }

  @Test
  void acknowledgedSegmentsAreDeletedAndTheirBytesComeBack() throws IOException {
    OutboxLog log = OutboxLog.open(dir, BOUND, SEGMENT);
    for (int i = 0; i < 600; i++) {
      log.append(record(i));
    }
    long full = log.storedBytes();
    OutboxLog.Range r;
    while ((r = log.read(100, 1 << 20)) != null) {
      log.settle(r);
    }
    log.sync();

    assertThat(full).isPositive();
    // Only the segment being written is left, and only while it is under an eighth of a segment.
    assertThat(log.storedBytes()).isLessThan(SEGMENT / 8);
    assertThat(segments(dir)).hasSize(1);
    log.close();
    assertThat(OutboxLog.open(dir, BOUND, SEGMENT).recoveredRecords()).isZero();
  }

  @Test
  void everyCutOfTheNewestSegmentKeepsExactlyTheRecordsBeforeIt() throws IOException {
    Path original = dir.resolve("original");
    writeAndClose(original, 40);
    Path segment = segments(original).get(segments(original).size() - 1);
    byte[] bytes = Files.readAllBytes(segment);
    List<Integer> boundaries = new ArrayList<>();
    for (int pos = OutboxLog.HEADER; pos < bytes.length; pos += OutboxLog.FRAME_OVERHEAD
        + java.nio.ByteBuffer.wrap(bytes).getInt(pos)) {
      boundaries.add(pos);
    }
    boundaries.add(bytes.length);
    int firstInSegment = 40 - (boundaries.size() - 1);

    // Around the first and the last records' boundaries (torn length, torn checksum, torn payload,
    // exactly on the boundary), and at random bytes in between.
    java.util.TreeSet<Integer> cuts = new java.util.TreeSet<>();
    for (int k : List.of(0, 1, 2, boundaries.size() - 3, boundaries.size() - 2)) {
      int at = boundaries.get(k);
      for (int d : new int[] {0, 1, 4, 7, 8, 9}) {
        cuts.add(Math.min(at + d, bytes.length - 1));
      }
    }
    java.util.Random random = new java.util.Random();
    while (cuts.size() < 50) {
      cuts.add(OutboxLog.HEADER + random.nextInt(bytes.length - OutboxLog.HEADER));
    }
    for (int cut : cuts) {
      Path copy = dir.resolve("cut-" + cut);
      copyDir(original, copy);
      try (RandomAccessFile f = new RandomAccessFile(copy.resolve(segment.getFileName()).toFile(), "rw")) {
        f.setLength(cut);
      }
      int whole = 0;
      while (boundaries.get(whole + 1) <= cut) {
        whole++;
      }
      OutboxLog log = OutboxLog.open(copy, BOUND, SEGMENT);
      assertThat(readAll(log)).as("cut at %d", cut).containsExactlyElementsOf(expected(0, firstInSegment + whole));
      assertThat(log.cutBytes()).as("cut at %d", cut).isEqualTo(cut - boundaries.get(whole));
      // New records go after the intact ones and survive the next reopen.
      log.append(record(1000));
      log.sync();
      log.close();
      OutboxLog again = OutboxLog.open(copy, BOUND, SEGMENT);
      List<String> all = readAll(again);
      assertThat(all.get(all.size() - 1)).isEqualTo(new String(record(1000), StandardCharsets.UTF_8));
      assertThat(again.cutBytes()).isZero();
      again.close();
    }
  }

  @Test
  void aCorruptOlderSegmentIsSetAsideAndItsIntactRecordsStillSent() throws IOException {
    writeAndClose(dir, 300);
    List<Path> segs = segments(dir);
    assertThat(segs).hasSizeGreaterThan(2);
    Path victim = segs.get(0);
    long size = Files.size(victim);
    try (RandomAccessFile f = new RandomAccessFile(victim.toFile(), "rw")) {
      f.seek(size / 2);
      int b = f.read();
      f.seek(size / 2);
      f.write(b ^ 0x5a);
    }

    OutboxLog log = OutboxLog.open(dir, BOUND, SEGMENT);
    List<String> read = readAll(log);

    assertThat(log.setAsideSegments()).isEqualTo(1);
    assertThat(Files.exists(victim)).isFalse();
    assertThat(Files.exists(victim.resolveSibling(victim.getFileName() + OutboxLog.CORRUPT_SUFFIX))).isTrue();
    // A prefix of the first segment, then every record of the others, in order; nothing invented.
    assertThat(read).isSubsetOf(expected(0, 300));
    assertThat(read).endsWith(expected(300 - 150, 300).toArray(String[]::new));
    assertThat(read.size()).isLessThan(300);
    List<String> all = expected(0, 300);
    assertThat(read.stream().map(all::indexOf).toList()).as("in order").isSorted();
    log.close();
  }

  @Test
  void aCorruptCheckpointMeansEverythingIsSentAgainNeverLess() throws IOException {
    OutboxLog log = OutboxLog.open(dir, BOUND, SEGMENT);
    for (int i = 0; i < 100; i++) {
      log.append(record(i));
    }
    log.settle(log.read(50, 1 << 20));
    log.sync();
    log.close();
    Files.write(dir.resolve(OutboxLog.CHECKPOINT), new byte[] {1, 2, 3});

    OutboxLog reopened = OutboxLog.open(dir, BOUND, SEGMENT);
    assertThat(readAll(reopened)).containsExactlyElementsOf(expected(0, 100));
    reopened.close();
  }

  private static void copyDir(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path p : files.filter(p -> !p.getFileName().toString().equals(OutboxLog.LOCK)).toList()) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
  }
}
