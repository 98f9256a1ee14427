package io.fleetpulse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignalTest {

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aSignalOfTheContractIsReadAndWrittenBack() throws Exception {
    Signal signal =
        Signal.parse(
            json(
                "{\"rule\":\"hot\",\"deviceId\":\"s-1\",\"metric\":\"temperature\","
                    + "\"severity\":\"CRITICAL\",\"ts\":1764331200000,\"value\":91.5,"
                    + "\"message\":\"too hot\",\"state\":\"ACTIVE\"}"));

    assertThat(signal.getSeverity()).isEqualTo(AlertSeverity.CRITICAL);
    assertThat(signal.getState()).isEqualTo(SignalState.ACTIVE);
    assertThat(Signal.parse(ModelJson.toBytes(signal))).isEqualTo(signal);
  }

  @Test
  void aClearNeedsNoSeverity() throws Exception {
    Signal signal =
        Signal.parse(json("{\"rule\":\"hot\",\"deviceId\":\"s-1\",\"ts\":5,\"state\":\"CLEAR\"}"));

    assertThat(signal.getState()).isEqualTo(SignalState.CLEAR);
  }

  @Test
  void anUnknownStateIsRejectedNamingTheValue() {
    assertThatThrownBy(
            () ->
                Signal.parse(
                    json("{\"rule\":\"hot\",\"deviceId\":\"s-1\",\"ts\":5,\"state\":\"ON\"}")))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_SIGNAL))
        .hasMessageContaining("ON");
  }

  @Test
  void aMissingRuleIsRejected() {
    assertThatThrownBy(
            () -> Signal.parse(json("{\"deviceId\":\"s-1\",\"ts\":5,\"state\":\"CLEAR\"}")))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_SIGNAL))
        .hasMessage("rule is missing");
  }

  @Test
  void anActiveSignalWithoutSeverityIsRejected() {
    assertThatThrownBy(
            () ->
                Signal.parse(
                    json("{\"rule\":\"r\",\"deviceId\":\"s-1\",\"ts\":5,\"state\":\"ACTIVE\"}")))
        .hasMessageContaining("severity is missing");
  }

  @Test
  void aBadDeviceIdAMissingTsAndNonJsonHaveTheirOwnReasons() {
    assertThatThrownBy(
            () -> Signal.parse(json("{\"rule\":\"r\",\"deviceId\":\"a b\",\"state\":\"CLEAR\"}")))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_DEVICE_ID));
    assertThatThrownBy(
            () -> Signal.parse(json("{\"rule\":\"r\",\"deviceId\":\"d\",\"state\":\"CLEAR\"}")))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.reason()).isEqualTo(RejectReason.MISSING_TS));
    assertThatThrownBy(() -> Signal.parse(json("{nope")))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.reason()).isEqualTo(RejectReason.NOT_JSON));
  }

  @Test
  void aSnoozeWithoutUntilIsRejected() {
    assertThatThrownBy(
            () ->
                AlertAction.parse(
                    json("{\"alertId\":\"a\",\"deviceId\":\"d\",\"action\":\"SNOOZE\"}")))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_ACTION))
        .hasMessageContaining("until is missing");
  }

  @Test
  void anAckIsRead() throws Exception {
    AlertAction action =
        AlertAction.parse(json("{\"alertId\":\"a\",\"deviceId\":\"d\",\"action\":\"ACK\"}"));

    assertThat(action.getAction()).isEqualTo(AlertActionType.ACK);
  }
}
