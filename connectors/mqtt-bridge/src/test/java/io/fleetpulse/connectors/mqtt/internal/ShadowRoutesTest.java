package io.fleetpulse.connectors.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.common.Utf8;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The shadow routes both ways: AWS's shadow topic tree under {@code devices/{id}/shadow}. */
class ShadowRoutesTest {

  private static final TopicPattern RESPONSES =
      TopicPattern.parse("devices/{deviceId}/shadow/{shadowResponse}");
  private static final TopicPattern DELTA = TopicPattern.parse("devices/{deviceId}/shadow/delta");

  private final UplinkRouter router = new UplinkRouter(uplink(), 1000);

  private static Map<TopicPattern, String> uplink() {
    Map<TopicPattern, String> routes = new LinkedHashMap<>();
    for (String op : new String[] {"update", "get", "delete"}) {
      routes.put(TopicPattern.parse("devices/{deviceId}/shadow/" + op), "iot.shadow.reported");
      routes.put(
          TopicPattern.parse("devices/{deviceId}/shadow/name/{shadowName}/" + op),
          "iot.shadow.reported");
    }
    routes.put(TopicPattern.parse("devices/{deviceId}/telemetry"), "iot.telemetry.raw");
    return routes;
  }

  private static Headers headers(String... pairs) {
    Headers headers = new RecordHeaders();
    for (int i = 0; i < pairs.length; i += 2) {
      headers.add(pairs[i], Utf8.bytes(pairs[i + 1]));
    }
    return headers;
  }

  @Test
  void classicShadowRequestsCarryTheirOperation() {
    assertThat(router.decide("devices/d1/shadow/get", 2).headers())
        .isEqualTo(Map.of("shadow.op", "get"));
    assertThat(router.decide("devices/d1/shadow/delete", 2).headers())
        .isEqualTo(Map.of("shadow.op", "delete"));
    assertThat(router.decide("devices/d1/shadow/update", 2).kafkaTopic())
        .isEqualTo("iot.shadow.reported");
  }

  @Test
  void namedShadowRequestsCarryTheNameAndTheDeviceIsTheKey() {
    UplinkDecision decision = router.decide("devices/d1/shadow/name/cfg/update", 2);

    assertThat(decision.deviceId()).isEqualTo("d1");
    assertThat(decision.headers()).isEqualTo(Map.of("shadow.op", "update", "shadow.name", "cfg"));
    assertThat(router.filters()).contains("devices/+/shadow/name/+/delete");
  }

  @Test
  void otherRoutesGetNoShadowHeaders() {
    assertThat(router.decide("devices/d1/telemetry", 2).headers()).isEmpty();
  }

  @Test
  void responsesGoToTheKindUnderTheDeviceAndNamedShadowsUnderTheirName() {
    assertThat(
            DownlinkTopics.topicFor(RESPONSES, "d1", headers("shadow.response", "update/accepted")))
        .isEqualTo("devices/d1/shadow/update/accepted");
    assertThat(
            DownlinkTopics.topicFor(
                RESPONSES, "d1", headers("shadow.response", "get/rejected", "shadow.name", "cfg")))
        .isEqualTo("devices/d1/shadow/name/cfg/get/rejected");
  }

  @Test
  void aNamedShadowsDeltaGoesUnderItsName() {
    assertThat(DownlinkTopics.topicFor(DELTA, "d1", headers()))
        .isEqualTo("devices/d1/shadow/delta");
    assertThat(DownlinkTopics.topicFor(DELTA, "d1", headers("shadow.name", "cfg")))
        .isEqualTo("devices/d1/shadow/name/cfg/delta");
  }

  @Test
  void headerValuesThatWouldLeaveTheDevicesTreeAreRefused() {
    assertThatThrownBy(
            () ->
                DownlinkTopics.topicFor(
                    RESPONSES, "d1", headers("shadow.response", "../../d2/commands")))
        .hasMessageContaining("shadow.response");
    assertThatThrownBy(() -> DownlinkTopics.topicFor(RESPONSES, "d1", headers()))
        .hasMessageContaining("shadow.response");
    assertThatThrownBy(
            () ->
                DownlinkTopics.topicFor(
                    DELTA, "d1", headers("shadow.name", "x/../../../d2/shadow")))
        .hasMessageContaining("shadow.name");
    assertThatThrownBy(() -> DownlinkTopics.topicFor(DELTA, "d1", headers("shadow.name", "#")))
        .hasMessageContaining("shadow.name");
  }
}
