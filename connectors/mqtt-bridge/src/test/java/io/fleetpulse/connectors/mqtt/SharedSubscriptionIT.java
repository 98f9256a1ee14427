package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import io.fleetpulse.devstack.mqtt.MqttFleet;
import io.fleetpulse.devstack.mqtt.PublishedMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, MosquittoExtension.class})
class SharedSubscriptionIT {

  private static final Pattern OUT =
      Pattern.compile("fleetpulse_bridge_messages_out_total\\{topic=\"[^\"]+\"} ([0-9.]+)");

  @Test
  void twoBridgeInstancesSplitTheLoadAndTogetherForwardEveryMessageOnce(
      MosquittoBroker broker, KafkaTestClient kafka) {
    String name = "shared";
    BridgeTests.createTopics(kafka, name);
    Map<String, String> first = BridgeTests.settings(broker, kafka, name);
    first.put("downlink.enabled", "false");
    Map<String, String> secondSettings = new HashMap<>(first);
    first.put("mqtt.client-id", name + "-bridge-a");
    secondSettings.put("mqtt.client-id", name + "-bridge-b");
    try (MqttBridge a = MqttBridge.builder().config(BridgeTests.config(first)).build().start();
        MqttBridge b =
            MqttBridge.builder().config(BridgeTests.config(secondSettings)).build().start();
        MqttFleet fleet = MqttFleet.connect(broker.host(), broker.port(), 20, "dev")) {
      BridgeTests.await(
          "both bridges healthy", Duration.ofSeconds(20), () -> a.healthy() && b.healthy());

      List<PublishedMessage> published = fleet.publish(100, "telemetry", 200);
      List<ConsumerRecord<byte[], byte[]>> arrived =
          BridgeTests.awaitAll(
              kafka, BridgeTests.telemetry(name), published, Duration.ofSeconds(30));

      assertThat(arrived).hasSize(2_000);
      // Kafka's acknowledgement reaches the counters a moment after the records are readable.
      BridgeTests.await(
          "both bridges to count their acknowledged records",
          Duration.ofSeconds(10),
          () -> forwarded(a) + forwarded(b) == 2_000.0);
      double forwardedByA = forwarded(a);
      double forwardedByB = forwarded(b);
      System.out.printf("Shared subscription: a %.0f, b %.0f%n", forwardedByA, forwardedByB);
      assertThat(forwardedByA).isPositive();
      assertThat(forwardedByB).isPositive();
      assertThat(forwardedByA + forwardedByB).isEqualTo(2_000.0);
    }
  }

  private static double forwarded(MqttBridge bridge) {
    Matcher m = OUT.matcher(bridge.metricsText());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
