package io.fleetpulse.connectors.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UplinkRouterTest {

  private final UplinkRouter router = new UplinkRouter(routes(), 100);

  private static Map<TopicPattern, String> routes() {
    Map<TopicPattern, String> routes = new LinkedHashMap<>();
    routes.put(TopicPattern.parse("devices/{deviceId}/telemetry"), "iot.telemetry.raw");
    routes.put(TopicPattern.parse("devices/{deviceId}/shadow/update"), "iot.shadow.reported");
    return routes;
  }

  @Test
  void aMessageOnAMappedTopicGoesToItsKafkaTopicKeyedByDevice() {
    UplinkDecision decision = router.decide("devices/s-42/shadow/update", 10);
    assertThat(decision.rejected()).isFalse();
    assertThat(decision.kafkaTopic()).isEqualTo("iot.shadow.reported");
    assertThat(decision.deviceId()).isEqualTo("s-42");
  }

  @Test
  void aTopicMatchingNoRouteIsRejectedAsUnmapped() {
    assertThat(router.decide("devices/s-42/other", 10).rejection())
        .isEqualTo(Rejection.UNMAPPED_TOPIC);
  }

  @Test
  void anInvalidDeviceIdIsRejectedWithoutAKey() {
    UplinkDecision decision = router.decide("devices/bad id/telemetry", 10);
    assertThat(decision.rejection()).isEqualTo(Rejection.INVALID_DEVICE_ID);
    assertThat(decision.deviceId()).isNull();
  }

  @Test
  void anEmptyPayloadIsRejected() {
    assertThat(router.decide("devices/s-1/telemetry", 0).rejection())
        .isEqualTo(Rejection.EMPTY_PAYLOAD);
  }

  @Test
  void aPayloadOverTheLimitIsRejectedAndOneAtTheLimitIsNot() {
    assertThat(router.decide("devices/s-1/telemetry", 101).rejection())
        .isEqualTo(Rejection.PAYLOAD_TOO_LARGE);
    assertThat(router.decide("devices/s-1/telemetry", 100).rejected()).isFalse();
  }
}
