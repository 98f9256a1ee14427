package io.fleetpulse.connectors.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicPatternTest {

  private final TopicPattern telemetry = TopicPattern.parse("devices/{deviceId}/telemetry");

  @Test
  void theSubscriptionFilterHasAPlusForTheDeviceLevel() {
    assertThat(telemetry.filter()).isEqualTo("devices/+/telemetry");
  }

  @Test
  void theDeviceIdIsTakenFromItsLevel() {
    assertThat(telemetry.deviceIdOf("devices/s-42/telemetry")).isEqualTo("s-42");
  }

  @Test
  void aTopicWithOtherLevelsDoesNotMatch() {
    assertThat(telemetry.deviceIdOf("devices/s-42/events")).isNull();
    assertThat(telemetry.deviceIdOf("devices/s-42/telemetry/extra")).isNull();
    assertThat(telemetry.deviceIdOf("devices/telemetry")).isNull();
  }

  @Test
  void aDevicesTopicIsBuiltFromThePattern() {
    assertThat(TopicPattern.parse("devices/{deviceId}/shadow/delta").topicFor("s-1"))
        .isEqualTo("devices/s-1/shadow/delta");
  }

  @Test
  void aPatternWithoutExactlyOneDeviceLevelOrWithWildcardsIsRefused() {
    assertThatThrownBy(() -> TopicPattern.parse("devices/+/telemetry"))
        .hasMessageContaining("wildcard");
    assertThatThrownBy(() -> TopicPattern.parse("devices/telemetry"))
        .hasMessageContaining("no {deviceId}");
    assertThatThrownBy(() -> TopicPattern.parse("{deviceId}/{deviceId}"))
        .hasMessageContaining("more than one");
    assertThatThrownBy(() -> TopicPattern.parse("devices/{id}/x"))
        .hasMessageContaining("unknown placeholder");
  }
}
