package io.fleetpulse.e2e;

import io.fleetpulse.devstack.fleet.ExpectedAggregates;
import io.fleetpulse.devstack.fleet.SimulatedFleet;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A deterministic fleet run, round by round: every device's readings ({@link SimulatedFleet}), two
 * kinds of injected anomalies, devices that go silent and come back, and resent messages; and the
 * exact alert transitions the AnomalyJob must give for it.
 *
 * <p>Round {@code r} is event time {@code t0 + r s} (+ the device's number in ms). Devices 0 and 1
 * run hot (temperature 90 in rounds 30–39), devices 2 and 3 report a flat battery (3 in rounds
 * 20–24), the last two devices are silent in rounds 12–51, device 4 sends every fifth reading
 * twice.
 */
final class FleetScript {

  static final long STEP = 1_000;
  static final int ROUNDS = 60;
  static final int SILENCE_FROM = 12;
  static final int SILENCE_TO = 52;

  /**
   * A last reading of every device this round after the script: each device's time passes all of
   * the script's windows (they close without waiting for a processing-time safeguard).
   */
  static final int CLOSING_ROUND = 200;

  /** The TelemetryJob's window aggregates in InfluxDB, for {@link #aggregates(List)}. */
  static final String INFLUX_AGGREGATES =
      "SELECT \"count\", \"min\", \"max\", \"avg\", \"last\", device, metric FROM telemetry_agg";

  /** The AnomalyJob's rules for the injected anomalies. */
  static final String RULES =
      "{\"rules\":["
          + "{\"name\":\"hot\",\"kind\":\"THRESHOLD\",\"metric\":\"temperature\",\"max\":80,"
          + "\"clearMax\":75,\"for\":\"3s\",\"severity\":\"CRITICAL\"},"
          + "{\"name\":\"battery-low\",\"kind\":\"THRESHOLD\",\"metric\":\"battery\",\"min\":10,"
          + "\"clearMin\":20,\"times\":2,\"severity\":\"WARNING\"}]}";

  /**
   * The analysts' rule of {@code sql/rules} the end-to-end runs give to the SqlRulesJob: a reading
   * above 80 °C (the hot devices' rounds 30–39).
   */
  static final String SQL_RULE = "temperature_high";

  /** Offline after this many heartbeats (the AnomalyJob's {@code offline.heartbeat-factor}). */
  static final int HEARTBEAT_FACTOR = 3;

  private final SimulatedFleet fleet;
  private final int devices;
  private final long t0;
  private final int silentHeartbeatSeconds;

  /**
   * {@code devices} devices (at least 8) from {@code t0}; the silent ones have a registry heartbeat
   * of {@code silentHeartbeatSeconds}, every other device one of 60 s (no offline alert within a
   * test).
   */
  FleetScript(int devices, String prefix, long t0, int silentHeartbeatSeconds) {
    this.fleet = new SimulatedFleet(devices, prefix);
    this.devices = devices;
    this.t0 = t0;
    this.silentHeartbeatSeconds = silentHeartbeatSeconds;
  }

  List<String> deviceIds() {
    return fleet.deviceIds();
  }

  String deviceId(int d) {
    return fleet.deviceIds().get(d);
  }

  boolean silent(int d) {
    return d >= devices - 2;
  }

  /** Whether device {@code d} reports in round {@code r}. */
  boolean reports(int d, int r) {
    return !(silent(d) && r >= SILENCE_FROM && r < SILENCE_TO);
  }

  /** Whether device {@code d} sends its reading of round {@code r} a second time. */
  boolean resends(int d, int r) {
    return d == 4 && r % 5 == 0;
  }

  /** The reading of device {@code d} in round {@code r}, anomalies included. */
  Telemetry reading(int d, int r) {
    Telemetry plain = fleet.reading(d, t0 + r * STEP + d, r);
    Map<String, Double> metrics = new HashMap<>(plain.getMetrics());
    if (d < 2 && r >= 30 && r < 40) {
      metrics.put("temperature", 90.0 + (r % 2) * 0.5);
    } else if (d >= 2 && d < 4 && r >= 20 && r < 25) {
      metrics.put("battery", 3.0);
    }
    return new Telemetry(plain.getDeviceId(), plain.getTs(), plain.getSeq(), metrics);
  }

  /** The readings of round {@code r}, resends included, in the order devices send them. */
  List<Telemetry> round(int r) {
    List<Telemetry> out = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      if (reports(d, r)) {
        out.add(reading(d, r));
        if (resends(d, r)) {
          out.add(reading(d, r));
        }
      }
    }
    return out;
  }

  /** The closing reading of every device (round {@link #CLOSING_ROUND}, no anomaly). */
  List<Telemetry> closingRound() {
    List<Telemetry> out = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      out.add(fleet.reading(d, t0 + CLOSING_ROUND * STEP + d, CLOSING_ROUND));
    }
    return out;
  }

  /** Start of the first window after the script's rounds (window size dividing a minute). */
  long scriptEnd() {
    return t0 + ROUNDS * STEP;
  }

  /** Every distinct reading of the run: what the aggregates and the archive must hold. */
  List<Telemetry> distinctReadings() {
    List<Telemetry> out = new ArrayList<>();
    for (int r = 0; r < ROUNDS; r++) {
      for (int d = 0; d < devices; d++) {
        if (reports(d, r)) {
          out.add(reading(d, r));
        }
      }
    }
    return out;
  }

  /** Creates every FleetPulse topic (four partitions) and writes the fleet's registry records. */
  void setUpKafka(KafkaTestClient kafka) {
    Set<String> topics = new LinkedHashSet<>();
    List<String> compacted = new ArrayList<>();
    for (FleetTopics.Topic t : FleetTopics.ALL) {
      topics.add(t.name());
      if (t.compacted()) {
        compacted.add(t.name());
      }
    }
    kafka.createTopics(4, topics, compacted);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (Device d : registry()) {
      records.add(
          new ProducerRecord<>(
              FleetTopics.DEVICES.name(),
              d.getDeviceId().getBytes(StandardCharsets.UTF_8),
              ModelJson.toBytes(d)));
    }
    kafka.produce(records);
  }

  /** Count, min, max, avg and last of every window of the run, by device, metric and start. */
  Map<String, List<Double>> expectedAggregates(long windowMs) {
    Map<String, List<Double>> out = new HashMap<>();
    ExpectedAggregates.tumbling(distinctReadings(), windowMs)
        .forEach((key, a) -> out.put(key, values(a)));
    return out;
  }

  static List<Double> values(TelemetryAggregate a) {
    return List.of((double) a.getCount(), a.getMin(), a.getMax(), a.getAvg(), a.getLast());
  }

  /** The rows of {@link #INFLUX_AGGREGATES} as {@link #expectedAggregates(long)} has them. */
  static Map<String, List<Double>> aggregates(List<Map<String, Object>> rows) {
    Map<String, List<Double>> out = new HashMap<>();
    for (Map<String, Object> row : rows) {
      List<Double> values = new ArrayList<>();
      for (String field : List.of("count", "min", "max", "avg", "last")) {
        values.add(((Number) row.get(field)).doubleValue());
      }
      out.put(
          ExpectedAggregates.key(
              (String) row.get("device"),
              (String) row.get("metric"),
              ((Number) row.get("time")).longValue()),
          values);
    }
    return out;
  }

  /** The registry records of the fleet (heartbeats for the offline detector). */
  List<Device> registry() {
    List<Device> out = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      Device device = new Device();
      device.setDeviceId(deviceId(d));
      device.setType("environment-sensor");
      device.setSite(d % 2 == 0 ? "plant-north" : "plant-south");
      device.setFirmware("2.4.1");
      device.setHeartbeatSeconds(silent(d) ? silentHeartbeatSeconds : 60);
      device.setStatus(DeviceStatus.ACTIVE);
      out.add(device);
    }
    return out;
  }

  /**
   * "alertId STATE" of every transition the run must give: each anomaly and each silence OPEN then
   * RESOLVED; the silent devices' second silence, after the last round, OPEN — and RESOLVED too
   * when {@code closed} (the {@link #closingRound()} was sent).
   */
  Set<String> expectedTransitions(boolean closed) {
    Set<String> out = new TreeSet<>();
    for (int d = 0; d < 2; d++) {
      // Above 80 from round 30; held for 3 s of the device's time at round 33.
      episode(out, Alert.idFor(deviceId(d), "hot", "temperature", String.valueOf(ts(d, 33))), true);
    }
    for (int d = 2; d < 4; d++) {
      // The second flat reading in a row, round 21.
      episode(
          out, Alert.idFor(deviceId(d), "battery-low", "battery", String.valueOf(ts(d, 21))), true);
    }
    long deadline = silentHeartbeatSeconds * 1000L * HEARTBEAT_FACTOR;
    for (int d = 0; d < devices; d++) {
      if (silent(d)) {
        episode(out, offlineId(d, ts(d, SILENCE_FROM - 1) + deadline), true);
        episode(out, offlineId(d, ts(d, ROUNDS - 1) + deadline), closed);
      }
    }
    return out;
  }

  /**
   * "alertId STATE" of what the SQL rule's signals become in the AnomalyJob's lifecycle: one OPEN
   * per hot device from its first reading above 80 (round 30), never resolved (the rule sends no
   * CLEAR and no clear-after).
   */
  Set<String> expectedSqlTransitions() {
    Set<String> out = new TreeSet<>();
    for (int d = 0; d < 2; d++) {
      out.add(
          Alert.idFor(deviceId(d), SQL_RULE, "temperature", String.valueOf(ts(d, 30))) + " OPEN");
    }
    return out;
  }

  /**
   * "alertId OPEN" of the silence that follows the {@link #closingRound()} of the devices with a
   * short heartbeat: real, once that much wall time passed after it, so a check may see it or not.
   */
  Set<String> silenceAfterTheClosingRound() {
    Set<String> out = new TreeSet<>();
    long deadline = silentHeartbeatSeconds * 1000L * HEARTBEAT_FACTOR;
    for (int d = 0; d < devices; d++) {
      if (silent(d)) {
        out.add(offlineId(d, ts(d, CLOSING_ROUND) + deadline) + " OPEN");
      }
    }
    return out;
  }

  private String offlineId(int d, long at) {
    return Alert.idFor(deviceId(d), "device-offline", null, String.valueOf(at));
  }

  private long ts(int d, int r) {
    return t0 + r * STEP + d;
  }

  private static void episode(Set<String> out, String alertId, boolean resolved) {
    out.add(alertId + " OPEN");
    if (resolved) {
      out.add(alertId + " RESOLVED");
    }
  }
}
