package io.fleetpulse.devstack.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import io.fleetpulse.devstack.mqtt.MqttTestClients;
import io.fleetpulse.devstack.mqtt.TestCertificates;
import io.fleetpulse.devstack.sim.DeviceSimulator.Incident;
import io.fleetpulse.devstack.sim.SimulatorConfig.Behaviour;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MosquittoExtension.class)
class DeviceSimulatorIT {

  /** Everything happens early and often, so that a few seconds show every kind. */
  private static final Behaviour CHAOS =
      new Behaviour(
          0.1,
          0.1,
          0.02,
          2_000,
          0.34,
          Duration.ofMillis(500),
          Duration.ofMillis(1000),
          10,
          Duration.ofMillis(1000),
          Duration.ofMillis(1500),
          Duration.ofMillis(2000),
          Duration.ofMillis(2500));

  private static final Behaviour QUIET =
      new Behaviour(
          0,
          0,
          0,
          0,
          0,
          Duration.ZERO,
          Duration.ZERO,
          0,
          Duration.ZERO,
          Duration.ZERO,
          Duration.ZERO,
          Duration.ZERO);

  private record Received(String topic, JsonNode body, long at, byte[] raw) {
    String device() {
      return topic.split("/")[1];
    }
  }

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private Mqtt5AsyncClient observer;

  @BeforeEach
  void observe(MosquittoBroker broker) throws Exception {
    received.clear();
    observer = MqttTestClients.connect(broker, "observer-" + System.nanoTime());
    observer.publishes(
        MqttGlobalPublishFilter.ALL,
        p ->
            received.add(
                new Received(
                    p.getTopic().toString(),
                    readTree(p.getPayloadAsBytes()),
                    System.currentTimeMillis(),
                    p.getPayloadAsBytes())));
    observer
        .subscribeWith()
        .topicFilter("devices/+/telemetry")
        .qos(MqttQos.AT_LEAST_ONCE)
        .send()
        .get(10, TimeUnit.SECONDS);
    observer
        .subscribeWith()
        .topicFilter("devices/+/shadow/update")
        .qos(MqttQos.AT_LEAST_ONCE)
        .send()
        .get(10, TimeUnit.SECONDS);
    observer
        .subscribeWith()
        .topicFilter("devices/+/events")
        .qos(MqttQos.AT_LEAST_ONCE)
        .send()
        .get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopObserving() {
    MqttTestClients.disconnect(observer);
  }

  private static SimulatorConfig config(
      MosquittoBroker broker, String prefix, Map<String, String> more, Behaviour behaviour) {
    Map<String, String> values = new HashMap<>(more);
    values.put("broker", "tcp://" + broker.host() + ":" + broker.port());
    values.put("id-prefix", prefix);
    return SimulatorConfig.of(values, behaviour);
  }

  @Test
  void aShortRunHasPlausibleSignalsAndEveryFlawAndIncidentItPromises(MosquittoBroker broker)
      throws Exception {
    SimulatorConfig config =
        config(
            broker,
            "chaos",
            Map.of("devices", "6", "rate", "60", "anomalies", "true", "offline-fraction", "0.34"),
            CHAOS);
    List<Incident> incidents;
    try (DeviceSimulator sim = new DeviceSimulator(config).start()) {
      awaitUntil(
          () -> {
            List<Incident> offline =
                sim.stats().incidents().stream().filter(i -> i.kind().equals("OFFLINE")).toList();
            return offline.size() >= 2
                && offline.stream()
                    .allMatch(
                        i ->
                            telemetryOf(i.deviceId()).stream()
                                .anyMatch(r -> r.at() > i.startedAt() + i.durationMillis()));
          },
          Duration.ofSeconds(30));
      incidents = sim.stats().incidents();
      assertThat(sim.stats().errors()).isZero();
    }

    for (String id : List.of("chaos-0000", "chaos-0001", "chaos-0002", "chaos-0005")) {
      assertThat(received)
          .as("%s reports its shadow", id)
          .anyMatch(
              r ->
                  r.topic().equals("devices/" + id + "/shadow/update")
                      && r.body().at("/state/reported/firmware").isTextual()
                      && r.body().path("clientToken").isTextual());
    }

    List<Received> telemetry =
        received.stream().filter(r -> r.topic().endsWith("/telemetry")).toList();
    for (Received r : telemetry) {
      JsonNode m = r.body().path("metrics");
      assertThat(r.body().path("deviceId").asText()).isEqualTo(r.device());
      assertThat(m.path("humidity").asDouble()).isBetween(0.0, 100.0);
      assertThat(m.path("battery").asDouble()).isBetween(0.0, 100.0);
      assertThat(Math.abs(r.body().path("ts").asLong() - r.at()))
          .as("clock skew of %s", r.device())
          .isLessThan(3_000);
      if (!r.device().equals("chaos-0000")) {
        assertThat(m.path("temperature").asDouble()).as(r.toString()).isBetween(5.0, 40.0);
      }
      if (!r.device().equals("chaos-0001")) {
        assertThat(m.path("vibration").asDouble()).as(r.toString()).isBetween(0.0, 5.0);
      }
    }
    assertThat(incidents)
        .extracting(Incident::deviceId, Incident::kind)
        .contains(
            org.assertj.core.groups.Tuple.tuple("chaos-0000", "TEMPERATURE_SPIKE"),
            org.assertj.core.groups.Tuple.tuple("chaos-0001", "VIBRATION_HIGH"),
            org.assertj.core.groups.Tuple.tuple("chaos-0005", "OFFLINE"),
            org.assertj.core.groups.Tuple.tuple("chaos-0004", "OFFLINE"));
    assertThat(telemetryOf("chaos-0000"))
        .filteredOn(r -> r.body().at("/metrics/temperature").asDouble() > 80)
        .hasSizeGreaterThanOrEqualTo(10);
    assertThat(telemetryOf("chaos-0001"))
        .filteredOn(r -> r.body().at("/metrics/vibration").asDouble() > 8)
        .hasSizeGreaterThanOrEqualTo(10);

    // Repeats: the same seq and ts twice. Reordering: a smaller seq right after a larger one,
    // with an earlier ts (a reboot's smaller seq comes with a later ts).
    Set<String> seen = new HashSet<>();
    int repeats = 0;
    int reordered = 0;
    int resets = 0;
    Map<String, JsonNode> last = new HashMap<>();
    for (Received r : telemetry) {
      String identity =
          r.device() + "/" + r.body().path("seq").asLong() + "/" + r.body().path("ts").asLong();
      if (!seen.add(identity)) {
        repeats++;
        continue;
      }
      JsonNode previous = last.put(r.device(), r.body());
      if (previous != null && r.body().path("seq").asLong() < previous.path("seq").asLong()) {
        if (r.body().path("ts").asLong() < previous.path("ts").asLong()) {
          reordered++;
        } else if (r.body().path("seq").asLong() <= 1) {
          resets++;
        }
      }
    }
    assertThat(repeats).as("repeated messages").isPositive();
    assertThat(reordered).as("reordered messages").isPositive();
    assertThat(resets).as("seq resets after a reboot").isPositive();
    assertThat(received)
        .anyMatch(
            r -> r.topic().endsWith("/events") && r.body().path("type").asText().equals("boot"));

    for (Incident silence : incidents.stream().filter(i -> i.kind().equals("OFFLINE")).toList()) {
      List<Long> at = telemetryOf(silence.deviceId()).stream().map(Received::at).toList();
      long longestGap = 0;
      for (int i = 1; i < at.size(); i++) {
        longestGap = Math.max(longestGap, at.get(i) - at.get(i - 1));
      }
      assertThat(longestGap)
          .as("silence of %s", silence.deviceId())
          .isGreaterThanOrEqualTo(silence.durationMillis() - 200);
    }
  }

  @Test
  void aDeviceAppliesDesiredDeltasAndAcknowledgesCommands(MosquittoBroker broker) throws Exception {
    SimulatorConfig config = config(broker, "obedient", Map.of("devices", "2", "rate", "2"), QUIET);
    try (DeviceSimulator sim = new DeviceSimulator(config).start()) {
      awaitReceived(r -> r.topic().equals("devices/obedient-0000/shadow/update"));
      publish(
          "devices/obedient-0000/shadow/delta",
          "{\"version\":4,\"timestamp\":1,\"state\":{\"led\":\"on\",\"reportIntervalMs\":200}}");
      Received report =
          awaitReceived(
              r ->
                  r.topic().equals("devices/obedient-0000/shadow/update")
                      && r.body().at("/state/reported/led").asText().equals("on"));
      assertThat(report.body().at("/state/reported/reportIntervalMs").asLong()).isEqualTo(200);
      long from = System.currentTimeMillis();
      awaitUntil(
          () -> telemetryOf("obedient-0000").stream().filter(r -> r.at() > from).count() >= 8,
          Duration.ofSeconds(5));

      long now = System.currentTimeMillis();
      publish("devices/obedient-0001/commands", command("c-1", "ping", now + 60_000));
      publish("devices/obedient-0001/commands", command("c-2", "ping", now - 1));
      publish("devices/obedient-0001/commands", command("c-3", "self-destruct", now + 60_000));
      publish("devices/obedient-0001/commands", command("c-4", "reboot", now + 60_000));
      assertThat(ack("c-1")).isEqualTo("done");
      assertThat(ack("c-2")).isEqualTo("expired");
      assertThat(ack("c-3")).isEqualTo("unsupported");
      assertThat(ack("c-4")).isEqualTo("done");
      awaitReceived(
          r ->
              r.topic().equals("devices/obedient-0001/events")
                  && r.body().path("type").asText().equals("boot")
                  && r.body().path("reason").asText().equals("command"));
      assertThat(sim.stats().commandsAcked()).isEqualTo(4);
      assertThat(sim.stats().deltasApplied()).isEqualTo(1);
    }
  }

  @Test
  void aDeviceBackFromSilenceUploadsItsBacklogAsBatchesTheTelemetryParserAccepts(
      MosquittoBroker broker) throws Exception {
    Behaviour silentSoon =
        new Behaviour(
            0,
            0,
            0,
            0,
            0,
            Duration.ZERO,
            Duration.ZERO,
            0,
            Duration.ofMillis(500),
            Duration.ofMillis(500),
            Duration.ofMillis(1500),
            Duration.ofMillis(1500));
    SimulatorConfig config =
        config(
            broker,
            "hist",
            Map.of(
                "devices", "2",
                "rate", "20",
                "offline-fraction", "0.5",
                "history-upload", "true",
                "history.batch-size", "4"),
            silentSoon);
    String device = "hist-0001"; // silences come from the back of the fleet
    Incident silence;
    try (DeviceSimulator sim = new DeviceSimulator(config).start()) {
      awaitUntil(
          () ->
              sim.stats().historyBatches() >= 2
                  && telemetryOf(device).stream()
                      .anyMatch(r -> r.body().has("ts") && r.at() > firstBatchAt(device) + 300),
          Duration.ofSeconds(15));
      silence =
          sim.stats().incidents().stream()
              .filter(i -> i.deviceId().equals(device))
              .findFirst()
              .orElseThrow();
      assertThat(sim.stats().errors()).isZero();
    }

    // In arrival order: live readings, then the backlog in batches, then live again.
    List<Telemetry> readings = new ArrayList<>();
    List<Integer> batchSizes = new ArrayList<>();
    TelemetryParser parser = new TelemetryParser();
    for (Received r : telemetryOf(device)) {
      List<Telemetry> one = new ArrayList<>();
      parser.parseAll(
          r.raw(),
          new TelemetryParser.Readings() {
            @Override
            public void reading(Telemetry telemetry) {
              one.add(telemetry);
            }

            @Override
            public void invalid(int index, io.fleetpulse.model.InvalidMessageException problem) {
              throw new AssertionError("record " + index + " refused: " + problem.getMessage());
            }
          });
      if (r.body().has("records")) {
        batchSizes.add(one.size());
        for (Telemetry t : one) {
          assertThat(t.getTs())
              .as("a batch holds what was measured during the silence")
              .isBetween(
                  silence.startedAt() - 200, silence.startedAt() + silence.durationMillis() + 500);
        }
      }
      one.forEach(t -> assertThat(t.getDeviceId()).isEqualTo(device));
      readings.addAll(one);
    }
    assertThat(batchSizes).hasSizeGreaterThanOrEqualTo(2).allMatch(n -> n >= 1 && n <= 4);
    assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum())
        .as("about one reading per 100 ms of silence")
        .isBetween(10, 22);
    // Nothing lost, nothing twice, and the device's time only moves forward.
    for (int i = 1; i < readings.size(); i++) {
      assertThat(readings.get(i).getSeq()).isEqualTo(readings.get(i - 1).getSeq() + 1);
      assertThat(readings.get(i).getTs()).isGreaterThan(readings.get(i - 1).getTs());
    }
  }

  private long firstBatchAt(String device) {
    return telemetryOf(device).stream()
        .filter(r -> r.body().has("records"))
        .mapToLong(Received::at)
        .findFirst()
        .orElse(Long.MAX_VALUE - 1_000);
  }

  @Test
  void overMutualTlsEachDeviceUsesItsOwnCertificate() throws Exception {
    TestCertificates certs = TestCertificates.create(BuildDirs.fresh("sim-certs"));
    try (MosquittoBroker tls = MosquittoBroker.start(BuildDirs.fresh("sim-mosquitto-tls"), certs)) {
      for (String id : List.of("tls-0000", "tls-0001")) {
        certs.client(id);
      }
      Mqtt5AsyncClient bridge = MqttTestClients.connect(tls, MosquittoBroker.BRIDGE_IDENTITY);
      List<String> topics = new CopyOnWriteArrayList<>();
      bridge.publishes(MqttGlobalPublishFilter.ALL, p -> topics.add(p.getTopic().toString()));
      bridge.subscribeWith().topicFilter("devices/#").send().get(10, TimeUnit.SECONDS);
      SimulatorConfig config =
          SimulatorConfig.of(
              Map.of(
                  "broker",
                  "ssl://127.0.0.1:" + tls.port(),
                  "devices",
                  "2",
                  "rate",
                  "10",
                  "id-prefix",
                  "tls",
                  "tls.ca-file",
                  certs.caCertificate().toString(),
                  "tls.keystore",
                  certs.caCertificate().getParent().resolve("client-{deviceId}.p12").toString(),
                  "tls.keystore-password",
                  TestCertificates.PASSWORD),
              QUIET);
      try (DeviceSimulator sim = new DeviceSimulator(config).start()) {
        awaitUntil(
            () ->
                topics.contains("devices/tls-0000/telemetry")
                    && topics.contains("devices/tls-0001/telemetry"),
            Duration.ofSeconds(15));
      } finally {
        MqttTestClients.disconnect(bridge);
      }
    }
  }

  private static JsonNode readTree(byte[] bytes) {
    try {
      return ModelJson.mapper().readTree(bytes);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private String command(String id, String name, long expiresAt) {
    return String.format(
        "{\"commandId\":\"%s\",\"deviceId\":\"obedient-0001\",\"name\":\"%s\",\"params\":{},"
            + "\"issuedAt\":%d,\"expiresAt\":%d}",
        id, name, System.currentTimeMillis(), expiresAt);
  }

  private String ack(String commandId) throws InterruptedException {
    return awaitReceived(
            r ->
                r.topic().equals("devices/obedient-0001/events")
                    && r.body().path("type").asText().equals("command_ack")
                    && r.body().path("commandId").asText().equals(commandId))
        .body()
        .path("status")
        .asText();
  }

  private void publish(String topic, String json) throws Exception {
    observer
        .publishWith()
        .topic(topic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .payload(json.getBytes(StandardCharsets.UTF_8))
        .send()
        .get(10, TimeUnit.SECONDS);
  }

  private List<Received> telemetryOf(String device) {
    List<Received> out = new ArrayList<>();
    for (Received r : received) {
      if (r.topic().equals("devices/" + device + "/telemetry")) {
        out.add(r);
      }
    }
    return out;
  }

  private Received awaitReceived(Predicate<Received> match) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < end) {
      for (Received r : received) {
        if (match.test(r)) {
          return r;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no such message; received " + received.size());
  }

  private static void awaitUntil(java.util.function.BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(20);
    }
  }
}
