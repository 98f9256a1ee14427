package io.fleetpulse.api.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.api.ApiTestBase;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.DeadLetterHeaders;
import io.fleetpulse.model.FleetTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A dead receiver matching every alert, with a retry schedule far longer than the test: without a
 * per-endpoint cap its unfinished deliveries would fill {@code webhooks.max-pending} and pause the
 * reading of alerts for every receiver.
 */
@ApiTestBase.ApiSettings({
  "webhooks.group-id=webhook-backlog-it",
  "webhooks.allow-private-hosts=127.0.0.1",
  "webhooks.retry.max-attempts=5",
  "webhooks.retry.initial-backoff=10m",
  "webhooks.retry.max-backoff=10m",
  "webhooks.max-pending=8",
  "webhooks.max-pending-per-endpoint=3"
})
class WebhookBacklogIT extends ApiTestBase {

  private static final int ALERTS = 20;
  private static Receiver receiver;

  @BeforeAll
  static void start() throws Exception {
    receiver = new Receiver();
    await(api::deliveringWebhooks, "the webhook consumer");
  }

  @AfterAll
  static void stopReceiver() {
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void aDeadReceiverBeyondItsCapIsParkedAndTheOthersGetEveryAlert() throws Exception {
    receiver.on("/dead", n -> 503);
    String dead = create("/dead");
    create("/alive");

    for (int i = 0; i < ALERTS; i++) {
      produceAlert("backlog-dev", "backlog-a" + i, AlertSeverity.CRITICAL, AlertState.OPEN, 1);
    }

    await(() -> receiver.at("/alive").size() == ALERTS, "every alert at the live receiver");
    assertThat(receiver.at("/dead")).hasSize(3);
    await(() -> parkedAt(dead).size() == ALERTS - 3, "the deliveries beyond the cap parked");
    assertThat(parkedAt(dead))
        .allSatisfy(
            r -> assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("endpoint_backlog"));
  }

  private static List<ConsumerRecord<byte[], byte[]>> parkedAt(String endpointId) {
    return kafka.consumeFor(FleetTopics.WEBHOOKS_DLQ.name(), Duration.ofMillis(500)).stream()
        .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals(endpointId))
        .toList();
  }

  private static String create(String path) throws Exception {
    var r =
        admin(
            "POST",
            "/webhooks",
            "{\"url\":\""
                + receiver.url(path)
                + "\",\"filter\":{\"deviceIds\":[\"backlog-dev\"]}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r).get("id").asText();
  }
}
