package io.theeye.web;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link EyeWebCounters}. */
final class RelayCounters {
  final LongAdder requestsAccepted = new LongAdder();
  final LongAdder eventsAccepted = new LongAdder();
  final LongAdder eventsDropped = new LongAdder();
  final LongAdder forbidden = new LongAdder();
  final LongAdder tooLarge = new LongAdder();
  final LongAdder malformed = new LongAdder();
  final LongAdder rateLimited = new LongAdder();
  final LongAdder pageViews = new LongAdder();

  EyeWebCounters snapshot() {
    return new EyeWebCounters(requestsAccepted.sum(), eventsAccepted.sum(), eventsDropped.sum(),
        forbidden.sum(), tooLarge.sum(), malformed.sum(), rateLimited.sum(), pageViews.sum());
  }
}
