package io.fleetpulse.api.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.api.ApiTestBase;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.DeadLetterHeaders;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Webhook delivery over real HTTP to a real receiver, from a real Kafka alert topic. */
@ApiTestBase.ApiSettings({
  "webhooks.group-id=webhooks-it",
  "webhooks.allow-private-hosts=127.0.0.1",
  "webhooks.retry.max-attempts=4",
  "webhooks.retry.initial-backoff=100ms",
  "webhooks.retry.max-backoff=400ms",
  "webhooks.timeout=8s"
})
class WebhooksIT extends ApiTestBase {

  private static Receiver receiver;

  @BeforeAll
  static void start() throws Exception {
    receiver = new Receiver();
    awaitDelivering();
  }

  private static void awaitDelivering() {
    await(api::deliveringWebhooks, "the webhook consumer");
  }

  @AfterAll
  static void stopReceiver() {
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void theSignerReproducesTheSpecsTestVector() {
    // Published with the Standard Webhooks specification.
    assertThat(
            Signer.signature(
                List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330L,
                "{\"test\": 2432232314}"))
        .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void aDeliveryIsSignedAsTheSpecSaysAndARotatedSecretSignsToo() throws Exception {
    JsonNode created = create("/sig", "sig-dev");
    String secret = created.get("secret").asText();
    String id = created.get("id").asText();
    assertThat(json(adminGet("/webhooks/" + id)).has("secret")).isFalse();
    produceAlert("sig-dev", "sig-a1", AlertState.OPEN, 1);
    await(() -> receiver.at("/sig").size() == 1, "the signed delivery");
    Receiver.Received r = receiver.at("/sig").get(0);
    assertThat(r.signature()).isEqualTo("v1," + hmac(secret, r.id(), r.timestamp(), r.body()));
    assertThat(Math.abs(Long.parseLong(r.timestamp()) - System.currentTimeMillis() / 1000))
        .isLessThan(60);
    JsonNode body = ModelJson.mapper().readTree(r.body());
    assertThat(body.get("type").asText()).isEqualTo("alert.open");
    assertThat(body.at("/data/alertId").asText()).isEqualTo("sig-a1");

    JsonNode rotated = json(send("PATCH", "/webhooks/" + id, "{\"rotateSecret\":true}"));
    String next = rotated.get("secret").asText();
    assertThat(next).isNotEqualTo(secret);
    produceAlert("sig-dev", "sig-a2", AlertState.OPEN, 1);
    await(() -> receiver.at("/sig").size() == 2, "the delivery after rotation");
    Receiver.Received r2 = receiver.at("/sig").get(1);
    assertThat(r2.signature().split(" "))
        .containsExactly(
            "v1," + hmac(next, r2.id(), r2.timestamp(), r2.body()),
            "v1," + hmac(secret, r2.id(), r2.timestamp(), r2.body()));
  }

  @Test
  void aReceiverFailingThreeTimesGetsTheAlertExactlyOnceByWebhookId() throws Exception {
    receiver.on("/flaky", n -> n <= 3 ? 500 : 200);
    String id = create("/flaky", "flaky-dev").get("id").asText();
    produceAlert("flaky-dev", "flaky-a1", AlertState.OPEN, 1);
    await(() -> receiver.at("/flaky").stream().anyMatch(r -> r.answered() == 200), "success");
    // a second alert to the same receiver marks the end of anything the first could still send
    produceAlert("flaky-dev", "flaky-mark", AlertState.OPEN, 1);
    await(() -> receiver.at("/flaky").size() >= 5, "the marker");
    List<Receiver.Received> all = receiver.at("/flaky");
    String first = all.get(0).id();
    assertThat(all.subList(0, 4)).extracting(Receiver.Received::id).containsOnly(first);
    assertThat(all.subList(0, 4))
        .extracting(Receiver.Received::answered)
        .containsExactly(500, 500, 500, 200);
    assertThat(all.stream().filter(r -> r.id().equals(first) && r.answered() == 200)).hasSize(1);
    assertThat(all.get(4).id()).isNotEqualTo(first);
    JsonNode deliveries = json(adminGet("/webhooks/" + id + "/deliveries"));
    JsonNode d = find(deliveries, first);
    assertThat(d.get("state").asText()).isEqualTo("DELIVERED");
    List<Integer> codes = new ArrayList<>();
    d.get("attempts").forEach(a -> codes.add(a.get("status").asInt()));
    assertThat(codes).containsExactly(500, 500, 500, 200);
    assertThat(d.at("/attempts/0/latencyMs").isNumber()).isTrue();
  }

  @Test
  void aDeadReceiverEndsInTheDlqAndAReplayDeliversIt() throws Exception {
    AtomicBoolean alive = new AtomicBoolean(false);
    receiver.on("/dead", n -> alive.get() ? 200 : 503);
    String id = create("/dead", "dead-dev").get("id").asText();
    produceAlert("dead-dev", "dead-a1", AlertState.OPEN, 1);
    await(
        () ->
            json(adminGet("/webhooks/" + id + "/deliveries"))
                .at("/items/0/state")
                .asText()
                .equals("PARKED"),
        "the delivery to be parked");
    assertThat(receiver.at("/dead")).hasSize(4);
    String deliveryId = receiver.at("/dead").get(0).id();
    ConsumerRecord<byte[], byte[]> parked =
        kafka.consume(FleetTopics.WEBHOOKS_DLQ.name(), 1, Duration.ofSeconds(10)).stream()
            .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals(id))
            .findFirst()
            .orElseThrow();
    assertThat(header(parked, DeadLetterHeaders.REASON)).isEqualTo("delivery_failed");
    assertThat(header(parked, DeadLetterHeaders.DETAIL)).contains("503");
    assertThat(header(parked, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(FleetTopics.ALERTS.name());
    JsonNode p = ModelJson.mapper().readTree(parked.value());
    assertThat(p.get("deliveryId").asText()).isEqualTo(deliveryId);
    assertThat(p.get("attempts").asInt()).isEqualTo(4);

    alive.set(true);
    var replay = send("POST", "/webhooks/" + id + "/deliveries/" + deliveryId + ":retry", null);
    assertThat(replay.statusCode()).isEqualTo(202);
    await(() -> receiver.at("/dead").size() == 5, "the replay");
    Receiver.Received r = receiver.at("/dead").get(4);
    assertThat(r.id()).isEqualTo(deliveryId);
    assertThat(r.answered()).isEqualTo(200);
    assertThat(send("POST", "/webhooks/" + id + "/deliveries/msg_nothing:retry", null).statusCode())
        .isEqualTo(404);
  }

  @Test
  void aSlowReceiverDoesNotDelayAFastOne() throws Exception {
    receiver.on(
        "/slow",
        n -> {
          try {
            Thread.sleep(3_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return 200;
        });
    create("/slow", "speed-dev");
    create("/fast", "speed-dev");
    long start = System.nanoTime();
    for (int i = 0; i < 6; i++) {
      produceAlert("speed-dev", "speed-a" + i, AlertState.OPEN, 1);
    }
    await(() -> receiver.at("/fast").size() == 6, "the fast receiver");
    long fastMs = (receiver.at("/fast").get(5).atNanos() - start) / 1_000_000;
    // the slow receiver answers its first requests only 3 s in; the fast one is done long before
    assertThat(fastMs).isLessThan(2_000);
    assertThat(receiver.at("/slow")).isEmpty();
    await(() -> receiver.at("/slow").size() == 6, "the slow receiver");
  }

  @Test
  void aRestartInTheMiddleOfRetriesLosesNothing() throws Exception {
    CountDownLatch retrying = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    receiver.on(
        "/restart",
        n -> {
          if (n == 1) {
            return 500;
          }
          if (n == 2) {
            retrying.countDown();
            try {
              release.await(20, TimeUnit.SECONDS); // the service stops during this retry
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return 500;
          }
          return 200;
        });
    create("/restart", "restart-dev");
    produceAlert("restart-dev", "restart-a1", AlertState.OPEN, 1);
    assertThat(retrying.await(20, TimeUnit.SECONDS)).isTrue();
    api.close();
    release.countDown();
    startClassApi();
    awaitDelivering();
    await(
        () -> receiver.at("/restart").stream().anyMatch(r -> r.answered() == 200),
        "the delivery after the restart");
    List<Receiver.Received> all = receiver.at("/restart");
    assertThat(all).hasSizeGreaterThanOrEqualTo(3);
    assertThat(all).extracting(Receiver.Received::id).containsOnly(all.get(0).id());
  }

  @Test
  void aReceiverAnswering410IsDisabled() throws Exception {
    receiver.on("/gone", n -> 410);
    String id = create("/gone", "gone-dev").get("id").asText();
    produceAlert("gone-dev", "gone-a1", AlertState.OPEN, 1);
    await(
        () -> !json(adminGet("/webhooks/" + id)).get("enabled").asBoolean(),
        "the endpoint to be disabled");
    assertThat(receiver.at("/gone")).hasSize(1);
    assertThat(json(adminGet("/webhooks/" + id)).get("disabledReason").asText()).contains("410");
  }

  @Test
  void receiversOnInternalAddressesAreRefused() throws Exception {
    for (String url :
        List.of(
            "http://127.0.0.2:9/x",
            "http://169.254.169.254/latest/meta-data",
            "http://10.1.2.3/hook",
            "http://192.168.1.1/hook",
            "http://[::1]:8080/hook",
            "ftp://example.com/x")) {
      var refused = send("POST", "/webhooks", "{\"url\":\"" + url + "\"}");
      assertThat(refused.statusCode()).as(url).isEqualTo(400);
      assertThat(json(refused).get("field").asText()).isEqualTo("url");
    }
    SsrfGuard strict = new SsrfGuard(List.of());
    assertThat(strict.refusal(URI.create("http://127.0.0.1:8080/"))).contains("loopback");
    assertThat(strict.refusal(URI.create("http://172.16.0.1/"))).contains("private");
    assertThat(strict.refusal(URI.create("http://[fd00::1]/"))).contains("unique-local");
    assertThat(strict.refusal(URI.create("http://100.64.0.1/"))).contains("carrier-grade");
    assertThat(strict.refusal(URI.create("https://93.184.216.34/hook"))).isNull();
  }

  @Test
  void endpointsAreManagedAndBadInputNamesTheField() throws Exception {
    var created =
        send(
            "POST",
            "/webhooks",
            "{\"url\":\""
                + receiver.url("/crud")
                + "\",\"description\":\"ops\",\"filter\":{\"severities\":[\"CRITICAL\"]}}");
    assertThat(created.statusCode()).isEqualTo(201);
    String id = json(created).get("id").asText();
    assertThat(json(created).get("secret").asText()).startsWith("whsec_");
    assertThat(adminGet("/webhooks").body()).contains(id).doesNotContain("whsec_");
    JsonNode patched =
        json(
            send(
                "PATCH",
                "/webhooks/" + id,
                "{\"enabled\":false,\"filter\":{\"states\":[\"OPEN\"]}}"));
    assertThat(patched.get("enabled").asBoolean()).isFalse();
    assertThat(patched.has("secret")).isFalse();
    assertThat(patched.at("/filter/states/0").asText()).isEqualTo("OPEN");
    assertThat(json(send("POST", "/webhooks", "{}")).get("field").asText()).isEqualTo("url");
    assertThat(
            json(send(
                    "POST",
                    "/webhooks",
                    "{\"url\":\""
                        + receiver.url("/x")
                        + "\",\"filter\":{\"severities\":[\"LOUD\"]}}"))
                .get("field")
                .asText())
        .isEqualTo("filter");
    assertThat(
            json(send(
                    "POST",
                    "/webhooks",
                    "{\"url\":\"" + receiver.url("/x") + "\",\"secret\":\"short\"}"))
                .get("field")
                .asText())
        .isEqualTo("secret");
    assertThat(send("DELETE", "/webhooks/" + id, null).statusCode()).isEqualTo(204);
    assertThat(adminGet("/webhooks/" + id).statusCode()).isEqualTo(404);
  }

  @Test
  void aGroupFilterDeliversAlertsOfTheGroupsDevicesAsTheRegistryHasThem() throws Exception {
    register("grp-in", "{\"deviceId\":\"grp-in\",\"groups\":[\"wh-pumps\"]}");
    register("grp-out", "{\"deviceId\":\"grp-out\",\"groups\":[\"wh-fans\"]}");
    var created =
        send(
            "POST",
            "/webhooks",
            "{\"url\":\""
                + receiver.url("/groups")
                + "\",\"filter\":{\"groups\":[\"wh-pumps\"],\"deviceIds\":[\"grp-listed\"]}}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(json(created).at("/filter/groups/0").asText()).isEqualTo("wh-pumps");
    produceAlert("grp-out", "grp-a-out", AlertState.OPEN, 1);
    produceAlert("grp-in", "grp-a-in", AlertState.OPEN, 1);
    produceAlert("grp-listed", "grp-a-listed", AlertState.OPEN, 1);
    // grp-out joins the group: its next alert (same partition, so read after the first) passes
    var moved = send("PATCH", "/devices/grp-out", "{\"groups\":[\"wh-fans\",\"wh-pumps\"]}");
    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    produceAlert("grp-out", "grp-a-out-2", AlertState.OPEN, 1);
    await(() -> receiver.at("/groups").size() >= 3, "the group's alerts");
    List<String> got = new ArrayList<>();
    for (Receiver.Received r : receiver.at("/groups")) {
      got.add(ModelJson.mapper().readTree(r.body()).at("/data/alertId").asText());
    }
    assertThat(got).containsExactlyInAnyOrder("grp-a-in", "grp-a-listed", "grp-a-out-2");

    var bad =
        send(
            "POST",
            "/webhooks",
            "{\"url\":\"" + receiver.url("/x") + "\",\"filter\":{\"groups\":[\"no group\"]}}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).get("field").asText()).isEqualTo("filter.groups[0]");
  }

  // ---------------------------------------------------------------------------------------------

  private static JsonNode create(String path, String deviceId) throws Exception {
    var r =
        send(
            "POST",
            "/webhooks",
            "{\"url\":\""
                + receiver.url(path)
                + "\",\"filter\":{\"deviceIds\":[\""
                + deviceId
                + "\"]}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r);
  }

  private static void produceAlert(String deviceId, String alertId, AlertState state, long count) {
    produceAlert(deviceId, alertId, AlertSeverity.CRITICAL, state, count);
  }

  /** An HMAC written here from the spec, not the library the service signs with. */
  private static String hmac(String secret, String id, String ts, String body) throws Exception {
    byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return Base64.getEncoder()
        .encodeToString(mac.doFinal((id + "." + ts + "." + body).getBytes(StandardCharsets.UTF_8)));
  }

  private static JsonNode find(JsonNode deliveries, String deliveryId) {
    for (JsonNode d : deliveries.get("items")) {
      if (d.get("deliveryId").asText().equals(deliveryId)) {
        return d;
      }
    }
    throw new AssertionError("no delivery " + deliveryId + " in " + deliveries);
  }

  private static HttpResponse<String> adminGet(String path) {
    return admin("GET", path, null);
  }

  private static HttpResponse<String> send(String method, String path, String body) {
    return admin(method, path, body);
  }
}
