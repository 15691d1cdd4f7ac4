package io.theeye.collector.storage;

/**
 * What the database made of one request's events.
 *
 * @param accepted events stored now
 * @param duplicates events whose {@code (app_id, event_id)} was already stored, or repeated earlier in
 *     the same request
 */
public record WriteOutcome(int accepted, int duplicates) {}
