package io.fleetpulse.connectors.kafka.topics;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.model.FleetTopics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class TopicsCommandIT {

  @Test
  void createsEveryTopicWithItsCleanupPolicy(KafkaTestClient kafka) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    TopicsCommand.create(
        kafka.bootstrapServers(), Map.of(), 3, (short) -1, new PrintStream(out, true, "UTF-8"));

    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      assertThat(admin.listTopics().names().get())
          .containsAll(FleetTopics.ALL.stream().map(FleetTopics.Topic::name).toList());
      for (FleetTopics.Topic topic : FleetTopics.ALL) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(config.get("cleanup.policy").value())
            .as(topic.name())
            .isEqualTo(topic.compacted() ? "compact" : "delete");
        assertThat(admin.describeTopics(List.of(topic.name())).allTopicNames().get())
            .extractingByKey(topic.name())
            .satisfies(d -> assertThat(d.partitions()).hasSize(3));
      }
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("iot.devices");
  }

  @Test
  void aSecondRunLeavesTheExistingTopicsAlone(KafkaTestClient kafka) {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    TopicsCommand.create(kafka.bootstrapServers(), Map.of(), 3, (short) -1, quiet);

    List<String> second =
        TopicsCommand.create(kafka.bootstrapServers(), Map.of(), 1, (short) -1, quiet);

    assertThat(second).isEmpty();
  }
}
