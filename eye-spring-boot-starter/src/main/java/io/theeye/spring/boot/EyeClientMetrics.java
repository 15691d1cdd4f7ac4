package io.theeye.spring.boot;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.theeye.client.DropReason;
import io.theeye.client.EyeClient;
import io.theeye.client.EyeCounters;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Binds an {@link EyeClient}'s {@link EyeCounters} to Micrometer: one function counter per counter
 * (read from the client at each scrape), and the events it holds now as a gauge.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>meter</th><th>type</th><th>counter</th></tr>
 *   <tr><td>{@code eye.client.events.tracked}</td><td>counter</td><td>{@link EyeCounters#tracked()}</td></tr>
 *   <tr><td>{@code eye.client.events.dropped{reason}}</td><td>counter</td><td>{@link EyeCounters#dropped(DropReason)},
 *       {@code reason} = the {@link DropReason} in lower case</td></tr>
 *   <tr><td>{@code eye.client.events.sent}</td><td>counter</td><td>{@link EyeCounters#sent()}</td></tr>
 *   <tr><td>{@code eye.client.events.retried}</td><td>counter</td><td>{@link EyeCounters#retried()}</td></tr>
 *   <tr><td>{@code eye.client.events.acknowledged}</td><td>counter</td><td>{@link EyeCounters#acknowledged()}</td></tr>
 *   <tr><td>{@code eye.client.events.accepted}</td><td>counter</td><td>{@link EyeCounters#accepted()}</td></tr>
 *   <tr><td>{@code eye.client.events.duplicates}</td><td>counter</td><td>{@link EyeCounters#duplicates()}</td></tr>
 *   <tr><td>{@code eye.client.events.rejected}</td><td>counter</td><td>{@link EyeCounters#rejected()}</td></tr>
 *   <tr><td>{@code eye.client.events.failed}</td><td>counter</td><td>{@link EyeCounters#failed()}</td></tr>
 *   <tr><td>{@code eye.client.events.pending}</td><td>gauge</td><td>{@link EyeCounters#pending()}</td></tr>
 * </table>
 *
 * <p>The starter registers it as a bean when Micrometer is present; without Spring, bind it yourself:
 * {@code new EyeClientMetrics(eye).bindTo(registry)}.
 */
public final class EyeClientMetrics implements MeterBinder {

  private static final String PREFIX = "eye.client.events.";

  private final EyeClient client;

  public EyeClientMetrics(EyeClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "tracked", "Events track() accepted", EyeCounters::tracked);
    for (DropReason reason : DropReason.values()) {
      FunctionCounter.builder(PREFIX + "dropped", client, c -> c.counters().dropped(reason))
          .description("Events track() refused, by reason")
          .baseUnit("events")
          .tag("reason", reason.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    counter(registry, "sent", "Events put on the wire, counting each attempt", EyeCounters::sent);
    counter(registry, "retried", "Events re-sent after a failed attempt", EyeCounters::retried);
    counter(registry, "acknowledged", "Events in batches the collector answered 202 for",
        EyeCounters::acknowledged);
    counter(registry, "accepted", "Events the collector stored for the first time", EyeCounters::accepted);
    counter(registry, "duplicates", "Events the collector already had", EyeCounters::duplicates);
    counter(registry, "rejected", "Events the collector recorded as rejected", EyeCounters::rejected);
    counter(registry, "failed", "Events the client gave up on", EyeCounters::failed);
    Gauge.builder(PREFIX + "pending", client, c -> c.counters().pending())
        .description("Events held now: queued, in flight or waiting for a retry")
        .baseUnit("events")
        .register(registry);
  }

  private void counter(MeterRegistry registry, String name, String description,
      ToLongFunction<EyeCounters> value) {
    FunctionCounter.builder(PREFIX + name, client, c -> value.applyAsLong(c.counters()))
        .description(description)
        .baseUnit("events")
        .register(registry);
  }
}
