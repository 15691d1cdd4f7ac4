package io.theeye.client.internal;

import io.theeye.client.EyeListener.FailureReason;
import io.theeye.model.ErrorBody;
import io.theeye.model.EyeProtocol;
import io.theeye.model.IngestResult;
import io.theeye.model.Signatures;
import java.io.IOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collection;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;

/**
 * Sends assembled batches to the collector: each attempt signed afresh over the exact bytes, run on
 * OkHttp's threads, and a failed one retried on the retry scheduler (so a waiting retry holds no
 * thread) until it succeeds, cannot succeed, or the batch's retry budget is spent. The outcome goes
 * to {@link Outcomes}.
 */
final class HttpExporter {

  private static final Logger log = ClientCore.LOG;

  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final String USER_AGENT = "eye-client";
  private static final int MAX_RESPONSE_BYTES = 64 * 1024;

  private final ClientConfig config;
  private final Clock clock;
  private final byte[] secret;
  /**
   * Signs with {@link #secret}, set up once rather than per request. Let go at shutdown, with the
   * secret (an attempt that still reads it then fails, and its batch is already given up on).
   */
  private volatile Signatures.Signer signer;
  private final RetryPolicy retry;
  private final OkHttpClient http;
  private final boolean ownsHttp;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Outcomes outcomes;
  /** No attempt may start; batches still outstanding are given up. */
  private volatile boolean abandoning;

  HttpExporter(ClientConfig config, Outcomes outcomes) {
    this.config = config;
    this.clock = config.clock();
    this.secret = config.secret();
    this.signer = Signatures.signer(secret);
    this.retry = new RetryPolicy(config.initialBackoff(), config.maxBackoff(), config.maxRetryAfter(), clock);
    this.ownsHttp = config.okHttpClient() == null;
    this.http = ownsHttp ? HttpClients.create(config) : HttpClients.adopt(config.okHttpClient());
    this.ownsScheduler = config.retryScheduler() == null;
    this.scheduler = ownsScheduler ? HttpClients.retryScheduler() : config.retryScheduler();
    this.outcomes = outcomes;
  }

  /** The HTTP client in use. */
  OkHttpClient httpClient() {
    return http;
  }

  /** Starts sending {@code batch}; never blocks. Its outcome goes to {@link Outcomes}. */
  void export(Batch batch) {
    attempt(batch);
  }

  /** From now on no attempt starts; gives up on {@code outstanding}, cancelling their calls. */
  void abandonAll(Collection<Batch> outstanding) {
    abandoning = true;
    for (Batch batch : outstanding) {
      Call call = batch.call;
      if (call != null) {
        call.cancel();
      }
      abandon(batch);
    }
  }

  /** Releases the threads and connections the exporter owns, and forgets the secret. */
  void shutdown() {
    abandoning = true;
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    if (ownsHttp) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
    signer = null;
    Arrays.fill(secret, (byte) 0);
  }

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
      outcomes.attempted(batch, attempt);
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
          outcomes.delivered(batch, ingestResult(body, batch));
          return;
        }
        ErrorBody error = errorBody(body);
        String code = error == null ? null : error.error();
        String message = "the collector answered " + status
            + (error == null ? "" : " " + error.error() + ": " + error.message())
            + (status == 401 ? " (key id " + config.keyId() + "; check the key id and the secret)" : "");
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
      return EventEncoder.MAPPER.readValue(body, IngestResult.class);
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
      return EventEncoder.MAPPER.readValue(body, ErrorBody.class);
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
    if (Saturating.add(now, wait) > batch.retryDeadlineMillis && batch.fromOutbox()) {
      outcomes.kept(batch, status, "no acknowledgement after " + batch.attempts + " attempt(s) within the"
          + " retry budget of " + config.retryBudget() + "; last: " + message);
      return;
    }
    if (Saturating.add(now, wait) > batch.retryDeadlineMillis) {
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

  private void fail(Batch batch, FailureReason reason, int status, String code, String message,
      Throwable cause) {
    outcomes.failed(batch, reason, status, code, message, cause);
  }

  private void abandon(Batch batch) {
    outcomes.abandoned(batch);
  }
}
