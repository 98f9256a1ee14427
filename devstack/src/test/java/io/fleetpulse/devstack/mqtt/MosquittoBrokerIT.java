package io.fleetpulse.devstack.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.fleetpulse.devstack.BuildDirs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MosquittoExtension.class)
class MosquittoBrokerIT {

  @Test
  void everyMessageOfTheSimulatedFleetReachesASubscriber(MosquittoBroker broker) throws Exception {
    Mqtt5AsyncClient subscriber = MqttTestClients.connect(broker, "subscriber");
    try (MqttFleet fleet = MqttFleet.connect(broker.host(), broker.port(), 10, "dev")) {
      BlockingQueue<Mqtt5Publish> received =
          MqttTestClients.subscribe(subscriber, "devices/+/telemetry");

      List<PublishedMessage> published = fleet.publish(50, "telemetry", 200);

      assertThat(published).hasSize(500);
      for (int i = 0; i < 500; i++) {
        Mqtt5Publish message = received.poll(10, TimeUnit.SECONDS);
        assertThat(message).as("message %d", i).isNotNull();
        assertThat(message.getPayloadAsBytes()).hasSize(200);
      }
    } finally {
      MqttTestClients.disconnect(subscriber);
    }
  }

  @Test
  void withTlsADeviceMayPublishOnlyUnderItsOwnId() throws Exception {
    TestCertificates certs = TestCertificates.create(BuildDirs.fresh("certs"));
    try (MosquittoBroker broker = MosquittoBroker.start(BuildDirs.fresh("mosquitto-tls"), certs)) {
      Mqtt5AsyncClient bridge = MqttTestClients.connect(broker, MosquittoBroker.BRIDGE_IDENTITY);
      Mqtt5AsyncClient device = MqttTestClients.connect(broker, "dev-1");
      try {
        BlockingQueue<Mqtt5Publish> received = MqttTestClients.subscribe(bridge, "devices/#");
        assertThatThrownBy(() -> publish(device, "devices/dev-2/telemetry", "spoofed"))
            .as("the broker refuses a topic of another device")
            .hasCauseInstanceOf(Mqtt5PubAckException.class);
        publish(device, "devices/dev-1/telemetry", "own");

        Mqtt5Publish first = received.poll(10, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(first.getTopic().toString()).isEqualTo("devices/dev-1/telemetry");
        assertThat(received.poll(500, TimeUnit.MILLISECONDS)).isNull();
      } finally {
        MqttTestClients.disconnect(device);
        MqttTestClients.disconnect(bridge);
      }
    }
  }

  private static void publish(Mqtt5AsyncClient client, String topic, String text) throws Exception {
    client
        .publishWith()
        .topic(topic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .payload(text.getBytes(StandardCharsets.UTF_8))
        .send()
        .get(10, TimeUnit.SECONDS);
  }
}
