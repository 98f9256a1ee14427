package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The broker away for many downlink publish timeouts, with persistent sessions on both sides and
 * commands waiting: each command reaches the device at most twice (at least once, not once per
 * timeout).
 */
@ExtendWith(KafkaExtension.class)
class DownlinkBrokerOutageIT {

  private static final int COMMANDS = 5;

  @Test
  void commandsQueuedDuringABrokerOutageOfEightPublishTimeoutsArriveAtMostTwice(
      KafkaTestClient kafka) throws Exception {
    String name = "dl-outage";
    BridgeTests.createTopics(kafka, name);
    Path dir = BuildDirs.fresh("mosquitto-persistent");
    Map<String, Integer> received = new ConcurrentHashMap<>();
    try (MosquittoBroker broker =
        MosquittoBroker.start(dir, null, MosquittoBroker.persistence(dir))) {
      Mqtt5AsyncClient device = persistentDevice(broker, "cmd-dev", received);
      Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
      settings.put("mqtt.shared-group", name);
      settings.put("downlink.publish-timeout", "500ms");
      try (MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build()) {
        bridge.start();
        BridgeTests.await("bridge healthy", Duration.ofSeconds(20), bridge::healthy);

        broker.stop();
        List<ProducerRecord<byte[], byte[]>> commands = new ArrayList<>();
        for (int i = 1; i <= COMMANDS; i++) {
          commands.add(
              new ProducerRecord<>(
                  BridgeTests.commands(name),
                  "cmd-dev".getBytes(StandardCharsets.UTF_8),
                  ("{\"command\":\"c" + i + "\"}").getBytes(StandardCharsets.UTF_8)));
        }
        kafka.produce(commands);
        BridgeTests.await(
            "the downlink read the commands",
            Duration.ofSeconds(20),
            () -> bridge.metricsText().contains("fleetpulse_bridge_downlink_in_total"));
        // Eight publish timeouts with the broker away.
        BridgeTests.sleep(4_000);
        broker.start();

        BridgeTests.await(
            "every command at the device", Duration.ofSeconds(30), () -> received.size() == 5);
        // Late copies, if any, arrive right after the first ones.
        BridgeTests.sleep(1_500);
        System.out.println(
            "deliveries per command after the broker outage: " + new TreeMap<>(received));
        assertThat(received).hasSize(COMMANDS);
        assertThat(received.values()).allSatisfy(count -> assertThat(count).isBetween(1, 2));
        // One acknowledged publish per command, and then the batch is committed.
        BridgeTests.await(
            "the downlink acknowledged",
            Duration.ofSeconds(20),
            () ->
                bridge
                    .metricsText()
                    .contains(
                        "fleetpulse_bridge_downlink_out_total{topic=\""
                            + BridgeTests.commands(name)
                            + "\"} 5.0"));
      } finally {
        device.disconnect().get(10, TimeUnit.SECONDS);
      }
    }
  }

  private static Mqtt5AsyncClient persistentDevice(
      MosquittoBroker broker, String id, Map<String, Integer> received) throws Exception {
    AtomicInteger ignored = new AtomicInteger();
    Mqtt5AsyncClient device =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier(id)
            .serverHost(broker.host())
            .serverPort(broker.port())
            .automaticReconnect()
            .initialDelay(100, TimeUnit.MILLISECONDS)
            .maxDelay(500, TimeUnit.MILLISECONDS)
            .applyAutomaticReconnect()
            .buildAsync();
    device.publishes(
        MqttGlobalPublishFilter.ALL,
        publish -> {
          ignored.incrementAndGet();
          received.merge(
              new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8), 1, Integer::sum);
        });
    device
        .connectWith()
        .cleanStart(false)
        .sessionExpiryInterval(600)
        .send()
        .get(10, TimeUnit.SECONDS);
    device
        .subscribeWith()
        .topicFilter("devices/" + id + "/commands")
        .qos(MqttQos.AT_LEAST_ONCE)
        .send()
        .get(10, TimeUnit.SECONDS);
    return device;
  }
}
