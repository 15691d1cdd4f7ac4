package io.theeye.collector;

import io.theeye.collector.ingest.EventValidator;
import io.theeye.collector.schema.SchemaLoadException;
import io.theeye.collector.schema.SchemaRegistry;
import io.theeye.collector.storage.EventStores;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteEventStore.Replay;
import io.theeye.collector.storage.sqlite.SqliteEventStore.ReplayOutcome;
import io.theeye.collector.storage.sqlite.SqliteEventStore.RejectionFilter;
import io.theeye.collector.storage.sqlite.SqliteEventStore.StoredRejection;
import io.theeye.collector.storage.sqlite.SqliteSync;
import io.theeye.model.EventReader;
import io.theeye.model.EyeProtocol;
import io.theeye.model.MalformedBodyException;
import io.theeye.model.ParsedBatch;
import io.theeye.model.Reason;
import io.theeye.model.Timestamps;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar eye-collector.jar replay --db FILE [filters] [--dry-run]}: re-validates rejected rows
 * against the current schemas and timestamp rules and stores those that now pass as events, with their
 * original application, event id and timestamps; their rows are marked ({@code replayed_at},
 * {@code replayed_event_id}), not deleted. Works while a collector writes the same file: each batch is
 * one short transaction, and a busy file is waited for. Replaying twice stores nothing twice.
 */
@Command(name = "replay", sortOptions = false, usageHelpAutoWidth = true,
    description = "Re-validates rejected events and stores those that now pass (SQLite; also while a"
        + " collector runs on the file).")
final class ReplayCommand implements Callable<Integer> {

  /** Rows examined between two progress lines: {@value}. */
  static final int PROGRESS_EVERY_ROWS = 10_000;

  @Option(names = "--db", paramLabel = "FILE", required = true, description = "The SQLite database.")
  String db;

  @Option(names = "--schemas", paramLabel = "DIR",
      description = "The schemas to validate with (default: the bundled schemas).")
  Path schemas;

  @Option(names = "--reason", paramLabel = "R", description = "Only rows rejected for this reason, e.g. schema_violation.")
  String reason;

  @Option(names = "--app", paramLabel = "A", description = "Only rows of this application.")
  String app;

  @Option(names = "--type", paramLabel = "CATEGORY/NAME",
      description = "Only rows of this event type (split at the last /).")
  String type;

  @Option(names = "--since", paramLabel = "T", description = "Only rows received at or after T (UTC).")
  String since;

  @Option(names = "--until", paramLabel = "T", description = "Only rows received before T (UTC).")
  String until;

  @Option(names = "--dry-run", description = "Validate and count, change nothing.")
  boolean dryRun;

  @Option(names = "--unknown-types", paramLabel = "accept|reject", defaultValue = "accept",
      description = "As the collector's option (default: ${DEFAULT-VALUE}).")
  UnknownTypes unknownTypes;

  @Option(names = "--max-future-skew", paramLabel = "SECONDS",
      defaultValue = "" + EyeProtocol.DEFAULT_MAX_FUTURE_SKEW_SECONDS,
      description = "How far ahead of a row's received_at its timestamp may be (default: ${DEFAULT-VALUE}).")
  long maxFutureSkewSeconds;

  @Option(names = "--max-data-bytes", paramLabel = "BYTES", defaultValue = "" + EyeProtocol.DEFAULT_MAX_DATA_BYTES,
      description = "As the collector's option (default: ${DEFAULT-VALUE}).")
  int maxDataBytes;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "200",
      description = "Rows per transaction (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--busy-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "How long a transaction waits for the collector's write lock (default: ${DEFAULT-VALUE}).")
  long busyTimeoutSeconds;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;

  ReplayCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
    this.clock = Clock.systemUTC();
  }

  /** What a run did. */
  private static final class Tally {
    long matched;
    long stored;
    long alreadyStored;
    long replayedElsewhere;
    final Map<String, Long> stillFailing = new TreeMap<>();

    void failing(String reason) {
      stillFailing.merge(reason, 1L, Long::sum);
    }

    long failing() {
      return stillFailing.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  @Override
  public Integer call() {
    if (EventStores.isPostgres(db)) {
      err.println("eye-collector replay: replay works on a SQLite file; this is a PostgreSQL URL");
      return 2;
    }
    RejectionFilter filter;
    EventValidator validator;
    try {
      filter = filter();
      if (batchSize <= 0 || maxDataBytes <= 0 || maxFutureSkewSeconds < 0 || busyTimeoutSeconds < 0) {
        throw new IllegalArgumentException("--batch-size and --max-data-bytes must be positive,"
            + " --max-future-skew and --busy-timeout not negative");
      }
      SchemaRegistry registry = schemas == null ? SchemaRegistry.bundled() : SchemaRegistry.load(schemas);
      validator = new EventValidator(registry, unknownTypes, Duration.ofSeconds(maxFutureSkewSeconds));
    } catch (IllegalArgumentException | SchemaLoadException e) {
      err.println("eye-collector replay: " + e.getMessage());
      return 2;
    }
    try (SqliteEventStore store = new SqliteEventStore(Path.of(db), SqliteSync.FULL,
        Duration.ofSeconds(busyTimeoutSeconds))) {
      store.open(Set.of());
      Tally tally = run(store, filter, validator);
      report(tally);
      return 0;
    } catch (StorageException e) {
      err.println("eye-collector replay: " + e.getMessage());
      return 1;
    }
  }

  private RejectionFilter filter() {
    String category = null;
    String name = null;
    if (type != null) {
      int slash = type.lastIndexOf('/');
      if (slash <= 0 || slash == type.length() - 1) {
        throw new IllegalArgumentException("--type must be CATEGORY/NAME, was '" + type + "'");
      }
      category = type.substring(0, slash);
      name = type.substring(slash + 1);
    }
    if (reason != null) {
      Reason.fromCode(reason); // throws, naming the code, when there is no such reason
    }
    return new RejectionFilter(reason, app, category, name, time("--since", since), time("--until", until));
  }

  private static Instant time(String option, String text) {
    if (text == null) {
      return null;
    }
    try {
      return Timestamps.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  private Tally run(SqliteEventStore store, RejectionFilter filter, EventValidator validator)
      throws StorageException {
    EventReader reader = EventReader.withLimits(1, maxDataBytes);
    Tally tally = new Tally();
    long afterId = 0;
    long nextProgress = PROGRESS_EVERY_ROWS;
    while (true) {
      List<StoredRejection> rows = store.rejectedToReplay(filter, afterId, batchSize);
      if (rows.isEmpty()) {
        return tally;
      }
      List<Replay> replays = new ArrayList<>();
      for (StoredRejection row : rows) {
        tally.matched++;
        afterId = row.id();
        Replay replay = revalidate(row, reader, validator, tally);
        if (replay != null) {
          replays.add(replay);
        }
      }
      if (dryRun) {
        tally.stored += replays.size();
      } else {
        count(store.writeReplayed(replays, clock.instant()), tally);
        store.sync();
      }
      if (tally.matched >= nextProgress) {
        err.println("replay: " + tally.matched + " row(s) examined, " + (tally.stored + tally.alreadyStored)
            + (dryRun ? " would be replayed, " : " replayed, ") + tally.failing() + " still failing");
        nextProgress += PROGRESS_EVERY_ROWS;
      }
    }
  }

  /** The row's event if it passes now; else counts it as still failing, by the reason it fails for now. */
  private static Replay revalidate(StoredRejection row, EventReader reader, EventValidator validator, Tally tally) {
    if (row.raw() == null || Reason.MALFORMED_BODY.code().equals(row.reason())) {
      // A whole body, not one event: nothing to replay from it.
      tally.failing(row.reason());
      return null;
    }
    ParsedBatch batch;
    try {
      batch = reader.parse(row.raw().getBytes(StandardCharsets.UTF_8));
    } catch (MalformedBodyException e) {
      tally.failing(Reason.MALFORMED_EVENT.code());
      return null;
    }
    var validated = validator.validate(row.appId(), row.receivedAt(), batch);
    if (validated.request().events().size() == 1) {
      return new Replay(row.id(), validated.request());
    }
    tally.failing(validated.request().rejected().get(0).reason().code());
    return null;
  }

  private static void count(List<ReplayOutcome> outcomes, Tally tally) {
    for (ReplayOutcome outcome : outcomes) {
      switch (outcome) {
        case STORED -> tally.stored++;
        case ALREADY_STORED -> tally.alreadyStored++;
        case ALREADY_REPLAYED -> tally.replayedElsewhere++;
      }
    }
  }

  private void report(Tally tally) {
    String prefix = dryRun ? "replay (dry run): " : "replay: ";
    out.println(prefix + "matched " + tally.matched + " rejected row(s) not yet replayed");
    if (dryRun) {
      out.println(prefix + "would replay " + tally.stored);
    } else {
      out.println(prefix + "replayed " + (tally.stored + tally.alreadyStored) + ": " + tally.stored
          + " stored as events, " + tally.alreadyStored + " already stored"
          + (tally.replayedElsewhere == 0 ? "" : "; " + tally.replayedElsewhere + " replayed meanwhile by another run"));
    }
    out.println(prefix + "still failing " + tally.failing() + (tally.stillFailing.isEmpty() ? "" : ": "
        + tally.stillFailing.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", "))));
  }
}
