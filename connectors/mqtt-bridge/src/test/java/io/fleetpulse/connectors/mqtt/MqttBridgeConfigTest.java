package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.Settings;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MqttBridgeConfigTest {

  private static MqttBridgeConfig config(Map<String, String> values) {
    Map<String, String> all = new HashMap<>(values);
    all.putIfAbsent("kafka.bootstrap.servers", "127.0.0.1:9092");
    return MqttBridgeConfig.from(Settings.of(all, MqttBridgeConfig.OPTIONS));
  }

  @Test
  void byDefaultTheBridgeSharesTheDeviceTopicsInOneGroup() {
    assertThat(config(Map.of()).subscriptions())
        .containsExactly(
            "$share/fleetpulse-bridge/devices/+/telemetry",
            "$share/fleetpulse-bridge/devices/+/events",
            "$share/fleetpulse-bridge/devices/+/shadow/update",
            "$share/fleetpulse-bridge/devices/+/shadow/get",
            "$share/fleetpulse-bridge/devices/+/shadow/delete",
            "$share/fleetpulse-bridge/devices/+/shadow/name/+/update",
            "$share/fleetpulse-bridge/devices/+/shadow/name/+/get",
            "$share/fleetpulse-bridge/devices/+/shadow/name/+/delete");
    assertThat(config(Map.of()).downlinkRoutes.keySet())
        .containsExactly("iot.shadow.delta", "iot.shadow.responses", "iot.commands");
  }

  @Test
  void topicMappingIsConfiguration() {
    MqttBridgeConfig config =
        config(
            Map.of(
                "uplink.routes", "site/{deviceId}/data=raw.data",
                "uplink.extra-subscriptions", "legacy/#",
                "mqtt.shared-group", ""));
    assertThat(config.subscriptions()).containsExactly("site/+/data", "legacy/#");
    assertThat(config.uplinkRoutes.values()).containsExactly("raw.data");
  }

  @Test
  void aKeepAliveBelowOneSecondFailsTheStartInsteadOfDisablingKeepAlive() {
    // MQTT counts keep-alive in whole seconds; 500ms used to become 0, which disables it.
    for (String keepAlive : new String[] {"500ms", "1500ms", "65536s"}) {
      assertThatThrownBy(() -> config(Map.of("mqtt.keep-alive", keepAlive)))
          .as(keepAlive)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("mqtt.keep-alive");
    }
    assertThat(config(Map.of("mqtt.keep-alive", "1s")).keepAlive.toSeconds()).isEqualTo(1);
  }

  @Test
  void metricsAndHealthListenOnLoopbackUnlessTheOperatorOpensThem() {
    // /metrics has no authentication: reachable from other hosts only when asked for.
    assertThat(config(Map.of()).httpHost).isEqualTo("127.0.0.1");
    assertThat(config(Map.of("http.host", "0.0.0.0")).httpHost).isEqualTo("0.0.0.0");
  }

  @Test
  void kafkaBootstrapServersAreRequired() {
    assertThatThrownBy(() -> MqttBridgeConfig.from(Settings.of(Map.of(), MqttBridgeConfig.OPTIONS)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kafka.bootstrap.servers");
  }

  @Test
  void anUnknownKeyFailsTheStartNamingIt() {
    assertThatThrownBy(
            () ->
                MqttBridgeConfig.load(
                    new String[] {"--kafka.bootstrap.servers", "x:1", "--mqtt.prot", "1883"},
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mqtt.prot");
  }

  @Test
  void aMalformedRouteFailsTheStartNamingTheSetting() {
    assertThatThrownBy(() -> config(Map.of("uplink.routes", "devices/+/telemetry=t")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("uplink.routes")
        .hasMessageContaining("wildcard");
    assertThatThrownBy(() -> config(Map.of("downlink.routes", "iot.commands")))
        .hasMessageContaining("downlink.routes");
  }

  @Test
  void kafkaPropertiesPassThroughWithProducerAndConsumerSpecificOnesOnTop() {
    MqttBridgeConfig config =
        config(
            Map.of(
                "kafka.properties.security.protocol", "SSL",
                "kafka.producer.linger.ms", "20",
                "kafka.consumer.security.protocol", "SASL_SSL"));
    assertThat(config.producerProperties)
        .containsEntry("security.protocol", "SSL")
        .containsEntry("linger.ms", "20");
    assertThat(config.consumerProperties).containsEntry("security.protocol", "SASL_SSL");
  }

  @Test
  void tlsFilesWithoutTlsEnabledAreAMistake() {
    assertThatThrownBy(() -> config(Map.of("mqtt.tls.ca-file", "/etc/hostname")))
        .hasMessageContaining("mqtt.tls.enabled");
  }

  @Test
  void theReceiveMaximumIsTheInflightBoundUnlessSetAndNeverBelowIt() {
    // The client holds at most receive-maximum unacknowledged messages: by default the same
    // number as the bridge hands to Kafka, so one setting bounds the memory.
    assertThat(config(Map.of("uplink.max-inflight", "500")).receiveMaximum).isEqualTo(500);
    assertThat(config(Map.of()).receiveMaximum).isEqualTo(10_000);
    assertThat(
            config(Map.of("uplink.max-inflight", "500", "mqtt.receive-maximum", "65535"))
                .receiveMaximum)
        .isEqualTo(65_535);
    assertThatThrownBy(
            () -> config(Map.of("uplink.max-inflight", "500", "mqtt.receive-maximum", "100")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("uplink.max-inflight")
        .hasMessageContaining("mqtt.receive-maximum");
    assertThatThrownBy(() -> config(Map.of("uplink.max-inflight", "70000")))
        .hasMessageContaining("uplink.max-inflight");
  }

  @Test
  void theClientsMaximumPacketSizeIsThePayloadLimitPlusRoomForTopicAndProperties() {
    assertThat(config(Map.of("uplink.max-payload-bytes", "1000")).maxPacketSize)
        .isEqualTo(1000 + 64 * 1024);
  }

  @Test
  void aPayloadLimitThatLeavesNoRoomForHeadersInTheProducersRequestSizeFailsTheStart() {
    assertThatThrownBy(
            () ->
                config(
                    Map.of(
                        "uplink.max-payload-bytes", "20000",
                        "kafka.producer.max.request.size", "20000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("uplink.max-payload-bytes")
        .hasMessageContaining("max.request.size");
    assertThat(
            config(
                    Map.of(
                        "uplink.max-payload-bytes", "18000",
                        "kafka.producer.max.request.size", "20000"))
                .maxRecordBytes)
        .isEqualTo(20_000);
  }

  @Test
  void theReadmeTableMatchesTheDeclarations() {
    org.assertj.core.api.Assertions.assertThat(
            io.fleetpulse.config.ReadmeTable.differences(
                java.nio.file.Path.of("README.md"), "mqtt-bridge", MqttBridgeConfig.OPTIONS))
        .isEmpty();
  }
}
