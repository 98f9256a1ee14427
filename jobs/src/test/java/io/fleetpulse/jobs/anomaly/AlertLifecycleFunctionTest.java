package io.fleetpulse.jobs.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertAction;
import io.fleetpulse.model.AlertActionType;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.Signal;
import io.fleetpulse.model.SignalState;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class AlertLifecycleFunctionTest {

  private static final long T = 1_764_331_200_000L;
  private static final LifecycleSettings EVERY_SIGNAL =
      new LifecycleSettings(Duration.ZERO, Duration.ZERO, 0, Duration.ofMinutes(10));

  @Test
  void theFirstActiveOpensAnAlertWithADeterministicId() throws Exception {
    try (var harness = harness(EVERY_SIGNAL)) {
      harness.processElement(active("d", "hot", T, 91), T);

      List<Alert> alerts = alerts(harness);
      assertThat(alerts).hasSize(1);
      assertThat(alerts.get(0).getState()).isEqualTo(AlertState.OPEN);
      assertThat(alerts.get(0).getAlertId())
          .isEqualTo(Alert.idFor("d", "hot", "temperature", String.valueOf(T)));
      assertThat(alerts.get(0).getCount()).isEqualTo(1);
      assertThat(alerts.get(0).getEpisode()).isEqualTo(1);
    }
  }

  @Test
  void repeatedActivesUpdateTheSameAlertWithACountAndTheLatestValue() throws Exception {
    try (var harness = harness(EVERY_SIGNAL)) {
      harness.processElement(active("d", "hot", T, 91), T);
      harness.processElement(active("d", "hot", T + 1000, 92), T);
      harness.processElement(active("d", "hot", T + 2000, 95), T);

      List<Alert> alerts = alerts(harness);
      assertThat(alerts).extracting(Alert::getAlertId).containsOnly(alerts.get(0).getAlertId());
      assertThat(alerts).extracting(Alert::getCount).containsExactly(1L, 2L, 3L);
      assertThat(alerts.get(2).getValue()).isEqualTo(95.0);
      assertThat(alerts.get(2).getState()).isEqualTo(AlertState.OPEN);
    }
  }

  @Test
  void updatesArePublishedAtMostOncePerUpdateInterval() throws Exception {
    LifecycleSettings minute =
        new LifecycleSettings(Duration.ofMinutes(1), Duration.ZERO, 0, Duration.ofMinutes(10));
    try (var harness = harness(minute)) {
      for (int i = 0; i < 120; i++) {
        harness.processElement(active("d", "hot", T + i * 1000L, 91), T);
      }

      // The OPEN, then one update a minute later: no storm.
      assertThat(alerts(harness)).extracting(Alert::getCount).containsExactly(1L, 61L);
    }
  }

  @Test
  void aClearResolvesTheAlertWithTheSameId() throws Exception {
    try (var harness = harness(EVERY_SIGNAL)) {
      harness.processElement(active("d", "hot", T, 91), T);
      harness.processElement(clear("d", "hot", T + 5000), T);

      List<Alert> alerts = alerts(harness);
      assertThat(alerts)
          .extracting(Alert::getState)
          .containsExactly(AlertState.OPEN, AlertState.RESOLVED);
      assertThat(alerts.get(1).getAlertId()).isEqualTo(alerts.get(0).getAlertId());
      assertThat(alerts.get(1).getTs()).isEqualTo(T + 5000);
    }
  }

  @Test
  void aClearWithoutAnOpenAlertWritesNothing() throws Exception {
    try (var harness = harness(EVERY_SIGNAL)) {
      harness.processElement(clear("d", "hot", T), T);

      assertThat(alerts(harness)).isEmpty();
    }
  }

  @Test
  void anotherRuleOrMetricOfTheSameDeviceIsAnotherAlert() throws Exception {
    try (var harness = harness(EVERY_SIGNAL)) {
      harness.processElement(active("d", "hot", T, 91), T);
      harness.processElement(active("d", "cold", T, -5), T);

      assertThat(alerts(harness)).extracting(Alert::getAlertId).doesNotHaveDuplicates().hasSize(2);
    }
  }

  @Test
  void anActiveAfterResolvedStartsANewEpisodeWithANewId() throws Exception {
    try (var harness = harness(EVERY_SIGNAL)) {
      harness.processElement(active("d", "hot", T, 91), T);
      harness.processElement(clear("d", "hot", T + 1000), T);
      harness.processElement(active("d", "hot", T + 2000, 93), T);

      List<Alert> alerts = alerts(harness);
      assertThat(alerts.get(2).getState()).isEqualTo(AlertState.OPEN);
      assertThat(alerts.get(2).getAlertId()).isNotEqualTo(alerts.get(0).getAlertId());
      assertThat(alerts.get(2).getEpisode()).isEqualTo(2);
    }
  }

  @Test
  void anActiveWithinReopenWithinReopensTheSameAlert() throws Exception {
    LifecycleSettings reopen =
        new LifecycleSettings(Duration.ZERO, Duration.ofMinutes(5), 0, Duration.ofMinutes(10));
    try (var harness = harness(reopen)) {
      harness.processElement(active("d", "hot", T, 91), T);
      harness.processElement(clear("d", "hot", T + 1000), T);
      harness.processElement(active("d", "hot", T + 60_000, 93), T);
      harness.processElement(clear("d", "hot", T + 61_000), T);
      harness.processElement(active("d", "hot", T + 61_000 + 6 * 60_000, 93), T);

      List<Alert> alerts = alerts(harness);
      assertThat(alerts.get(2).getAlertId()).isEqualTo(alerts.get(0).getAlertId());
      assertThat(alerts.get(2).getCount()).isEqualTo(2);
      assertThat(alerts.get(4).getAlertId()).isNotEqualTo(alerts.get(0).getAlertId());
    }
  }

  @Test
  void clearAfterResolvesASignalThatNeverClearsAtLastActivePlusClearAfterOnTheWallClock()
      throws Exception {
    try (var harness = harness(EVERY_SIGNAL)) {
      harness.setProcessingTime(0);
      Signal signal = active("d", "spike", T, 91).getSignal();
      signal.setClearAfterMs(30_000L);
      harness.processElement(AlertInput.of(signal), T);

      harness.setProcessingTime(29_999);
      assertThat(alerts(harness)).hasSize(1);
      harness.setProcessingTime(30_000);

      List<Alert> alerts = alerts(harness);
      assertThat(alerts)
          .extracting(Alert::getState)
          .containsExactly(AlertState.OPEN, AlertState.RESOLVED);
      assertThat(alerts.get(1).getTs()).isEqualTo(T + 30_000);
    }
  }

  @Test
  void clearAfterInAReplayResolvesAtTheSameTimeWhenTheDevicesTimeMovesOn() throws Exception {
    try (var harness = harness(EVERY_SIGNAL)) {
      harness.setProcessingTime(0);
      Signal spike = active("d", "spike", T, 91).getSignal();
      spike.setClearAfterMs(30_000L);
      harness.processElement(AlertInput.of(spike), T);
      // A replay: the device's next signal is 5 minutes later, the wall clock has not moved.
      harness.processElement(active("d", "other", T + 300_000, 1), T);

      assertThat(alerts(harness))
          .filteredOn(a -> a.getRule().equals("spike"))
          .extracting(Alert::getState, Alert::getTs)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(AlertState.OPEN, T),
              org.assertj.core.groups.Tuple.tuple(AlertState.RESOLVED, T + 30_000));
    }
  }

  @Test
  void anAckAcknowledgesTheOpenAlert() throws Exception {
    try (var harness = harness(EVERY_SIGNAL)) {
      harness.processElement(active("d", "hot", T, 91), T);
      String id = alerts(harness).get(0).getAlertId();
      harness.processElement(action(id, AlertActionType.ACK, null), T);
      harness.processElement(active("d", "hot", T + 1000, 92), T);

      assertThat(alerts(harness))
          .extracting(Alert::getState)
          .containsExactly(AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.ACKNOWLEDGED);
    }
  }

  @Test
  void anActionForAnUnknownAlertChangesNothing() throws Exception {
    try (var harness = harness(EVERY_SIGNAL)) {
      harness.processElement(active("d", "hot", T, 91), T);
      harness.processElement(action("no-such-alert", AlertActionType.ACK, null), T);

      assertThat(alerts(harness)).hasSize(1);
    }
  }

  @Test
  void aSnoozeHoldsBackUpdatesUntilItEndsThenCatchesUpOnce() throws Exception {
    try (var harness = harness(EVERY_SIGNAL)) {
      harness.processElement(active("d", "hot", T, 91), T);
      String id = alerts(harness).get(0).getAlertId();
      harness.processElement(action(id, AlertActionType.SNOOZE, T + 10_000), T);
      harness.processElement(active("d", "hot", T + 5_000, 92), T);
      harness.processElement(active("d", "hot", T + 10_000, 93), T);

      List<Alert> alerts = alerts(harness);
      assertThat(alerts).hasSize(4);
      assertThat(alerts.get(1).getSnoozedUntil()).isEqualTo(T + 10_000);
      // The update held back at T + 5 s is published when the snooze ends, then the new one.
      assertThat(alerts.get(2).getTs()).isEqualTo(T + 10_000);
      assertThat(alerts.get(2).getCount()).isEqualTo(2);
      assertThat(alerts.get(3).getValue()).isEqualTo(93.0);
      assertThat(alerts.get(3).getCount()).isEqualTo(3);
    }
  }

  @Test
  void aManualResolveResolves() throws Exception {
    try (var harness = harness(EVERY_SIGNAL)) {
      harness.processElement(active("d", "hot", T, 91), T);
      String id = alerts(harness).get(0).getAlertId();
      harness.processElement(action(id, AlertActionType.RESOLVE, null), T);

      assertThat(alerts(harness))
          .extracting(Alert::getState)
          .containsExactly(AlertState.OPEN, AlertState.RESOLVED);
    }
  }

  @Test
  void aRaisedSeverityIsPublishedAtOnceEvenWithinTheUpdateInterval() throws Exception {
    LifecycleSettings hour =
        new LifecycleSettings(Duration.ofHours(1), Duration.ZERO, 0, Duration.ofMinutes(10));
    try (var harness = harness(hour)) {
      harness.processElement(active("d", "hot", T, 91), T);
      Signal critical = active("d", "hot", T + 1000, 99).getSignal();
      critical.setSeverity(AlertSeverity.CRITICAL);
      harness.processElement(AlertInput.of(critical), T);

      assertThat(alerts(harness))
          .extracting(Alert::getSeverity)
          .containsExactly(AlertSeverity.WARNING, AlertSeverity.CRITICAL);
    }
  }

  @Test
  void anAlertThatOpensTooOftenGoesToFlappingOnceAndSettlesWhenStable() throws Exception {
    LifecycleSettings flap =
        new LifecycleSettings(Duration.ZERO, Duration.ZERO, 2, Duration.ofMinutes(10));
    try (var harness = harness(flap)) {
      harness.setProcessingTime(0);
      for (int i = 0; i < 5; i++) {
        harness.processElement(active("d", "hot", T + i * 20_000L, 91), T);
        harness.processElement(clear("d", "hot", T + i * 20_000L + 10_000), T);
      }
      List<Alert> before = alerts(harness);
      // Two opens and resolves, the third open is FLAPPING, everything after is held back.
      assertThat(before)
          .extracting(Alert::getState)
          .containsExactly(
              AlertState.OPEN,
              AlertState.RESOLVED,
              AlertState.OPEN,
              AlertState.RESOLVED,
              AlertState.FLAPPING);

      harness.setProcessingTime(10 * 60_000L);
      List<Alert> after = alerts(harness);
      assertThat(after).hasSize(6);
      assertThat(after.get(5).getState()).isEqualTo(AlertState.RESOLVED);
    }
  }

  @Test
  void theStateSurvivesASnapshotAndRestore() throws Exception {
    var snapshot =
        new Object() {
          org.apache.flink.runtime.checkpoint.OperatorSubtaskState state;
        };
    String id;
    try (var harness = harness(EVERY_SIGNAL)) {
      harness.processElement(active("d", "hot", T, 91), T);
      id = alerts(harness).get(0).getAlertId();
      snapshot.state = harness.snapshot(1, T);
    }
    try (var restored = harness(EVERY_SIGNAL, snapshot.state)) {
      restored.processElement(active("d", "hot", T + 1000, 92), T);

      assertThat(alerts(restored))
          .extracting(Alert::getAlertId, Alert::getCount)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(id, 2L));
    }
  }

  private static final long TEN_MIN = 600_000;
  private static final LifecycleSettings ESCALATING =
      EVERY_SIGNAL.withEscalations(
          java.util.Map.of("hot", List.of(new Escalation(TEN_MIN, AlertSeverity.CRITICAL))));

  @Test
  void anOpenAlertEscalatesOnTheTimerAtTheStepsTimeNotBefore() throws Exception {
    try (var harness = harness(ESCALATING)) {
      harness.setProcessingTime(0);
      harness.processElement(active("d", "hot", T, 91), T);
      harness.setProcessingTime(TEN_MIN - 1);
      assertThat(alerts(harness))
          .extracting(Alert::getSeverity)
          .containsExactly(AlertSeverity.WARNING);

      harness.setProcessingTime(TEN_MIN);

      List<Alert> alerts = alerts(harness);
      assertThat(alerts)
          .extracting(Alert::getState, Alert::getSeverity, Alert::getTs)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(AlertState.OPEN, AlertSeverity.WARNING, T),
              org.assertj.core.groups.Tuple.tuple(
                  AlertState.OPEN, AlertSeverity.CRITICAL, T + TEN_MIN));
      assertThat(alerts.get(1).getAlertId()).isEqualTo(alerts.get(0).getAlertId());
      assertThat(alerts.get(1).getEscalation()).isEqualTo(1);
    }
  }

  @Test
  void laterSignalsDoNotLowerAnEscalatedSeverity() throws Exception {
    try (var harness = harness(ESCALATING)) {
      harness.setProcessingTime(0);
      harness.processElement(active("d", "hot", T, 91), T);
      harness.processElement(active("d", "hot", T + TEN_MIN + 1000, 92), T);

      assertThat(alerts(harness))
          .extracting(Alert::getSeverity)
          .containsExactly(AlertSeverity.WARNING, AlertSeverity.CRITICAL, AlertSeverity.CRITICAL);
    }
  }

  @Test
  void anAckStopsEscalation() throws Exception {
    try (var harness = harness(ESCALATING)) {
      harness.setProcessingTime(0);
      harness.processElement(active("d", "hot", T, 91), T);
      String id = alerts(harness).get(0).getAlertId();
      harness.processElement(action(id, AlertActionType.ACK, null), T);
      harness.setProcessingTime(2 * TEN_MIN);

      assertThat(alerts(harness))
          .extracting(Alert::getState, Alert::getSeverity)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(AlertState.OPEN, AlertSeverity.WARNING),
              org.assertj.core.groups.Tuple.tuple(AlertState.ACKNOWLEDGED, AlertSeverity.WARNING));
    }
  }

  @Test
  void aSnoozeHoldsBackTheEscalationUntilItEndsThenOneRecord() throws Exception {
    try (var harness = harness(ESCALATING)) {
      harness.setProcessingTime(0);
      harness.processElement(active("d", "hot", T, 91), T);
      String id = alerts(harness).get(0).getAlertId();
      harness.processElement(action(id, AlertActionType.SNOOZE, T + 2 * TEN_MIN), T);
      harness.setProcessingTime(2 * TEN_MIN - 1);
      assertThat(alerts(harness))
          .extracting(Alert::getSeverity)
          .doesNotContain(AlertSeverity.CRITICAL);

      harness.setProcessingTime(3 * TEN_MIN);

      List<Alert> critical =
          alerts(harness).stream().filter(a -> a.getSeverity() == AlertSeverity.CRITICAL).toList();
      assertThat(critical).extracting(Alert::getTs).containsExactly(T + 2 * TEN_MIN);
    }
  }

  static AlertInput active(String device, String rule, long ts, double value) {
    return AlertInput.of(
        new Signal(
            rule,
            device,
            "temperature",
            AlertSeverity.WARNING,
            ts,
            value,
            rule + " " + value,
            SignalState.ACTIVE));
  }

  static AlertInput clear(String device, String rule, long ts) {
    return AlertInput.of(
        new Signal(rule, device, "temperature", null, ts, null, null, SignalState.CLEAR));
  }

  static AlertInput action(String alertId, AlertActionType type, Long until) {
    return AlertInput.of(new AlertAction(alertId, "d", type, until, T, "ops"));
  }

  private static List<Alert> alerts(
      KeyedOneInputStreamOperatorTestHarness<String, AlertInput, Alert> harness) {
    return harness.extractOutputValues();
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, AlertInput, Alert> harness(
      LifecycleSettings settings) throws Exception {
    return harness(settings, null);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, AlertInput, Alert> harness(
      LifecycleSettings settings, org.apache.flink.runtime.checkpoint.OperatorSubtaskState state)
      throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new AlertLifecycleFunction(settings)),
            AlertInput::deviceId,
            Types.STRING);
    harness.setup();
    if (state != null) {
      harness.initializeState(state);
    }
    harness.open();
    return harness;
  }
}
