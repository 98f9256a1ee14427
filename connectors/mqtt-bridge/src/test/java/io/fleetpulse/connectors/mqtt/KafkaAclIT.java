package io.fleetpulse.connectors.mqtt;

import static io.fleetpulse.connectors.mqtt.BridgeTests.header;
import static io.fleetpulse.connectors.mqtt.BridgeTests.key;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.kafka.EmbeddedKafka;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import io.fleetpulse.devstack.mqtt.MqttTestClients;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Kafka with ACLs (KRaft StandardAuthorizer): a right taken away hits one topic, not the fleet. */
@ExtendWith(MosquittoExtension.class)
class KafkaAclIT {

  private static EmbeddedKafka kafka;
  private static KafkaTestClient client;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafka.startWithAcls(BuildDirs.fresh("kafka-acl"));
    client = new KafkaTestClient(kafka.bootstrapServers());
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void aTopicWithoutWritePermissionRejectsItsMessagesAndTheOtherDevicesFlow(MosquittoBroker broker)
      throws Exception {
    String name = "acl-write";
    BridgeTests.createTopics(client, name);
    deny(AclOperation.WRITE, name + ".shadow.reported");
    Map<String, String> settings = BridgeTests.settings(broker, client, name);
    settings.put("downlink.enabled", "false");
    settings.put("mqtt.shared-group", name);
    settings.put("uplink.max-inflight", "4");
    byte[] update = "{\"state\":{\"reported\":{\"fw\":\"1.2\"}}}".getBytes(StandardCharsets.UTF_8);
    try (MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build()) {
      bridge.start();
      BridgeTests.await("bridge healthy", Duration.ofSeconds(20), bridge::healthy);
      Mqtt5AsyncClient device = MqttTestClients.connect(broker, "dev-denied");
      try {
        BridgeTests.publish(device, "devices/dev-denied/shadow/update", update);
      } finally {
        MqttTestClients.disconnect(device);
      }
      Mqtt5AsyncClient others = MqttTestClients.connect(broker, "others");
      try {
        for (int i = 1; i <= 50; i++) {
          BridgeTests.publish(
              others,
              "devices/dev-" + i + "/telemetry",
              ("{\"deviceId\":\"dev-" + i + "\"}").getBytes(StandardCharsets.UTF_8));
        }
      } finally {
        MqttTestClients.disconnect(others);
      }

      List<ConsumerRecord<byte[], byte[]>> forwarded =
          client.consume(BridgeTests.telemetry(name), 50, Duration.ofSeconds(30));
      Set<String> devices = new HashSet<>();
      forwarded.forEach(r -> devices.add(key(r)));
      assertThat(devices).as("every other device's message arrived").hasSize(50);
      List<ConsumerRecord<byte[], byte[]>> rejected =
          client.consume(BridgeTests.rejected(name), 1, Duration.ofSeconds(30));
      assertThat(rejected).hasSize(1);
      assertThat(header(rejected.get(0), "dlq.reason")).isEqualTo("kafka_refused");
      assertThat(header(rejected.get(0), "dlq.detail"))
          .contains(name + ".shadow.reported")
          .contains("TopicAuthorizationException");
      assertThat(key(rejected.get(0))).isEqualTo("dev-denied");
      assertThat(rejected.get(0).value()).isEqualTo(update);
      BridgeTests.await("all acknowledged", Duration.ofSeconds(10), () -> bridge.inflight() == 0);
    }
  }

  @Test
  void aDownlinkConsumerThatMayNotReadItsTopicMakesHealthSay503NamingTheDownlink(
      MosquittoBroker broker) {
    String name = "acl-read";
    BridgeTests.createTopics(client, name);
    deny(AclOperation.READ, BridgeTests.commands(name));
    Map<String, String> settings = BridgeTests.settings(broker, client, name);
    settings.put("mqtt.shared-group", name);
    try (MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build()) {
      bridge.start();
      // poll() throws TopicAuthorizationException, and the downlink thread ends.
      BridgeTests.await(
          "health naming the downlink",
          Duration.ofSeconds(30),
          () -> bridge.down().contains("downlink"));
      HttpResponse<String> health = BridgeTests.get(bridge.httpPort(), "/health");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body())
          .contains("\"status\":\"DOWN\"")
          .contains("\"down\":[\"downlink\"]")
          .contains("TopicAuthorizationException");
    }
  }

  private static void deny(AclOperation operation, String topic) {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      ResourcePattern pattern = new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL);
      // An ACL on a topic closes it to everything not allowed: allow all, then deny the one right.
      admin
          .createAcls(
              List.of(
                  new AclBinding(
                      pattern,
                      new AccessControlEntry(
                          "User:ANONYMOUS", "*", AclOperation.ALL, AclPermissionType.ALLOW)),
                  new AclBinding(
                      pattern,
                      new AccessControlEntry(
                          "User:ANONYMOUS", "*", operation, AclPermissionType.DENY))))
          .all()
          .get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create ACLs for " + topic, e);
    }
  }
}
