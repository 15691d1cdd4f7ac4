package io.theeye.client.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;

/**
 * The outbox on disk: an append-only log of events in segment files, with a checkpoint of how far the
 * collector has acknowledged it. Written by hand rather than with a library: Square's tape
 * {@code QueueFile} is unmaintained and keeps one file that never shrinks below its high-water mark;
 * sqlite-jdbc would add some 13 MB of native libraries to every application; the log needs append,
 * sequential read, checksums and whole-file deletion, which is this one small class.
 *
 * <p>Format (all integers big-endian):
 *
 * <ul>
 *   <li>{@code <id>.seg}: a segment, ids increasing (20 decimal digits). An 8-byte header {@code
 *       EYEOBX1\n}, then records: {@code u32 length}, {@code u32 CRC32C(length bytes + payload)},
 *       {@code payload}: one event's JSON exactly as it is sent.
 *   <li>{@code acked}: the checkpoint, {@code u64 segment id, u64 offset, u32 CRC32C} of the first 16
 *       bytes: every record before that position was acknowledged. Replaced atomically (write a
 *       temporary file, fsync, rename).
 *   <li>{@code outbox.lock}: held with an OS file lock while a client uses the directory.
 *   <li>{@code <id>.seg.corrupt}: a segment set aside because a record in its middle failed its
 *       checksum; its intact records before that point are still sent, the file is left for you.
 * </ul>
 *
 * <p>Opening scans every segment: a torn or corrupt tail of the newest segment (a crash mid-write)
 * is cut off; a bad record in an older one sets that segment aside. Both are counted and logged.
 *
 * <p>Thread-safety: the status getters from any thread; everything else from the sender thread only. Internal, not for public use.
 */
final class OutboxLog implements Closeable {

  private static final Logger log = ClientCore.LOG;

  static final byte[] MAGIC = "EYEOBX1\n".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER = MAGIC.length;
  /** Length and checksum before each record's payload. */
  static final int FRAME_OVERHEAD = 8;
  /** No record is longer; a length over it is corruption. */
  static final int MAX_RECORD = 1 << 20;
  static final String SEGMENT_SUFFIX = ".seg";
  static final String CORRUPT_SUFFIX = ".corrupt";
  static final String CHECKPOINT = "acked";
  static final String LOCK = "outbox.lock";

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  /** Set by {@link Outbox}: which of its logs this is (a new one after each disk error). */
  int generation;

  private FileChannel lockChannel;
  private FileLock lock;

  /** Bytes of records in the segments that count against the bound (written by the sender only). */
  private volatile long stored;

  private final ArrayDeque<Segment> segments = new ArrayDeque<>();
  private Segment active;
  /** The next record to read. */
  private Segment readSegment;
  private long readOffset;
  /** Ranges read and not yet known acknowledged, in read order. */
  private final ArrayDeque<Range> ranges = new ArrayDeque<>();
  /** Everything before this position is acknowledged. */
  private long ackedSegment;
  private long ackedOffset;
  private boolean checkpointDirty;
  /** A file was created or renamed since the last sync: the directory needs an fsync too. */
  private boolean directoryDirty;
  private final List<FileChannel> unsynced = new ArrayList<>();
  private final ByteBuffer writeBuffer = ByteBuffer.allocate(256 << 10);
  private final ByteBuffer readBuffer = ByteBuffer.allocate(MAX_RECORD + FRAME_OVERHEAD);
  private final CRC32C crc = new CRC32C();

  /** Records appended since open, read since open, and appended before the last fsync. */
  private long appendedRecords;
  private long readRecords;
  private volatile long syncedRecords;
  /** Records found unacknowledged at open (re-sent). */
  private long recoveredRecords;
  private volatile long bytesWritten;
  private long cutBytes;
  private long setAside;
  /**
   * After a disk error: nothing is written any more (no appends, segments, fsyncs of records); what
   * was appended and not yet read is still read back, records left in {@link #writeBuffer} included.
   */
  private boolean readOnly;
  /** In read-only mode, how much of {@link #writeBuffer} has been read back. */
  private int tailRead;

  private OutboxLog(Path dir, long maxBytes, long segmentBytes) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
  }

  /** One segment file. */
  static final class Segment {
    final long id;
    Path path;
    final FileChannel channel;
    /** Where the next record goes (or the end of the intact records). */
    long end;
    /** Renamed aside: its records are read but do not count against the bound, and it is never deleted. */
    boolean corrupt;

    Segment(long id, Path path, FileChannel channel, long end) {
      this.id = id;
      this.path = path;
      this.channel = channel;
      this.end = end;
    }
  }

  /** Records read for one batch: all in one segment, from {@code start} to {@code end}. */
  static final class Range {
    final Segment segment;
    final long start;
    final long end;
    final List<byte[]> records;
    boolean settled;
    /** Set by {@link Outbox}: the generation of the log it was read from. */
    int generation;

    Range(Segment segment, long start, long end, List<byte[]> records) {
      this.segment = segment;
      this.start = start;
      this.end = end;
      this.records = records;
    }
  }

  /**
   * Opens (creating if need be) the outbox in {@code dir}, locks it and recovers its segments.
   *
   * @throws IllegalStateException when another client holds the directory
   * @throws IOException when the directory cannot be used
   */
  static OutboxLog open(Path dir, long maxBytes, long segmentBytes) throws IOException {
    OutboxLog outbox = new OutboxLog(dir, maxBytes, segmentBytes);
    outbox.lock();
    try {
      outbox.recover();
    } catch (IOException | RuntimeException e) {
      outbox.close();
      throw e;
    }
    return outbox;
  }

  private void lock() throws IOException {
    Files.createDirectories(dir);
    lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IllegalStateException("the outbox directory " + dir.toAbsolutePath()
          + " is in use by another EyeClient (in this or another process); give each client its own"
          + " outbox directory");
    }
  }

  private void recover() throws IOException {
    long[] checkpoint = readCheckpoint();
    ackedSegment = checkpoint[0];
    ackedOffset = checkpoint[1];
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SEGMENT_SUFFIX)) {
      stream.forEach(files::add);
    }
    files.sort(null);
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      long id = segmentId(file);
      if (id < 0) {
        continue;
      }
      if (id < ackedSegment) {
        // Acknowledged before the last run ended, but not yet deleted.
        Files.deleteIfExists(file);
        continue;
      }
      boolean newest = i == files.size() - 1;
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      Segment s = new Segment(id, file, channel, HEADER);
      long size = channel.size();
      long intact = scan(s, size);
      if (intact < size) {
        long lost = size - Math.max(intact, 0);
        cutBytes += lost;
        if (newest && intact >= HEADER) {
          channel.truncate(intact);
          channel.force(true);
          log.warn("outbox {}: cut {} byte(s) of a torn or corrupt record off the end of {} (a crash"
              + " mid-write); the {} intact record(s) before it are kept", dir, lost, file.getFileName(),
              recordsIn(s, intact));
        } else {
          Path aside = file.resolveSibling(file.getFileName() + CORRUPT_SUFFIX);
          move(file, aside);
          s.path = aside;
          s.corrupt = true;
          setAside++;
          log.warn("outbox {}: {} is corrupt after byte {} ({} byte(s) unreadable); set aside as {}; its"
              + " intact records before that point are still sent", dir, file.getFileName(),
              Math.max(intact, 0), lost, aside.getFileName());
        }
      }
      if (intact < HEADER) {
        channel.close();
        if (!s.corrupt) {
          // An empty file: a crash right after creating it.
          Files.deleteIfExists(file);
        }
        continue;
      }
      s.end = intact;
      segments.add(s);
      if (!s.corrupt) {
        stored += s.end - HEADER;
      }
    }
    if (!segments.isEmpty() && segments.peekFirst().id == ackedSegment) {
      readSegment = segments.peekFirst();
      readOffset = Math.min(Math.max(ackedOffset, HEADER), readSegment.end);
    } else if (!segments.isEmpty()) {
      readSegment = segments.peekFirst();
      readOffset = HEADER;
    }
    Segment last = segments.peekLast();
    if (last == null || last.corrupt || last.end >= segmentBytes) {
      roll(Math.max(ackedSegment, last == null ? 0 : last.id) + 1);
    } else {
      active = last;
    }
    if (readSegment == null) {
      readSegment = active;
      readOffset = active.end;
    }
    // Logged by Outbox once the log is taken into use.
    recoveredRecords = countUnread();
  }

  /** The end of the intact records of {@code s} (or -1 if its header is bad). */
  private long scan(Segment s, long size) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    if (size < HEADER || readFully(s.channel, header, 0) < HEADER
        || !Arrays.equals(header.array(), MAGIC)) {
      return size == 0 ? 0 : -1;
    }
    long pos = HEADER;
    while (pos < size) {
      int length = readRecordAt(s.channel, pos, size);
      if (length < 0) {
        return pos;
      }
      pos += FRAME_OVERHEAD + length;
    }
    return pos;
  }

  private long recordsIn(Segment s, long end) throws IOException {
    long n = 0;
    for (long pos = HEADER; pos < end; n++) {
      pos += FRAME_OVERHEAD + readRecordAt(s.channel, pos, end);
    }
    return n;
  }

  /**
   * Reads the record at {@code pos} into {@link #readBuffer} (payload from index 8) and checks it;
   * returns its payload length, or -1 if it is torn or corrupt.
   */
  private int readRecordAt(FileChannel channel, long pos, long limit) throws IOException {
    if (limit - pos < FRAME_OVERHEAD) {
      return -1;
    }
    readBuffer.clear().limit(FRAME_OVERHEAD);
    if (readFully(channel, readBuffer, pos) < FRAME_OVERHEAD) {
      return -1;
    }
    int length = readBuffer.getInt(0);
    int expected = readBuffer.getInt(4);
    if (length <= 0 || length > MAX_RECORD || limit - pos - FRAME_OVERHEAD < length) {
      return -1;
    }
    readBuffer.limit(FRAME_OVERHEAD + length).position(FRAME_OVERHEAD);
    if (readFully(channel, readBuffer, pos + FRAME_OVERHEAD) < length) {
      return -1;
    }
    crc.reset();
    crc.update(readBuffer.array(), 0, 4);
    crc.update(readBuffer.array(), FRAME_OVERHEAD, length);
    return (int) crc.getValue() == expected ? length : -1;
  }

  private static int readFully(FileChannel channel, ByteBuffer buffer, long pos) throws IOException {
    int total = 0;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, pos + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  private static long segmentId(Path file) {
    String name = file.getFileName().toString();
    try {
      return Long.parseLong(name.substring(0, name.length() - SEGMENT_SUFFIX.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private long[] readCheckpoint() {
    Path file = dir.resolve(CHECKPOINT);
    if (!Files.exists(file)) {
      return new long[] {0, 0};
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      ByteBuffer b = ByteBuffer.wrap(bytes);
      crc.reset();
      crc.update(bytes, 0, Math.min(16, bytes.length));
      if (bytes.length == 20 && b.getInt(16) == (int) crc.getValue()) {
        return new long[] {b.getLong(0), b.getLong(8)};
      }
    } catch (IOException e) {
      log.warn("outbox {}: the checkpoint could not be read; sending everything in the outbox again", dir, e);
      return new long[] {0, 0};
    }
    log.warn("outbox {}: the checkpoint is corrupt; sending everything in the outbox again", dir);
    return new long[] {0, 0};
  }

  private void writeCheckpoint() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(20);
    b.putLong(0, ackedSegment).putLong(8, ackedOffset);
    crc.reset();
    crc.update(b.array(), 0, 16);
    b.putInt(16, (int) crc.getValue());
    Path tmp = dir.resolve(CHECKPOINT + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    move(tmp, dir.resolve(CHECKPOINT));
  }

  /** Writes the checkpoint again (the same one) and syncs the directory: whether the disk takes writes. */
  void checkWritable() throws IOException {
    writeCheckpoint();
    syncDirectory();
  }

  /** Makes created and renamed files durable (where the platform allows opening a directory). */
  private void syncDirectory() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      if (Files.isDirectory(dir)) {
        // Windows cannot open a directory; its file system orders metadata itself.
        return;
      }
      throw e;
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Starts segment {@code id} as the active one. */
  private void roll(long id) throws IOException {
    flushWrites();
    Path file = dir.resolve(String.format("%020d%s", id, SEGMENT_SUFFIX));
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    try {
      channel.write(ByteBuffer.wrap(MAGIC), 0);
    } catch (IOException e) {
      // A full disk: no half-written header is left behind to be set aside as corrupt at the next open.
      closeQuietly(channel);
      try {
        Files.deleteIfExists(file);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    bytesWritten += HEADER;
    Segment s = new Segment(id, file, channel, HEADER);
    if (active != null && !unsynced.contains(active.channel)) {
      unsynced.add(active.channel);
    }
    segments.add(s);
    active = s;
    unsynced.add(channel);
    directoryDirty = true;
  }

  // ---- the sender's side ----

  /** Appends one reserved record (buffered: {@link #flushWrites} or {@link #sync} writes it). */
  void append(byte[] payload) throws IOException {
    int frame = FRAME_OVERHEAD + payload.length;
    if (active.end + pendingBytes() + frame > segmentBytes && active.end + pendingBytes() > HEADER) {
      roll(active.id + 1);
    }
    if (writeBuffer.remaining() < frame) {
      flushWrites();
    }
    if (writeBuffer.remaining() < frame) {
      writeDirect(payload);
    } else {
      int at = writeBuffer.position();
      writeBuffer.putInt(payload.length).putInt(0).put(payload);
      crc.reset();
      crc.update(writeBuffer.array(), at, 4);
      crc.update(payload);
      writeBuffer.putInt(at + 4, (int) crc.getValue());
    }
    stored += frame;
    appendedRecords++;
  }

  private void writeDirect(byte[] payload) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(FRAME_OVERHEAD + payload.length);
    b.putInt(payload.length).putInt(0).put(payload);
    crc.reset();
    crc.update(b.array(), 0, 4);
    crc.update(payload);
    b.putInt(4, (int) crc.getValue());
    b.flip();
    writeAt(b);
  }

  private int pendingBytes() {
    return writeBuffer.position();
  }

  /** Writes buffered records to the active segment's file (not yet synced). */
  void flushWrites() throws IOException {
    if (writeBuffer.position() == 0 || readOnly) {
      return;
    }
    // Written from a view: if the write fails, the records stay in the buffer, to be read back from
    // memory after the disk error (see stopWriting).
    writeAt(ByteBuffer.wrap(writeBuffer.array(), 0, writeBuffer.position()));
    writeBuffer.clear();
  }

  private void writeAt(ByteBuffer b) throws IOException {
    int n = b.remaining();
    long pos = active.end;
    while (b.hasRemaining()) {
      pos += active.channel.write(b, pos);
    }
    active.end += n;
    bytesWritten += n;
    if (!unsynced.contains(active.channel)) {
      unsynced.add(active.channel);
    }
  }

  /** Whether there are records appended and not yet read for sending. */
  boolean hasUnread() {
    return pendingBytes() > tailRead || readOffset < readSegment.end || readSegment != active;
  }

  /**
   * A disk error: from now on the log only reads back what was appended and not yet read (the file
   * descriptors stay valid even if the directory was deleted or moved, and reading needs no free
   * space), so those events are still sent; it writes nothing more. {@link #settle} still tries to
   * move the checkpoint, which fails while the disk does.
   */
  void stopWriting() {
    readOnly = true;
  }

  /** Whether, read-only, everything is read and every range read is settled. */
  boolean drained() {
    return !hasUnread() && ranges.isEmpty();
  }

  /** How many records are appended and not yet read. */
  long unreadRecords() {
    return Math.max(0, appendedRecords + recoveredRecords - readRecords);
  }

  /** Records appended (or recovered) so far: a position flush() waits to be read past. */
  long appendedMark() {
    return appendedRecords + recoveredRecords;
  }

  long readRecords() {
    return readRecords;
  }

  /**
   * Reads up to {@code maxEvents} records and {@code maxBytes} payload bytes (at least one record),
   * all from one segment; {@code null} when there is nothing to read.
   */
  Range read(int maxEvents, long maxBytes) throws IOException {
    flushWrites();
    while (readOffset >= readSegment.end && readSegment != active) {
      readSegment = next(readSegment);
      readOffset = HEADER;
    }
    if (readOffset >= readSegment.end) {
      return readOnly ? readTail(maxEvents, maxBytes) : null;
    }
    long start = readOffset;
    List<byte[]> records = new ArrayList<>();
    long bytes = 0;
    while (readOffset < readSegment.end && records.size() < maxEvents) {
      int length = readRecordAt(readSegment.channel, readOffset, readSegment.end);
      if (length < 0) {
        throw new IOException("record at byte " + readOffset + " of " + readSegment.path
            + " failed its checksum on reading");
      }
      if (!records.isEmpty() && bytes + length > maxBytes) {
        break;
      }
      records.add(Arrays.copyOfRange(readBuffer.array(), FRAME_OVERHEAD, FRAME_OVERHEAD + length));
      bytes += length;
      readOffset += FRAME_OVERHEAD + length;
    }
    readRecords += records.size();
    Range range = new Range(readSegment, start, readOffset, records);
    ranges.add(range);
    return range;
  }

  /**
   * Read-only: the records that never reached the file, from the write buffer. Their range is empty
   * at the end of the active segment, so settling it acknowledges nothing more of the file.
   */
  private Range readTail(int maxEvents, long maxBytes) {
    byte[] buffer = writeBuffer.array();
    int end = writeBuffer.position();
    List<byte[]> records = new ArrayList<>();
    long bytes = 0;
    while (tailRead < end && records.size() < maxEvents) {
      // Framed by append(): the checksum needs no checking, the bytes never left memory.
      int length = ByteBuffer.wrap(buffer).getInt(tailRead);
      if (!records.isEmpty() && bytes + length > maxBytes) {
        break;
      }
      records.add(Arrays.copyOfRange(buffer, tailRead + FRAME_OVERHEAD, tailRead + FRAME_OVERHEAD + length));
      bytes += length;
      tailRead += FRAME_OVERHEAD + length;
    }
    if (records.isEmpty()) {
      return null;
    }
    readRecords += records.size();
    Range range = new Range(active, active.end, active.end, records);
    ranges.add(range);
    return range;
  }

  private Segment next(Segment s) {
    boolean found = false;
    for (Segment t : segments) {
      if (found) {
        return t;
      }
      found = t == s;
    }
    throw new IllegalStateException("segment " + s.id + " has no successor");
  }

  /**
   * The collector acknowledged {@code range} (or refused it for good): once every range before it is
   * settled too, the checkpoint moves past it, and segments wholly behind the checkpoint are deleted.
   */
  void settle(Range range) throws IOException {
    range.settled = true;
    Range first;
    while ((first = ranges.peekFirst()) != null && first.settled) {
      ranges.pollFirst();
      ackedSegment = first.segment.id;
      ackedOffset = first.end;
      checkpointDirty = true;
    }
    deleteAcknowledged();
  }

  private void deleteAcknowledged() throws IOException {
    while (!segments.isEmpty() && isAcknowledged(segments.peekFirst())) {
      delete(segments.pollFirst());
    }
    // Everything acknowledged: start a fresh segment now and then, so the space comes back.
    if (!readOnly && ranges.isEmpty() && active == readSegment && readOffset == active.end && active.end > HEADER
        && ackedSegment == active.id && ackedOffset == active.end && pendingBytes() == 0
        && (active.end >= segmentBytes / 8 || stored > maxBytes / 2)) {
      Segment done = active;
      roll(active.id + 1);
      readSegment = active;
      readOffset = HEADER;
      segments.remove(done);
      delete(done);
    }
  }

  /** Whether every record of {@code s} (not the one being written or read) is acknowledged. */
  private boolean isAcknowledged(Segment s) {
    if (s == active || s == readSegment) {
      return false;
    }
    if (s.id > ackedSegment || s.id == ackedSegment && ackedOffset < s.end) {
      return false;
    }
    for (Range r : ranges) {
      if (r.segment == s) {
        return false;
      }
    }
    return true;
  }

  private void delete(Segment s) throws IOException {
    unsynced.remove(s.channel);
    s.channel.close();
    if (!s.corrupt) {
      stored -= s.end - HEADER;
      Files.deleteIfExists(s.path);
    }
  }

  /** Whether records were written since the last {@link #sync}. */
  boolean needsSync() {
    return pendingBytes() > 0 || !unsynced.isEmpty() || checkpointDirty;
  }

  /** Writes what is buffered, fsyncs every segment written since the last sync, then the checkpoint. */
  void sync() throws IOException {
    flushWrites();
    if (readOnly) {
      // Only the checkpoint: records are not written any more.
      unsynced.clear();
    }
    long appended = appendedRecords;
    for (FileChannel channel : unsynced) {
      if (channel.isOpen()) {
        channel.force(false);
      }
    }
    unsynced.clear();
    if (checkpointDirty) {
      writeCheckpoint();
      checkpointDirty = false;
      directoryDirty = true;
    }
    if (directoryDirty) {
      syncDirectory();
      directoryDirty = false;
    }
    if (!readOnly) {
      // Read-only, the records of the write buffer were never written: they are not synced.
      syncedRecords = appended;
    }
  }

  // ---- status (any thread) ----

  Path directory() {
    return dir;
  }

  long storedBytes() {
    return stored;
  }

  long maxBytes() {
    return maxBytes;
  }

  long syncedRecords() {
    return syncedRecords;
  }

  long bytesWritten() {
    return bytesWritten;
  }

  long cutBytes() {
    return cutBytes;
  }

  long setAsideSegments() {
    return setAside;
  }

  long recoveredRecords() {
    return recoveredRecords;
  }

  private long countUnread() throws IOException {
    long n = 0;
    boolean reading = false;
    for (Segment s : segments) {
      if (s == readSegment) {
        reading = true;
        n += recordsBetween(s, readOffset, s.end);
      } else if (reading) {
        n += recordsBetween(s, HEADER, s.end);
      }
    }
    return n;
  }

  private long recordsBetween(Segment s, long from, long to) throws IOException {
    long n = 0;
    for (long pos = from; pos < to; n++) {
      int length = readRecordAt(s.channel, pos, to);
      if (length < 0) {
        break;
      }
      pos += FRAME_OVERHEAD + length;
    }
    return n;
  }

  /** Closes the files and lets go of the lock; writes nothing (call {@link #sync} first). */
  @Override
  public void close() {
    for (Segment s : segments) {
      closeQuietly(s.channel);
    }
    segments.clear();
    try {
      if (lock != null) {
        lock.release();
      }
    } catch (IOException e) {
      // Closing the channel releases it anyway.
    }
    closeQuietly(lockChannel);
  }

  private static void closeQuietly(Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      // Nothing more to do with it.
    }
  }
}
