package io.theeye.bench;

import picocli.CommandLine.Option;

/** The preloaded history's options, shared by the suites that start from one. */
final class PreloadOptions {

  @Option(names = "--events", description = "Events preloaded before the run (default 10,000,000; --quick 200,000).")
  Long events;

  @Option(names = "--fresh-preload", description = "Preload again even if the preload exists: the cached "
      + "SQLite file, or the PostgreSQL schema (do that after a change to the storage schema).")
  boolean fresh;

  /** The number of events to preload: {@code --events}, or the default for a full or quick run. */
  long count(boolean quick) {
    return events != null ? events : quick ? 200_000 : 10_000_000;
  }
}
