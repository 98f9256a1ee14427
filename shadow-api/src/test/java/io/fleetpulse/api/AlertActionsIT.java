package io.fleetpulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertAction;
import io.fleetpulse.model.AlertActionType;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Ack, snooze and resolve land in {@code iot.alert.actions} as the AnomalyJob reads them. */
class AlertActionsIT extends ApiTestBase {

  private static void alert(String id, String device, AlertState state, long ts) {
    Alert a =
        new Alert(
            id, device, "threshold", AlertSeverity.WARNING, state, ts, "temp", 80.0, "hot", "r1");
    produce(FleetTopics.ALERTS.name(), device, ModelJson.toBytes(a), Map.of());
  }

  @Test
  void ackSnoozeAndResolveAreWrittenKeyedByTheAlertsDevice() throws Exception {
    alert("aa-1", "aa-dev", AlertState.OPEN, 1000);
    await(() -> get("/alerts/aa-1").statusCode() == 200, "the alert");
    var ack = operator("POST", "/alerts/aa-1/ack", null);
    assertThat(ack.statusCode()).isEqualTo(202);
    assertThat(json(ack).at("/action/action").asText()).isEqualTo("ACK");
    long until = System.currentTimeMillis() + 3_600_000;
    var snooze = operator("POST", "/alerts/aa-1/snooze", "{\"until\":" + until + "}");
    assertThat(snooze.statusCode()).isEqualTo(202);
    var resolve = operator("POST", "/alerts/aa-1/resolve", "{}");
    assertThat(resolve.statusCode()).isEqualTo(202);

    List<ConsumerRecord<byte[], byte[]>> written =
        kafka.consume(FleetTopics.ALERT_ACTIONS.name(), 3, Duration.ofSeconds(20)).stream()
            .filter(r -> key(r).equals("aa-dev"))
            .toList();
    assertThat(written).hasSize(3);
    List<AlertAction> actions = written.stream().map(r -> parse(r.value())).toList();
    assertThat(actions)
        .extracting(AlertAction::getAction)
        .containsExactly(AlertActionType.ACK, AlertActionType.SNOOZE, AlertActionType.RESOLVE);
    assertThat(actions.get(1).getUntil()).isEqualTo(until);
    assertThat(actions).allSatisfy(a -> assertThat(a.getAlertId()).isEqualTo("aa-1"));
    // The caller is named by a hash prefix, never by the key itself.
    assertThat(actions.get(0).getUser()).startsWith("key:").doesNotContain(OPERATOR);
  }

  @Test
  void badActionsAreRefusedNamingTheField() {
    alert("ab-1", "ab-dev", AlertState.OPEN, 1000);
    alert("ab-2", "ab-dev", AlertState.RESOLVED, 1000);
    await(() -> get("/alerts/ab-2").statusCode() == 200, "the alerts");
    assertThat(call("POST", "/alerts/ab-1/ack", READER, null).statusCode()).isEqualTo(403);
    assertThat(call("POST", "/alerts/ab-1/ack", null, null).statusCode()).isEqualTo(401);
    assertThat(operator("POST", "/alerts/nobody/ack", null).statusCode()).isEqualTo(404);
    var noUntil = operator("POST", "/alerts/ab-1/snooze", "{}");
    assertThat(noUntil.statusCode()).isEqualTo(400);
    assertThat(json(noUntil).get("field").asText()).isEqualTo("until");
    var past = operator("POST", "/alerts/ab-1/snooze", "{\"until\":5}");
    assertThat(json(past).get("code").asText()).isEqualTo("out_of_range");
    var untilOnAck = operator("POST", "/alerts/ab-1/ack", "{\"until\":5}");
    assertThat(json(untilOnAck).get("field").asText()).isEqualTo("until");
    assertThat(operator("POST", "/alerts/ab-1/snooze", null).statusCode()).isEqualTo(415);
    var resolved = operator("POST", "/alerts/ab-2/ack", null);
    assertThat(resolved.statusCode()).isEqualTo(409);
    assertThat(json(resolved).get("code").asText()).isEqualTo("alert_resolved");
  }

  @Test
  void theDetailShowsEveryTransitionOfTheAlert() {
    alert("ac-1", "ac-dev", AlertState.OPEN, 1000);
    alert("ac-1", "ac-dev", AlertState.ACKNOWLEDGED, 2000);
    alert("ac-1", "ac-dev", AlertState.RESOLVED, 3000);
    await(
        () -> json(get("/alerts/ac-1")).at("/alert/state").asText().equals("RESOLVED"),
        "the resolution");
    JsonNode detail = json(get("/alerts/ac-1"));
    assertThat(detail.get("transitions")).hasSize(3);
    assertThat(detail.at("/transitions/1/state").asText()).isEqualTo("ACKNOWLEDGED");
  }

  private static AlertAction parse(byte[] value) {
    try {
      return AlertAction.parse(value);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
