package io.theeye.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.theeye.client.DropReason;
import io.theeye.client.EyeCounters;
import io.theeye.client.EyeListener;
import io.theeye.client.EyeListener.Delivery;
import io.theeye.client.EyeListener.Failure;
import io.theeye.client.EyeListener.FailureReason;
import io.theeye.model.ErrorBody;
import io.theeye.model.EventCodec;
import io.theeye.model.EyeProtocol;
import io.theeye.model.IngestResult;
import io.theeye.model.Signatures;
import io.theeye.model.Uuid7;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's machinery behind {@code EyeClient}: the caller-side {@code track} path, the bounded
 * buffer, the one sender thread that cuts batches, and the asynchronous sending, retrying and
 * accounting of each batch. Internal, not for public use.
 *
 * <p>How an event travels: {@code track} (caller thread) validates, serializes once, reserves room in
 * the client's budget (events and bytes, covering everything from the queue to the last retry) and
 * offers to a lock-free queue. The sender thread ({@code eye-client-sender}) drains the queue into a
 * batch until it is full, a flush is asked for, or the flush interval passes; it assembles and gzips
 * the body once and starts the first attempt. Attempts run on OkHttp's threads; a failed attempt
 * schedules the next one on the retry scheduler, so a waiting retry holds no thread. When a batch is
 * acknowledged or given up on, its room in the budget is released and the listener hears of it.
 */
public final class ClientCore {

  private static final Logger log = LoggerFactory.getLogger("io.theeye.client.EyeClient");

  /** Room kept in every batch for {@code {"sent_at":"…","events":[…]}} around the events. */
  static final int ENVELOPE_OVERHEAD = 64;

  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final String USER_AGENT = "eye-client";
  private static final int MAX_RESPONSE_BYTES = 64 * 1024;
  private static final long SENDER_JOIN_MILLIS = 5_000;
  private static final long MAX_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final ClientConfig config;
  private final Clock clock;
  private final byte[] secret;
  /**
   * Signs with {@link #secret}, set up once rather than per request. Let go at close, with the secret
   * (an attempt that still reads it then fails, and its batch is already given up on).
   */
  private volatile Signatures.Signer signer;
  private final EyeListener listener;
  private final boolean listening;
  private final Counters counters = new Counters();
  private final DropReporter drops = new DropReporter(counters, log);
  private final RetryPolicy retry;
  private final OkHttpClient http;
  private final boolean ownsHttp;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;

  /** Events and flush markers, in the order they were offered. */
  private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
  /** Events accepted and not yet finished: the queue, the sender's batch, and every batch in flight. */
  private final AtomicInteger pendingEvents = new AtomicInteger();
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicLong nextSeq = new AtomicLong();
  private final AtomicLong lastMicros = new AtomicLong(Long.MIN_VALUE);
  private final Set<Batch> outstanding = ConcurrentHashMap.newKeySet();
  private final Semaphore slots;
  private final int maxEventJson;
  private final long intervalNanos;
  private final long retryBudgetMillis;

  private final Thread senderThread;
  private final Queue<FlushMarker> leftoverMarkers = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean closeStarted = new AtomicBoolean();
  private final CompletableFuture<Long> closeResult = new CompletableFuture<>();
  /** track() refuses new events. */
  private volatile boolean closed;
  /** The sender loop is to stop (or has stopped). */
  private volatile boolean stopping;
  /** No attempt may start; batches still outstanding are given up. */
  private volatile boolean abandoning;

  /** Builds the client's machinery and starts its sender thread. */
  public ClientCore(ClientConfig config) {
    this.config = config;
    this.clock = config.clock();
    this.secret = config.secret();
    this.signer = Signatures.signer(secret);
    this.listener = config.listener();
    this.listening = listener != EyeListener.NONE;
    this.retry = new RetryPolicy(config.initialBackoff(), config.maxBackoff(), config.maxRetryAfter(), clock);
    this.ownsHttp = config.okHttpClient() == null;
    this.http = ownsHttp ? HttpClients.create(config) : HttpClients.adopt(config.okHttpClient());
    this.ownsScheduler = config.retryScheduler() == null;
    this.scheduler = ownsScheduler ? HttpClients.retryScheduler() : config.retryScheduler();
    this.slots = new Semaphore(config.maxInFlightBatches());
    this.maxEventJson = config.maxBatchBytes() - ENVELOPE_OVERHEAD;
    this.intervalNanos = saturatedNanos(config.flushInterval());
    this.retryBudgetMillis = saturatedMillis(config.retryBudget());
    this.senderThread = new Thread(new SenderLoop(), "eye-client-sender");
    senderThread.setDaemon(true);
    senderThread.start();
  }

  /** The HTTP client in use (for tests of its settings). */
  public OkHttpClient httpClient() {
    return http;
  }

  // ------------------------------------------------------------------ caller side

  /**
   * Accepts one event or drops it; see {@code EyeClient.track}. Never blocks; throws only in strict mode.
   *
   * @param eventId the caller's id, or {@code null} for a new UUIDv7
   * @param timestamp when it occurred, or {@code null} for now
   */
  public boolean track(String eventId, String sessionId, String category, String name,
      Map<String, ?> data, Instant timestamp) {
    if (closed) {
      return drop(DropReason.CLOSED, "the client is closed", null);
    }
    String invalid = invalid(eventId, sessionId, category, name);
    if (invalid != null) {
      return drop(DropReason.INVALID_ARGUMENT, invalid, null);
    }
    if (pendingEvents.get() >= config.maxQueueEvents()) {
      // Full: refuse before paying for serialization (reserve() re-checks exactly).
      return drop(DropReason.QUEUE_FULL, "the queue is full", null);
    }
    Instant ts = timestamp != null ? timestamp : now();
    long seq = nextSeq.getAndIncrement();
    String id = eventId != null ? eventId : Uuid7.next();
    EventCodec.EncodedEvent encoded;
    try {
      encoded = EventCodec.encode(id, sessionId, category, name, data, ts, seq);
    } catch (JsonProcessingException | RuntimeException e) {
      return drop(DropReason.NOT_SERIALIZABLE, "data could not be serialized to JSON: " + describe(e), e);
    }
    if (encoded.dataBytes() > config.maxDataBytes()) {
      return drop(DropReason.PAYLOAD_TOO_LARGE, "data is " + encoded.dataBytes()
          + " bytes serialized; at most " + config.maxDataBytes() + " are allowed", null);
    }
    byte[] json = encoded.json();
    if (json.length > maxEventJson) {
      return drop(DropReason.PAYLOAD_TOO_LARGE, "the event is " + json.length
          + " bytes serialized; a batch holds at most " + maxEventJson, null);
    }
    int wake = reserve(json.length);
    if (wake < 0) {
      return drop(DropReason.QUEUE_FULL, "the queue is full", null);
    }
    PendingEvent event = listening
        ? new PendingEvent(json, id, sessionId, category, name, ts, seq)
        : new PendingEvent(json, null, null, null, null, null, seq);
    queue.offer(event);
    // close() may have drained the queue between our check of `closed` and the offer; if the event is
    // still there, nobody will send it, so take it back.
    if (closed && queue.remove(event)) {
      release(1, json.length);
      return drop(DropReason.CLOSED, "the client is closed", null);
    }
    counters.tracked.increment();
    if (wake > 0) {
      LockSupport.unpark(senderThread);
    }
    return true;
  }

  /** Counts (and in strict mode throws for) an event refused before it reached {@link #track}. */
  public boolean refuse(DropReason reason, String detail) {
    if (closed) {
      return drop(DropReason.CLOSED, "the client is closed", null);
    }
    return drop(reason, detail, null);
  }

  /** What is wrong with the arguments, or {@code null}. */
  private static String invalid(String eventId, String sessionId, String category, String name) {
    if (!validText(sessionId, EyeProtocol.MAX_TEXT_FIELD_LENGTH)) {
      return "sessionId " + problem(sessionId, EyeProtocol.MAX_TEXT_FIELD_LENGTH);
    }
    if (!validText(category, EyeProtocol.MAX_TEXT_FIELD_LENGTH)) {
      return "category " + problem(category, EyeProtocol.MAX_TEXT_FIELD_LENGTH);
    }
    if (!validText(name, EyeProtocol.MAX_TEXT_FIELD_LENGTH)) {
      return "name " + problem(name, EyeProtocol.MAX_TEXT_FIELD_LENGTH);
    }
    if (eventId != null && !validText(eventId, EyeProtocol.MAX_EVENT_ID_LENGTH)) {
      return "eventId " + problem(eventId, EyeProtocol.MAX_EVENT_ID_LENGTH);
    }
    return null;
  }

  private static boolean validText(String s, int maxCodePoints) {
    if (s == null || s.isBlank()) {
      return false;
    }
    return s.length() <= maxCodePoints || s.codePointCount(0, s.length()) <= maxCodePoints;
  }

  private static String problem(String s, int max) {
    if (s == null) {
      return "is null";
    }
    if (s.isBlank()) {
      return "is blank";
    }
    return "is longer than " + max + " characters";
  }

  /**
   * Now, never earlier than the last stamp this client made, so that events tracked one after another
   * keep their order even if the wall clock steps back.
   */
  private Instant now() {
    Instant now = clock.instant();
    long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    long last = lastMicros.getAndAccumulate(micros, Math::max);
    if (micros >= last) {
      return now;
    }
    return Instant.ofEpochSecond(Math.floorDiv(last, 1_000_000L), Math.floorMod(last, 1_000_000L) * 1000);
  }

  /**
   * Reserves room for one event of {@code bytes}. Returns -1 when there is none, 1 when the sender
   * should be woken (another batch's worth has arrived), 0 otherwise.
   */
  private int reserve(int bytes) {
    int n;
    do {
      n = pendingEvents.get();
      if (n >= config.maxQueueEvents()) {
        return -1;
      }
    } while (!pendingEvents.compareAndSet(n, n + 1));
    long b;
    do {
      b = pendingBytes.get();
      if (b + bytes > config.maxQueueBytes()) {
        pendingEvents.decrementAndGet();
        return -1;
      }
    } while (!pendingBytes.compareAndSet(b, b + bytes));
    int batchBytes = config.maxBatchBytes();
    boolean wake = (n + 1) % config.maxBatchEvents() == 0 || (b + bytes) / batchBytes != b / batchBytes;
    return wake ? 1 : 0;
  }

  private void release(int events, long bytes) {
    pendingEvents.addAndGet(-events);
    pendingBytes.addAndGet(-bytes);
  }

  /** An exception's class and the first line of its message (Jackson's run to several). */
  private static String describe(Throwable e) {
    String message = e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    int eol = message.indexOf('\n');
    return e.getClass().getSimpleName() + ": " + (eol < 0 ? message : message.substring(0, eol));
  }

  private boolean drop(DropReason reason, String detail, Throwable cause) {
    counters.drop(reason);
    if (reason != DropReason.QUEUE_FULL && reason != DropReason.CLOSED) {
      drops.note(reason, detail);
    }
    if (config.strict()) {
      String message = "event dropped (" + reason.code() + "): " + detail;
      if (reason == DropReason.QUEUE_FULL || reason == DropReason.CLOSED) {
        throw new IllegalStateException(message, cause);
      }
      throw new IllegalArgumentException(message, cause);
    }
    if (log.isDebugEnabled()) {
      log.debug("dropped an event ({}): {}", reason.code(), detail, cause);
    }
    if (stopping) {
      // The sender, which reports drops, is gone.
      drops.maybeReport();
    }
    return false;
  }

  /** A future that completes once everything offered before it is delivered or given up on. */
  public CompletableFuture<Void> flush() {
    if (stopping) {
      return closeResult.thenApply(n -> null);
    }
    FlushMarker marker = new FlushMarker();
    queue.offer(marker);
    if (stopping && queue.remove(marker)) {
      return closeResult.thenApply(n -> null);
    }
    LockSupport.unpark(senderThread);
    return marker.future.thenApply(v -> null);
  }

  /** A snapshot of the counters. */
  public EyeCounters counters() {
    return counters.snapshot(pendingEvents.get());
  }

  // ------------------------------------------------------------------ sender thread

  /** A flush request's place in the queue. */
  private static final class FlushMarker {
    final CompletableFuture<Void> future = new CompletableFuture<>();
  }

  /** The loop of {@code eye-client-sender}: drain the queue into batches and start sending them. */
  private final class SenderLoop implements Runnable {
    private final List<PendingEvent> current = new ArrayList<>();
    private long currentBodyBytes = ENVELOPE_OVERHEAD;
    private long currentEventBytes;
    /** An event taken from the queue that did not fit the current batch; first of the next one. */
    private PendingEvent carry;
    /** A flush marker reached in the queue and not yet resolved. */
    private FlushMarker marker;
    private long nextSendNanos;

    @Override
    public void run() {
      nextSendNanos = System.nanoTime() + intervalNanos;
      try {
        while (!stopping) {
          try {
            step();
          } catch (RuntimeException e) {
            log.error("the sender loop failed; it carries on", e);
          }
        }
      } finally {
        abandonLeftovers();
      }
    }

    private void step() {
      fill();
      long now = System.nanoTime();
      boolean full = current.size() >= config.maxBatchEvents() || carry != null;
      if (!current.isEmpty() && (full || marker != null || now - nextSendNanos >= 0)) {
        if (slots.tryAcquire()) {
          dispatch();
          nextSendNanos = now + intervalNanos;
        } else {
          // Every batch in flight is busy; the first to finish wakes us.
          LockSupport.parkNanos(this, MAX_PARK_NANOS);
        }
        return;
      }
      if (marker != null) {
        resolve(marker);
        marker = null;
        return;
      }
      drops.maybeReport();
      long wait = nextSendNanos - now;
      // Producers wake us for full batches and flushes; the cap keeps drop reports timely when the
      // flush interval is long.
      LockSupport.parkNanos(this, Math.min(wait > 0 ? wait : intervalNanos, MAX_PARK_NANOS));
    }

    private void fill() {
      if (marker != null) {
        return;
      }
      if (carry != null) {
        if (!add(carry)) {
          return;
        }
        carry = null;
      }
      while (current.size() < config.maxBatchEvents()) {
        Object item = queue.poll();
        if (item == null) {
          return;
        }
        if (item instanceof FlushMarker m) {
          marker = m;
          return;
        }
        PendingEvent e = (PendingEvent) item;
        if (!add(e)) {
          carry = e;
          return;
        }
      }
    }

    private boolean add(PendingEvent e) {
      long size = currentBodyBytes + e.json.length + (current.isEmpty() ? 0 : 1);
      if (!current.isEmpty() && size > config.maxBatchBytes()) {
        return false;
      }
      current.add(e);
      currentBodyBytes = size;
      currentEventBytes += e.json.length;
      return true;
    }

    private void dispatch() {
      List<PendingEvent> events = List.copyOf(current);
      long eventBytes = currentEventBytes;
      current.clear();
      currentBodyBytes = ENVELOPE_OVERHEAD;
      currentEventBytes = 0;
      Batch batch;
      try {
        batch = assemble(events, eventBytes);
      } catch (RuntimeException e) {
        Batch unsent = new Batch(events, eventBytes, new byte[0], false, 0);
        outstanding.add(unsent);
        fail(unsent, FailureReason.REFUSED, 0, null, "the batch could not be assembled: " + e, e);
        return;
      }
      outstanding.add(batch);
      attempt(batch);
    }

    /** Completes the marker once every batch sent so far has finished. */
    private void resolve(FlushMarker m) {
      CompletableFuture<?>[] done = outstanding.stream().map(b -> b.done).toArray(CompletableFuture[]::new);
      CompletableFuture.allOf(done).whenComplete((v, t) -> m.future.complete(null));
    }

    /** The sender is stopping: whatever it still holds will not be sent. */
    private void abandonLeftovers() {
      List<PendingEvent> left = new ArrayList<>(current);
      if (carry != null) {
        left.add(carry);
      }
      current.clear();
      carry = null;
      if (marker != null) {
        leftoverMarkers.add(marker);
        marker = null;
      }
      drainQueue(left);
    }
  }

  /** Takes everything out of the queue: events into {@code into} (then abandoned), markers aside. */
  private void drainQueue(List<PendingEvent> into) {
    Object item;
    while ((item = queue.poll()) != null) {
      if (item instanceof FlushMarker m) {
        leftoverMarkers.add(m);
      } else {
        into.add((PendingEvent) item);
      }
    }
    if (!into.isEmpty()) {
      long bytes = 0;
      for (PendingEvent e : into) {
        bytes += e.json.length;
      }
      Batch unsent = new Batch(List.copyOf(into), bytes, new byte[0], false, 0);
      // Never sent: it takes no in-flight slot, so finish it without releasing one.
      if (unsent.finish()) {
        counters.failed.add(unsent.size());
        release(unsent.size(), unsent.eventBytes);
        notifyFailed(unsent, FailureReason.CLOSED, 0, null,
            "the client was closed before they were sent", null);
        unsent.done.complete(null);
      }
    }
  }

  /** The sender's scratch buffers, reused for every body: the JSON, and its gzipped form. */
  private final BodyBuffer bodyBuffer = new BodyBuffer();
  private final BodyBuffer gzipBuffer = new BodyBuffer();

  /** Runs on the sender thread only (it owns the scratch buffers). */
  private Batch assemble(List<PendingEvent> events, long eventBytes) {
    List<byte[]> jsons = new AbstractList<>() {
      @Override
      public byte[] get(int index) {
        return events.get(index).json;
      }

      @Override
      public int size() {
        return events.size();
      }
    };
    byte[] body;
    boolean gzipped = false;
    try {
      bodyBuffer.reset();
      EventCodec.envelope(clock.instant(), jsons, bodyBuffer);
      body = null;
      if (bodyBuffer.size() >= config.gzipThreshold()) {
        gzipBuffer.reset();
        try (GZIPOutputStream gz = new FastGzip(gzipBuffer)) {
          gz.write(bodyBuffer.array(), 0, bodyBuffer.size());
        }
        if (gzipBuffer.size() < bodyBuffer.size()) {
          body = gzipBuffer.toByteArray();
          gzipped = true;
        }
      }
      if (body == null) {
        body = bodyBuffer.toByteArray();
      }
    } catch (IOException e) {
      throw new IllegalStateException("assembling the body in memory failed", e);
    } finally {
      bodyBuffer.release();
      gzipBuffer.release();
    }
    long deadline = saturatedAdd(clock.millis(), retryBudgetMillis);
    return new Batch(events, eventBytes, body, gzipped, deadline);
  }

  /** JSON compresses well even at the fastest level, and the sender thread's time is the budget. */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(BodyBuffer out) throws IOException {
      super(out, 8192);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }

  // ------------------------------------------------------------------ attempts

  /** Starts one attempt: sign the exact bytes now, enqueue the call. Never blocks. */
  private void attempt(Batch batch) {
    if (abandoning) {
      abandon(batch);
      return;
    }
    try {
      int attempt = batch.attempts + 1;
      batch.attempts = attempt;
      long t = clock.millis() / 1000;
      Request.Builder request = new Request.Builder()
          .url(config.eventsUrl())
          .header(EyeProtocol.HEADER_KEY_ID, config.keyId())
          .header(EyeProtocol.HEADER_SIGNATURE, signer.header(t, batch.body))
          .header("User-Agent", USER_AGENT)
          .post(RequestBody.create(batch.body, JSON));
      if (batch.gzipped) {
        request.header("Content-Encoding", EyeProtocol.ENCODING_GZIP);
      }
      counters.sent.add(batch.size());
      if (attempt > 1) {
        counters.retried.add(batch.size());
      }
      Call call = http.newCall(request.build());
      batch.call = call;
      call.enqueue(new AttemptCallback(batch));
      if (abandoning) {
        call.cancel();
      }
    } catch (RuntimeException e) {
      // E.g. the injected client's dispatcher was shut down under us.
      fail(batch, FailureReason.REFUSED, 0, null, "the request could not be started: " + e, e);
    }
  }

  private final class AttemptCallback implements Callback {
    private final Batch batch;

    AttemptCallback(Batch batch) {
      this.batch = batch;
    }

    @Override
    public void onFailure(Call call, IOException e) {
      if (abandoning || call.isCanceled()) {
        abandon(batch);
        return;
      }
      retryOrFail(batch, -1, 0, null, e.toString(), e);
    }

    @Override
    public void onResponse(Call call, Response response) {
      try (response) {
        int status = response.code();
        byte[] body = readBody(response);
        if (status >= 200 && status < 300) {
          delivered(batch, ingestResult(body, batch));
          return;
        }
        ErrorBody error = errorBody(body);
        String code = error == null ? null : error.error();
        String message = "the collector answered " + status
            + (error == null ? "" : " " + error.error() + ": " + error.message());
        if (RetryPolicy.isRetryable(status)) {
          retryOrFail(batch, retry.retryAfterMillis(response), status, code, message, null);
        } else {
          fail(batch, FailureReason.REFUSED, status, code, message, null);
        }
      } catch (IOException e) {
        retryOrFail(batch, -1, 0, null, "reading the answer failed: " + e, e);
      } catch (RuntimeException e) {
        log.error("handling the collector's answer failed", e);
        fail(batch, FailureReason.REFUSED, 0, null, "handling the collector's answer failed: " + e, e);
      }
    }
  }

  private static byte[] readBody(Response response) throws IOException {
    ResponseBody body = response.body();
    if (body == null) {
      return new byte[0];
    }
    okio.BufferedSource source = body.source();
    source.request(MAX_RESPONSE_BYTES);
    return source.getBuffer().readByteArray(Math.min(source.getBuffer().size(), MAX_RESPONSE_BYTES));
  }

  private static IngestResult ingestResult(byte[] body, Batch batch) {
    try {
      return EventCodec.MAPPER.readValue(body, IngestResult.class);
    } catch (IOException | RuntimeException e) {
      log.warn("the collector acknowledged {} event(s) with an unreadable body; counting them accepted",
          batch.size());
      return new IngestResult(batch.size(), batch.size(), 0, 0);
    }
  }

  private static ErrorBody errorBody(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      return EventCodec.MAPPER.readValue(body, ErrorBody.class);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private void retryOrFail(Batch batch, long retryAfterMillis, int status, String code, String message,
      Throwable cause) {
    if (abandoning) {
      abandon(batch);
      return;
    }
    // A Retry-After of 0 (or a date already past) would make a tight loop: back off instead.
    long wait = retryAfterMillis > 0 ? retryAfterMillis : retry.backoffMillis(batch.attempts);
    long now = clock.millis();
    if (saturatedAdd(now, wait) > batch.retryDeadlineMillis) {
      fail(batch, FailureReason.RETRIES_EXHAUSTED, status, code, "gave up after " + batch.attempts
          + " attempt(s) within the retry budget of " + config.retryBudget() + "; last: " + message, cause);
      return;
    }
    if (log.isDebugEnabled()) {
      log.debug("retrying {} event(s) in {} ms after attempt {}: {}", batch.size(), wait, batch.attempts,
          message);
    }
    try {
      scheduler.schedule(() -> attempt(batch), wait, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      abandon(batch);
    }
  }

  // ------------------------------------------------------------------ outcomes

  private void delivered(Batch batch, IngestResult result) {
    if (!batch.finish()) {
      return;
    }
    int n = batch.size();
    counters.acknowledged.add(n);
    counters.accepted.add(result.accepted());
    counters.duplicates.add(result.duplicates());
    counters.rejected.add(result.rejected());
    if (listening) {
      try {
        listener.onDelivered(new Delivery(batch.tracked(), result, batch.attempts));
      } catch (RuntimeException e) {
        log.warn("the listener's onDelivered threw", e);
      }
    }
    finished(batch);
  }

  private void abandon(Batch batch) {
    fail(batch, FailureReason.CLOSED, 0, null,
        "the client was closed before the collector acknowledged them", null);
  }

  private void fail(Batch batch, FailureReason reason, int status, String code, String message,
      Throwable cause) {
    if (!batch.finish()) {
      return;
    }
    counters.failed.add(batch.size());
    if (reason == FailureReason.CLOSED) {
      log.debug("{} event(s) not delivered: {}", batch.size(), message);
    } else if (cause != null) {
      log.warn("{} event(s) not delivered: {}", batch.size(), message, cause);
    } else {
      log.warn("{} event(s) not delivered: {}", batch.size(), message);
    }
    notifyFailed(batch, reason, status, code, message, cause);
    finished(batch);
  }

  private void notifyFailed(Batch batch, FailureReason reason, int status, String code, String message,
      Throwable cause) {
    if (listening) {
      try {
        listener.onFailed(new Failure(batch.tracked(), reason, status, code, message, cause,
            batch.attempts));
      } catch (RuntimeException e) {
        log.warn("the listener's onFailed threw", e);
      }
    }
  }

  /** A sent batch reached its outcome: give back its room and its slot, then tell flush() waiters. */
  private void finished(Batch batch) {
    release(batch.size(), batch.eventBytes);
    outstanding.remove(batch);
    slots.release();
    LockSupport.unpark(senderThread);
    batch.done.complete(null);
  }

  // ------------------------------------------------------------------ close

  /**
   * Stops intake, waits up to {@code timeout} for everything accepted to be delivered, gives up on the
   * rest, and releases threads. Idempotent.
   *
   * @return the number of events accepted over the client's life that were not delivered
   */
  public long close(Duration timeout) {
    if (!closeStarted.compareAndSet(false, true)) {
      return awaitClose(timeout);
    }
    long deadline = System.nanoTime() + saturatedNanos(timeout);
    closed = true;
    CompletableFuture<Void> flushed = flush();
    try {
      flushed.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      log.warn("closing: the collector did not acknowledge everything within {}; giving up on {} event(s)",
          timeout, pendingEvents.get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      log.warn("closing: waiting for the last batches failed", e);
    }
    stopping = true;
    LockSupport.unpark(senderThread);
    joinSender();
    abandoning = true;
    for (Batch batch : outstanding) {
      Call call = batch.call;
      if (call != null) {
        call.cancel();
      }
      abandon(batch);
    }
    // Events that raced past `closed` into the queue after the sender's last drain.
    drainQueue(new ArrayList<>());
    FlushMarker m;
    while ((m = leftoverMarkers.poll()) != null) {
      m.future.complete(null);
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    if (ownsHttp) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
    drops.reportNow();
    long undelivered = counters.failed.sum();
    if (undelivered > 0) {
      log.warn("closed; {} event(s) tracked by this client were not delivered", undelivered);
    }
    signer = null;
    Arrays.fill(secret, (byte) 0);
    closeResult.complete(undelivered);
    return undelivered;
  }

  private long awaitClose(Duration timeout) {
    try {
      return closeResult.get(saturatedNanos(timeout), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return counters.failed.sum() + pendingEvents.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return counters.failed.sum() + pendingEvents.get();
    }
  }

  private void joinSender() {
    if (Thread.currentThread() == senderThread) {
      return;
    }
    try {
      senderThread.join(SENDER_JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (senderThread.isAlive()) {
      log.warn("closing: the sender thread did not stop within {} ms", SENDER_JOIN_MILLIS);
    }
  }

  /** Whether close() has begun. */
  public boolean isClosed() {
    return closed;
  }

  // ------------------------------------------------------------------ arithmetic

  private static long saturatedMillis(Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
