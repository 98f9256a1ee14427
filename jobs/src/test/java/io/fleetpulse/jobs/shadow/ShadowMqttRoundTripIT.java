package io.fleetpulse.jobs.shadow;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.fleetpulse.config.Settings;
import io.fleetpulse.connectors.mqtt.MqttBridge;
import io.fleetpulse.connectors.mqtt.MqttBridgeConfig;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import io.fleetpulse.devstack.mqtt.MqttTestClients;
import io.fleetpulse.jobs.testing.TestEnvironments;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Devices on a real Mosquitto, the real bridge, the ShadowJob on Kafka: the AWS shadow conversation
 * over MQTT, including a device that was offline while its desired state changed.
 */
@ExtendWith({KafkaExtension.class, MosquittoExtension.class})
class ShadowMqttRoundTripIT {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @Test
  void desiredChangesReachDevicesOnTheirDeltaTopicAlsoAfterBeingOffline(
      MosquittoBroker broker, KafkaTestClient kafka) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    ShadowJobConfig config =
        ShadowJobConfig.load(
            new String[] {
              "--kafka.bootstrap.servers", kafka.bootstrapServers(),
              "--kafka.group.id", "shadow-mqtt-" + run,
              "--topic.shadow.reported", "reported-" + run,
              "--topic.shadow.desired", "desired-" + run,
              "--topic.shadows", "shadows-" + run,
              "--topic.shadow.delta", "delta-" + run,
              "--topic.shadow.responses", "responses-" + run,
              "--topic.shadow.dlq", "shadow-dlq-" + run,
              "--checkpoint.interval", "1s"
            },
            Map.of());
    String rejected = "rejected-" + run;
    String commands = "commands-" + run;
    kafka.createTopics(
        2,
        config.reportedTopic(),
        config.desiredTopic(),
        config.deltaTopic(),
        config.responsesTopic(),
        config.deadLetterTopic(),
        rejected,
        commands);
    kafka.createTopics(2, Map.of("cleanup.policy", "compact"), config.shadowsTopic());

    StreamExecutionEnvironment env = TestEnvironments.of(ShadowJob.flinkConfiguration(config), 2);
    ShadowJob.kafkaJob(config).build(env);
    JobClient job = env.executeAsync("shadow-mqtt-round-trip");
    MqttBridge bridge = bridge(broker, kafka, config, rejected, commands, run).start();
    Mqtt5AsyncClient thermostat = null;
    Mqtt5AsyncClient sleeper = null;
    try {
      await("bridge healthy", bridge::healthy);

      // Online: desired → delta on MQTT; reported back → the delta is empty.
      thermostat = MqttTestClients.connect(broker, "thermo-1");
      BlockingQueue<Mqtt5Publish> inbox =
          MqttTestClients.subscribe(thermostat, "devices/thermo-1/shadow/#");
      desired(kafka, config, "thermo-1", "{\"state\":{\"desired\":{\"temp\":22}}}");
      Mqtt5Publish delta = next(inbox, "devices/thermo-1/shadow/delta");
      assertThat(json(delta).at("/state/temp").asInt()).isEqualTo(22);

      publish(
          thermostat,
          "devices/thermo-1/shadow/update",
          "{\"state\":{\"reported\":{\"temp\":22}},\"clientToken\":\"dev-1\"}");
      // Responses to the application's request went to the same topics (as on AWS): the device
      // tells its own apart by the clientToken.
      JsonNode accepted = json(next(inbox, "devices/thermo-1/shadow/update/accepted", "dev-1"));
      assertThat(accepted.at("/state/reported/temp").asInt()).isEqualTo(22);
      JsonNode documents = json(next(inbox, "devices/thermo-1/shadow/update/documents", "dev-1"));
      assertThat(documents.at("/previous/state/desired/temp").asInt()).isEqualTo(22);
      assertThat(documents.at("/previous/state/reported").isMissingNode()).isTrue();
      assertThat(documents.at("/current/state/reported/temp").asInt()).isEqualTo(22);
      assertThat(documents.at("/current/state").has("delta")).isFalse();
      publish(thermostat, "devices/thermo-1/shadow/get", "{\"clientToken\":\"g-1\"}");
      JsonNode got = json(next(inbox, "devices/thermo-1/shadow/get/accepted"));
      assertThat(got.at("/state").has("delta")).isFalse();
      assertThat(got.get("version").asInt()).isEqualTo(2);

      // A named shadow's conversation stays under its name; a bad version is rejected with 409.
      publish(
          thermostat,
          "devices/thermo-1/shadow/name/cfg/update",
          "{\"state\":{\"reported\":{\"mode\":\"eco\"}},\"version\":5,\"clientToken\":\"n-1\"}");
      JsonNode conflict = json(next(inbox, "devices/thermo-1/shadow/name/cfg/update/rejected"));
      assertThat(conflict.get("code").asInt()).isEqualTo(409);
      assertThat(conflict.get("clientToken").asText()).isEqualTo("n-1");

      // Offline: the desired change waits in the shadow; the device asks when it is back.
      sleeper = MqttTestClients.connect(broker, "sleeper-1");
      BlockingQueue<Mqtt5Publish> before =
          MqttTestClients.subscribe(sleeper, "devices/sleeper-1/shadow/#");
      publish(sleeper, "devices/sleeper-1/shadow/update", "{\"state\":{\"reported\":{\"t\":20}}}");
      next(before, "devices/sleeper-1/shadow/update/accepted");
      MqttTestClients.disconnect(sleeper);
      desired(kafka, config, "sleeper-1", "{\"state\":{\"desired\":{\"t\":25}}}");
      awaitDocumentVersion(kafka, config, "sleeper-1", 2);

      sleeper = MqttTestClients.connect(broker, "sleeper-1");
      BlockingQueue<Mqtt5Publish> after =
          MqttTestClients.subscribe(sleeper, "devices/sleeper-1/shadow/get/accepted");
      publish(sleeper, "devices/sleeper-1/shadow/get", "{\"clientToken\":\"back\"}");
      JsonNode missed = json(next(after, "devices/sleeper-1/shadow/get/accepted"));
      assertThat(missed.at("/state/delta/t").asInt()).isEqualTo(25);
      assertThat(missed.get("clientToken").asText()).isEqualTo("back");
    } finally {
      if (thermostat != null) {
        MqttTestClients.disconnect(thermostat);
      }
      if (sleeper != null) {
        MqttTestClients.disconnect(sleeper);
      }
      bridge.close();
      job.cancel().get();
    }
  }

  private static MqttBridge bridge(
      MosquittoBroker broker,
      KafkaTestClient kafka,
      ShadowJobConfig config,
      String rejected,
      String commands,
      String run) {
    String reported = config.reportedTopic();
    StringBuilder uplink = new StringBuilder();
    for (String op : new String[] {"update", "get", "delete"}) {
      uplink.append(uplink.isEmpty() ? "" : ",");
      uplink.append("devices/{deviceId}/shadow/").append(op).append('=').append(reported);
      uplink.append(",devices/{deviceId}/shadow/name/{shadowName}/").append(op);
      uplink.append('=').append(reported);
    }
    Map<String, String> s = new HashMap<>();
    s.put("mqtt.host", broker.host());
    s.put("mqtt.port", String.valueOf(broker.port()));
    s.put("mqtt.client-id", "bridge-" + run);
    s.put("mqtt.reconnect.initial-delay", "100ms");
    s.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    s.put("uplink.routes", uplink.toString());
    s.put(
        "downlink.routes",
        config.deltaTopic()
            + "=devices/{deviceId}/shadow/delta,"
            + config.responsesTopic()
            + "=devices/{deviceId}/shadow/{shadowResponse},"
            + commands
            + "=devices/{deviceId}/commands");
    s.put("downlink.group-id", "bridge-downlink-" + run);
    s.put("topic.bridge.rejected", rejected);
    s.put("http.host", "127.0.0.1");
    s.put("http.port", "0");
    return MqttBridge.builder()
        .config(MqttBridgeConfig.from(Settings.of(s, MqttBridgeConfig.OPTIONS)))
        .build();
  }

  private static void desired(
      KafkaTestClient kafka, ShadowJobConfig config, String device, String body) {
    kafka.produce(
        List.of(
            new ProducerRecord<>(
                config.desiredTopic(), device.getBytes(UTF_8), body.getBytes(UTF_8))));
  }

  private static void publish(Mqtt5AsyncClient client, String topic, String body) throws Exception {
    client
        .publishWith()
        .topic(topic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .payload(body.getBytes(UTF_8))
        .send()
        .get(10, TimeUnit.SECONDS);
  }

  /** The next message on {@code topic}, skipping the device's other shadow topics. */
  private static Mqtt5Publish next(BlockingQueue<Mqtt5Publish> inbox, String topic)
      throws Exception {
    return next(inbox, topic, null);
  }

  /** The next message on {@code topic} answering {@code clientToken} (null: any). */
  private static Mqtt5Publish next(
      BlockingQueue<Mqtt5Publish> inbox, String topic, String clientToken) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Mqtt5Publish p = inbox.poll(200, TimeUnit.MILLISECONDS);
      if (p != null
          && p.getTopic().toString().equals(topic)
          && (clientToken == null
              || clientToken.equals(json(p).path("clientToken").asText(null)))) {
        return p;
      }
    }
    throw new AssertionError("nothing arrived on " + topic + " within " + WAIT);
  }

  private static void awaitDocumentVersion(
      KafkaTestClient kafka, ShadowJobConfig config, String device, int version) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (var r :
          kafka.consume(config.shadowsTopic(), Integer.MAX_VALUE, Duration.ofMillis(500))) {
        if (new String(r.key(), UTF_8).equals(device)
            && r.value() != null
            && MAPPER.readTree(r.value()).get("version").asInt() >= version) {
          return;
        }
      }
    }
    throw new AssertionError(device + " never reached version " + version);
  }

  private static void await(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " not reached within " + WAIT);
      }
      Thread.sleep(50);
    }
  }

  private static JsonNode json(Mqtt5Publish publish) throws Exception {
    return MAPPER.readTree(publish.getPayloadAsBytes());
  }
}
