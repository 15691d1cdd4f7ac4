package io.theeye.collector;

import io.theeye.collector.storage.EventStores;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.sqlite.SqliteBackup;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar eye-collector.jar backup --db FILE --to COPY}: a consistent copy of a SQLite database,
 * also while a collector writes it. Exits 0 with one line saying what the copy holds; 1 when the copy
 * failed or is unsound; 2 for a usage error. For PostgreSQL, {@code pg_dump}.
 */
@Command(name = "backup", sortOptions = false, usageHelpAutoWidth = true,
    description = "Copies a SQLite database consistently, also while a collector writes it (VACUUM INTO).")
final class BackupCommand implements Callable<Integer> {

  @Option(names = "--db", paramLabel = "FILE", required = true, description = "The SQLite database to copy.")
  String db;

  @Option(names = "--to", paramLabel = "COPY", required = true,
      description = "The copy to create; must not exist.")
  Path to;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  private final PrintStream out;
  private final PrintStream err;

  BackupCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    if (EventStores.isPostgres(db)) {
      err.println("eye-collector backup: this is a PostgreSQL database; back it up with pg_dump (docs/postgres.md)");
      return 2;
    }
    long start = System.nanoTime();
    SqliteBackup.Result result;
    try {
      result = SqliteBackup.copy(Path.of(db), to);
    } catch (StorageException e) {
      err.println("eye-collector backup: " + e.getMessage());
      return 1;
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (!"ok".equals(result.check())) {
      err.println("eye-collector backup: the copy " + to + " fails PRAGMA quick_check: " + result.check());
      return 1;
    }
    out.println("backed up " + db + " to " + to + ": " + result.events() + " events, " + result.bytes()
        + " bytes, quick_check ok, in " + millis + " ms");
    return 0;
  }
}
