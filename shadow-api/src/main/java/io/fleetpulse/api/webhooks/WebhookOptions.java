package io.fleetpulse.api.webhooks;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.KafkaOptions;
import io.fleetpulse.config.Settings;
import io.fleetpulse.model.FleetTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The webhook options of the API service and their values, read once at start. */
public final class WebhookOptions {

  public static final ConfigOption<String> ENDPOINTS_TOPIC =
      KafkaOptions.topic(
          "topic.webhooks",
          FleetTopics.WEBHOOKS.name(),
          "webhook endpoints (compacted; read and written)");
  public static final ConfigOption<String> DLQ_TOPIC =
      KafkaOptions.topic(
          "topic.webhooks.dlq",
          FleetTopics.WEBHOOKS_DLQ.name(),
          "webhook deliveries parked after their last try (read and written)");
  public static final ConfigOption<Boolean> DELIVER =
      ConfigOption.key("webhooks.deliver")
          .booleanType()
          .defaultValue(true)
          .description(
              "whether this instance delivers alerts to webhooks (instances share the work through"
                  + " the consumer group)");
  public static final ConfigOption<String> GROUP_ID =
      ConfigOption.key("webhooks.group-id")
          .stringType()
          .nonBlank()
          .defaultValue("fleetpulse-webhooks")
          .description("Kafka consumer group of the delivering instances on the alert topic");
  public static final ConfigOption<Integer> MAX_ATTEMPTS =
      ConfigOption.key("webhooks.retry.max-attempts")
          .intType()
          .between(1, 50)
          .defaultValue(8)
          .description("tries of one delivery before it is parked in the DLQ topic");
  public static final ConfigOption<Duration> INITIAL_BACKOFF =
      ConfigOption.key("webhooks.retry.initial-backoff")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(5))
          .description("wait before the second try; doubled after each, with jitter");
  public static final ConfigOption<Duration> MAX_BACKOFF =
      ConfigOption.key("webhooks.retry.max-backoff")
          .durationType()
          .positive()
          .defaultValue(Duration.ofMinutes(10))
          .description("longest wait between tries, also the cap on a receiver's `Retry-After`");
  public static final ConfigOption<Duration> TIMEOUT =
      ConfigOption.key("webhooks.timeout")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(10))
          .description(
              "how long one request may take (connect and answer) before it counts as failed");
  public static final ConfigOption<Integer> CONCURRENCY =
      ConfigOption.key("webhooks.endpoint-concurrency")
          .intType()
          .between(1, 64)
          .defaultValue(4)
          .description("requests in flight per endpoint; each endpoint has its own threads");
  public static final ConfigOption<Integer> MAX_PENDING =
      ConfigOption.key("webhooks.max-pending")
          .intType()
          .positive()
          .defaultValue(10_000)
          .description("alerts in delivery before the consumer pauses reading the alert topic");
  public static final ConfigOption<Integer> MAX_PENDING_PER_ENDPOINT =
      ConfigOption.key("webhooks.max-pending-per-endpoint")
          .intType()
          .positive()
          .defaultValue(1_000)
          .description(
              "unfinished deliveries of one endpoint beyond which new ones are parked in the DLQ"
                  + " topic at once (replayable), so a dead receiver cannot pause the others");
  public static final ConfigOption<Integer> DELIVERIES_KEPT =
      ConfigOption.key("webhooks.deliveries-kept")
          .intType()
          .positive()
          .defaultValue(200)
          .description("recent deliveries kept per endpoint for `GET /webhooks/{id}/deliveries`");
  public static final ConfigOption<Duration> ROTATION_GRACE =
      ConfigOption.key("webhooks.secret-rotation-grace")
          .durationType()
          .nonNegative()
          .defaultValue(Duration.ofHours(24))
          .description("how long a replaced secret still signs (a second `v1,` signature)");
  public static final ConfigOption<String> ALLOW_PRIVATE =
      ConfigOption.key("webhooks.allow-private-hosts")
          .stringType()
          .defaultValue("")
          .defaultDescribedAs("(none)")
          .description(
              "comma-separated hosts or IP addresses allowed although they are loopback,"
                  + " link-local or private (refused by default against SSRF)");

  /** Every webhook option, for the service's option set. */
  public static final List<ConfigOption<?>> ALL =
      List.of(
          ENDPOINTS_TOPIC,
          DLQ_TOPIC,
          DELIVER,
          GROUP_ID,
          MAX_ATTEMPTS,
          INITIAL_BACKOFF,
          MAX_BACKOFF,
          TIMEOUT,
          CONCURRENCY,
          MAX_PENDING,
          MAX_PENDING_PER_ENDPOINT,
          DELIVERIES_KEPT,
          ROTATION_GRACE,
          ALLOW_PRIVATE);

  final String endpointsTopic;
  final String dlqTopic;
  final boolean deliver;
  final String groupId;
  final int maxAttempts;
  final Duration initialBackoff;
  final Duration maxBackoff;
  final Duration timeout;
  final int concurrency;
  final int maxPending;
  final int maxPendingPerEndpoint;
  final int deliveriesKept;
  final Duration rotationGrace;
  final List<String> allowPrivate;

  private WebhookOptions(Settings s) {
    endpointsTopic = s.get(ENDPOINTS_TOPIC);
    dlqTopic = s.get(DLQ_TOPIC);
    deliver = s.get(DELIVER);
    groupId = s.get(GROUP_ID);
    maxAttempts = s.get(MAX_ATTEMPTS);
    initialBackoff = s.get(INITIAL_BACKOFF);
    maxBackoff = s.get(MAX_BACKOFF);
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new ConfigException(
          "setting '"
              + MAX_BACKOFF.key()
              + "': it must not be shorter than '"
              + INITIAL_BACKOFF.key()
              + "'");
    }
    timeout = s.get(TIMEOUT);
    concurrency = s.get(CONCURRENCY);
    maxPending = s.get(MAX_PENDING);
    maxPendingPerEndpoint = s.get(MAX_PENDING_PER_ENDPOINT);
    if (maxPendingPerEndpoint >= maxPending) {
      throw new ConfigException(
          "setting '"
              + MAX_PENDING_PER_ENDPOINT.key()
              + "': it must be smaller than '"
              + MAX_PENDING.key()
              + "', or one dead receiver can still pause delivery to all");
    }
    deliveriesKept = s.get(DELIVERIES_KEPT);
    rotationGrace = s.get(ROTATION_GRACE);
    allowPrivate = new ArrayList<>();
    for (String host : s.get(ALLOW_PRIVATE).split(",")) {
      if (!host.isBlank()) {
        allowPrivate.add(SsrfGuard.normalize(host.strip()));
      }
    }
  }

  /** Reads and validates the webhook options. */
  public static WebhookOptions from(Settings settings) {
    return new WebhookOptions(settings);
  }

  /** The topics webhooks need besides the alert topic. */
  public List<String> topics() {
    return List.of(endpointsTopic, dlqTopic);
  }
}
