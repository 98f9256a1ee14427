package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.model.Device;
import org.apache.flink.api.common.state.BroadcastState;

/** Applies a registry record to a detector's copy of the broadcast registry. */
final class RegistryUpdates {

  private RegistryUpdates() {}

  static void apply(DeviceUpdate update, BroadcastState<String, Device> registry) throws Exception {
    if (update.isDeletion()) {
      registry.remove(update.getDeviceId());
    } else {
      registry.put(update.getDeviceId(), update.getDevice());
    }
  }
}
