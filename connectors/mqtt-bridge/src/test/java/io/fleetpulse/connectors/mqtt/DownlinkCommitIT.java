package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, MosquittoExtension.class})
class DownlinkCommitIT {

  @Test
  void downlinkOffsetsAreCommittedOnlyAfterTheBrokerAcknowledged(
      MosquittoBroker broker, KafkaTestClient kafka) throws Exception {
    String name = "downcommit";
    BridgeTests.createTopics(kafka, name);
    Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
    try (MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build();
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      bridge.start();
      BridgeTests.await("bridge healthy", Duration.ofSeconds(20), bridge::healthy);
      broker.stop();

      kafka.produce(
          List.of(
              new ProducerRecord<>(
                  BridgeTests.commands(name),
                  0,
                  "pump-1".getBytes(StandardCharsets.UTF_8),
                  "{\"command\":\"stop\"}".getBytes(StandardCharsets.UTF_8))));
      BridgeTests.sleep(3_000);
      assertThat(committed(admin, name)).as("nothing committed while the broker is away").isZero();

      broker.start();
      BridgeTests.await(
          "offset committed after the broker acknowledged",
          Duration.ofSeconds(30),
          () -> committed(admin, name) == 1);
    }
  }

  private static long committed(Admin admin, String name) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(name + "-downlink")
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      OffsetAndMetadata offset = offsets.get(new TopicPartition(BridgeTests.commands(name), 0));
      return offset == null ? 0 : offset.offset();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the downlink group's offsets", e);
    }
  }
}
