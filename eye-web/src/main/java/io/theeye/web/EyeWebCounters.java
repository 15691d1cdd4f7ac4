package io.theeye.web;

/**
 * What an {@link EyeWeb} has done since it was built. Refused requests are counted once, under the
 * first check they failed.
 *
 * @param requestsAccepted collect requests answered {@code 204}
 * @param eventsAccepted browser events handed to the client (including those it then dropped)
 * @param eventsDropped browser events the client refused (its buffer full or closed; see its counters)
 * @param forbidden requests refused {@code 403}: not from this origin or an allowed one
 * @param tooLarge requests refused {@code 413}
 * @param malformed requests refused {@code 400}: not JSON, a wrong shape, too many events, a bad field
 * @param rateLimited requests refused {@code 429}
 * @param pageViews page views the {@link EyePageViewFilter} tracked
 */
public record EyeWebCounters(
    long requestsAccepted,
    long eventsAccepted,
    long eventsDropped,
    long forbidden,
    long tooLarge,
    long malformed,
    long rateLimited,
    long pageViews) {}
