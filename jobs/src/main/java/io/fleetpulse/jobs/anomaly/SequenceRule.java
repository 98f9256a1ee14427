package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Telemetry;
import java.io.Serializable;
import java.util.List;

/**
 * What every CEP rule (RISING, RAPID_CHANGE, STUCK_SENSOR) has: a name, the metric it watches, the
 * severity of its signals, the clear-after of its alerts (it never sends CLEAR) and the device
 * types it watches (empty: every type).
 */
public interface SequenceRule extends Serializable {

  String name();

  String metric();

  AlertSeverity severity();

  long clearAfterMs();

  List<String> deviceTypes();

  /** Whether the rule watches devices of {@code type}. */
  default boolean appliesTo(String type) {
    return DeviceTypes.match(deviceTypes(), type);
  }

  /** Whether {@code reading} can start a match: it has the metric, of a type the rule watches. */
  default boolean watches(Telemetry reading) {
    return reading.getMetrics().get(metric()) != null && appliesTo(reading.getType());
  }
}
