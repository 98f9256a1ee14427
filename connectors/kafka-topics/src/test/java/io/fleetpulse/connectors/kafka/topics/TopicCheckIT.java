package io.fleetpulse.connectors.kafka.topics;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.devstack.FreePorts;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class TopicCheckIT {

  @Test
  void passesWhenEveryTopicExists(KafkaTestClient kafka) {
    String topic = "present-" + UUID.randomUUID();
    kafka.createTopics(1, topic);

    TopicCheck.requireTopics(kafka.bootstrapServers(), Map.of(), List.of(topic), "test");
  }

  @Test
  void namesEveryMissingTopic(KafkaTestClient kafka) {
    String present = "present-" + UUID.randomUUID();
    kafka.createTopics(1, present);

    assertThatThrownBy(
            () ->
                TopicCheck.requireTopics(
                    kafka.bootstrapServers(),
                    Map.of(),
                    List.of(present, "missing-a", "missing-b"),
                    "TelemetryJob"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("TelemetryJob cannot start")
        .hasMessageContaining("[missing-a, missing-b]")
        .hasMessageNotContaining(present + ",");
  }

  @Test
  void namesTheServersWhenKafkaDoesNotAnswer() {
    String nowhere = "127.0.0.1:" + FreePorts.pick();

    assertThatThrownBy(() -> TopicCheck.existingTopics(nowhere, Map.of(), Duration.ofSeconds(2)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(nowhere)
        .hasMessageContaining("kafka.bootstrap.servers");
  }
}
