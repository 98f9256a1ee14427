package io.fleetpulse.jobs.anomaly;

import java.util.List;

/** Which device types a rule watches: every type when its list is empty. */
final class DeviceTypes {

  private DeviceTypes() {}

  /** Whether {@code type} (null: unknown) is one of {@code types}, or {@code types} is empty. */
  static boolean match(List<String> types, String type) {
    return types.isEmpty() || (type != null && types.contains(type));
  }
}
