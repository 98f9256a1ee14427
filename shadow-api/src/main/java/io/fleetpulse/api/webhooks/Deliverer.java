package io.fleetpulse.api.webhooks;

import io.fleetpulse.api.internal.KafkaWriter;
import io.fleetpulse.model.DeadLetterHeaders;
import io.fleetpulse.model.ModelJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends deliveries: each endpoint has its own small pool of threads, so a slow or dead receiver
 * only ever waits on itself. Retries are scheduled, not slept, with exponential backoff and equal
 * jitter; {@code Retry-After} on 429/503 is honoured up to the longest backoff.
 */
final class Deliverer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Deliverer.class);
  private static final int MAX_ERROR = 500;

  private final WebhookOptions options;
  private final EndpointRegistry registry;
  private final SsrfGuard guard;
  private final KafkaWriter writer;
  private final DlqWriter dlq;
  private final String alertsTopic;
  private final DeliveryLog log;
  private final HttpClient http;
  private final Map<String, ScheduledThreadPoolExecutor> pools = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> unfinished = new ConcurrentHashMap<>();
  private final MeterRegistry meters;
  private final Timer latency;
  private volatile boolean closing;

  Deliverer(
      WebhookOptions options,
      EndpointRegistry registry,
      SsrfGuard guard,
      KafkaWriter writer,
      DlqWriter dlq,
      String alertsTopic,
      DeliveryLog log,
      MeterRegistry meters) {
    this.dlq = dlq;
    this.alertsTopic = alertsTopic;
    this.options = options;
    this.registry = registry;
    this.guard = guard;
    this.writer = writer;
    this.log = log;
    this.meters = meters;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(options.timeout)
            // a redirect would let a receiver point the service anywhere: 3xx is a failure
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.latency =
        Timer.builder("fleetpulse.api.webhooks.request")
            .description("webhook requests, from send to the receiver's answer")
            .register(meters);
  }

  /**
   * Queues {@code d} on its endpoint's pool, or parks it at once (replayable) when its endpoint
   * already has {@code webhooks.max-pending-per-endpoint} deliveries unfinished: an alert stays in
   * flight until every endpoint is done with it, so without the cap one dead receiver matching
   * every alert would fill {@code webhooks.max-pending} and pause delivery to all the others.
   */
  void submit(Delivery d) {
    log.add(d);
    AtomicInteger open = unfinished.computeIfAbsent(d.endpointId, id -> new AtomicInteger());
    if (!d.replay && open.get() >= options.maxPendingPerEndpoint) {
      park(
          d,
          "endpoint_backlog",
          "the endpoint already has "
              + open.get()
              + " deliveries unfinished ("
              + WebhookOptions.MAX_PENDING_PER_ENDPOINT.key()
              + ")",
          null);
      return;
    }
    open.incrementAndGet();
    d.alsoOnDone(open::decrementAndGet);
    pool(d.endpointId).execute(() -> attempt(d));
  }

  private ScheduledThreadPoolExecutor pool(String endpointId) {
    return pools.computeIfAbsent(
        endpointId,
        id -> {
          AtomicInteger n = new AtomicInteger();
          ScheduledThreadPoolExecutor pool =
              new ScheduledThreadPoolExecutor(
                  options.concurrency,
                  r -> {
                    Thread t = new Thread(r, "webhook-" + id + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                  });
          pool.setRemoveOnCancelPolicy(true);
          return pool;
        });
  }

  private void attempt(Delivery d) {
    if (closing) {
      return; // not finished: the record stays uncommitted and the next owner delivers it
    }
    WebhookEndpoint endpoint = registry.get(d.endpointId);
    if (endpoint == null) {
      d.finish(Delivery.State.DROPPED, "the endpoint was deleted");
      count("dropped");
      return;
    }
    if (!endpoint.isEnabled() && !d.replay) {
      park(d, "endpoint_disabled", "the endpoint is disabled", null);
      return;
    }
    URI url = URI.create(endpoint.getUrl());
    String refusal = guard.refusal(url);
    if (refusal != null) {
      d.attempt(new Delivery.Attempt(System.currentTimeMillis(), null, 0, refusal));
      park(d, "receiver_refused", refusal, null);
      return;
    }
    long now = System.currentTimeMillis();
    long timestamp = now / 1000;
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(options.timeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", "FleetPulse-Webhooks/1")
            .header("webhook-id", d.deliveryId)
            .header("webhook-timestamp", Long.toString(timestamp))
            .header(
                "webhook-signature",
                Signer.signature(endpoint.signingSecrets(now), d.deliveryId, timestamp, d.body))
            .POST(HttpRequest.BodyPublishers.ofString(d.body, StandardCharsets.UTF_8))
            .build();
    long start = System.nanoTime();
    Integer status = null;
    String error = null;
    Optional<String> retryAfter = Optional.empty();
    try {
      HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
      status = response.statusCode();
      retryAfter = response.headers().firstValue("Retry-After");
      if (status < 200 || status > 299) {
        error = "the receiver answered " + status;
      }
    } catch (HttpTimeoutException e) {
      error = "no answer within " + options.timeout.toMillis() + " ms";
    } catch (IOException e) {
      error = "request failed: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return; // closing
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    latency.record(Duration.ofMillis(ms));
    int tries = d.attempt(new Delivery.Attempt(now, status, ms, error == null ? null : cut(error)));
    if (error == null) {
      d.finish(Delivery.State.DELIVERED, "delivered");
      count("delivered");
      return;
    }
    if (status != null && status == 410) {
      disable(endpoint, "the receiver answered 410 Gone");
      park(d, "receiver_gone", "the receiver answered 410 Gone; the endpoint is disabled", status);
      return;
    }
    if (tries >= options.maxAttempts) {
      park(d, "delivery_failed", cut(error), status);
      return;
    }
    long wait = backoff(tries);
    if (status != null && (status == 429 || status == 503) && retryAfter.isPresent()) {
      Long asked = retryAfterMillis(retryAfter.get(), now);
      if (asked != null) {
        wait = Math.min(Math.max(asked, 0), options.maxBackoff.toMillis());
      }
    }
    schedule(d, wait);
  }

  private void schedule(Delivery d, long waitMs) {
    if (!closing) {
      pool(d.endpointId).schedule(() -> attempt(d), waitMs, TimeUnit.MILLISECONDS);
    }
  }

  /** Base doubles per try up to the maximum; the wait is half of it plus a random half. */
  long backoff(int triesSoFar) {
    long base = options.initialBackoff.toMillis();
    long max = options.maxBackoff.toMillis();
    for (int i = 1; i < triesSoFar && base < max; i++) {
      base = Math.min(max, base * 2);
    }
    long half = Math.max(1, base / 2);
    return half + ThreadLocalRandom.current().nextLong(half + 1);
  }

  /** {@code Retry-After} as seconds or an HTTP date, in ms from {@code now}; null if unreadable. */
  static Long retryAfterMillis(String value, long now) {
    String v = value.strip();
    try {
      return Long.parseLong(v) * 1000;
    } catch (NumberFormatException e) {
      try {
        return ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                .toInstant()
                .toEpochMilli()
            - now;
      } catch (RuntimeException notADate) {
        return null;
      }
    }
  }

  private void park(Delivery d, String reason, String detail, Integer status) {
    ParkedDelivery p = new ParkedDelivery();
    p.endpointId = d.endpointId;
    p.deliveryId = d.deliveryId;
    p.alertId = d.alertId;
    p.eventType = d.eventType;
    p.body = d.body;
    p.attempts = d.attemptCount();
    Delivery.Attempt last = d.lastAttempt();
    p.lastStatus = last == null ? status : last.status();
    p.lastError = detail;
    p.parkedAt = System.currentTimeMillis();
    if (d.sourceOffset >= 0) {
      p.sourcePartition = d.sourcePartition;
      p.sourceOffset = d.sourceOffset;
    }
    RecordHeaders headers = new RecordHeaders();
    header(headers, DeadLetterHeaders.REASON, reason);
    header(headers, DeadLetterHeaders.DETAIL, detail);
    header(headers, DeadLetterHeaders.STAGE, "shadow-api-webhooks");
    header(headers, DeadLetterHeaders.FAILED_AT, Long.toString(p.parkedAt));
    if (d.sourceOffset >= 0) {
      header(headers, DeadLetterHeaders.SOURCE_TOPIC, alertsTopic);
      header(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(d.sourcePartition));
      header(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(d.sourceOffset));
    }
    try {
      dlq.write(d.endpointId, ModelJson.toBytes(p), headers);
    } catch (RuntimeException e) {
      // Not parked, so not finished: try again later rather than lose it.
      LOG.warn("could not park delivery {} of {}: {}", d.deliveryId, d.endpointId, e.toString());
      schedule(d, options.initialBackoff.toMillis());
      return;
    }
    d.finish(Delivery.State.PARKED, reason + ": " + detail);
    count("parked");
  }

  private void disable(WebhookEndpoint endpoint, String why) {
    WebhookEndpoint off = ModelJson.fromBytes(ModelJson.toBytes(endpoint), WebhookEndpoint.class);
    off.setEnabled(false);
    off.setDisabledReason(why);
    off.setUpdatedAt(System.currentTimeMillis());
    try {
      writer.write(options.endpointsTopic, endpoint.getId(), ModelJson.toBytes(off));
      LOG.warn("webhook endpoint {} disabled: {}", endpoint.getId(), why);
    } catch (RuntimeException e) {
      LOG.warn("could not disable webhook endpoint {}: {}", endpoint.getId(), e.toString());
    }
  }

  private void count(String outcome) {
    Counter.builder("fleetpulse.api.webhooks.deliveries")
        .description("webhook deliveries finished, by outcome")
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }

  private static void header(RecordHeaders headers, String key, String value) {
    headers.add(new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8)));
  }

  private static String cut(String s) {
    return s.length() <= MAX_ERROR ? s : s.substring(0, MAX_ERROR);
  }

  /** Endpoints with a pool; for tests and metrics. */
  List<String> endpointsWithPools() {
    return List.copyOf(pools.keySet());
  }

  @Override
  public void close() {
    closing = true;
    pools.values().forEach(ScheduledThreadPoolExecutor::shutdownNow);
    for (ScheduledThreadPoolExecutor pool : pools.values()) {
      try {
        pool.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
