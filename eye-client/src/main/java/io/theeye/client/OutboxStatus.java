package io.theeye.client;

import java.nio.file.Path;

/**
 * A snapshot of a client's {@linkplain EyeClient.Builder#outbox outbox}, from {@link
 * EyeClient#outbox()}.
 *
 * @param directory the outbox directory
 * @param healthy {@code false} while a disk error keeps the client in memory-only mode (it tries the
 *     disk again every few seconds)
 * @param storedBytes bytes of events in the outbox now (framing included, segment headers not)
 * @param maxBytes the bound, {@code outboxMaxBytes}
 * @param synced events this client wrote to the outbox and fsynced: a crash of the process or the
 *     machine after this point loses none of them
 * @param bytesWritten bytes this client wrote to segment files since it was built
 * @param recovered events found in the outbox at start (or recovery) not yet acknowledged, and sent
 * @param cutBytes bytes found torn or corrupt at start and cut off or set aside
 * @param setAsideSegments segments set aside as {@code *.seg.corrupt} at start
 * @param errors disk errors that sent the client to memory-only mode
 * @param lost events accepted into the outbox that could not be read back after a disk error (the
 *     events already in the outbox when the disk fails are read back and sent; only a failing read
 *     loses them)
 * @param lastError the latest of those errors, or {@code null}
 */
public record OutboxStatus(
    Path directory,
    boolean healthy,
    long storedBytes,
    long maxBytes,
    long synced,
    long bytesWritten,
    long recovered,
    long cutBytes,
    long setAsideSegments,
    long errors,
    long lost,
    String lastError) {}
