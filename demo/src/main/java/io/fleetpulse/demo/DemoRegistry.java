package io.fleetpulse.demo;

import io.fleetpulse.devstack.fleet.SimulatedFleet;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.ModelJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The demo's device registry: every simulated device but the last is registered at one of two
 * sites; the last stays unregistered, so the demo shows both kinds of tagging.
 */
final class DemoRegistry {

  private DemoRegistry() {}

  static List<ProducerRecord<byte[], byte[]>> records(SimulatedFleet fleet, String topic) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    List<String> ids = fleet.deviceIds();
    for (int i = 0; i < ids.size() - 1; i++) {
      Device device = new Device();
      device.setDeviceId(ids.get(i));
      device.setType("environment-sensor");
      device.setSite(i % 2 == 0 ? "plant-north" : "plant-south");
      device.setFirmware("2.4.1");
      device.setHeartbeatSeconds(5);
      device.setStatus(DeviceStatus.ACTIVE);
      records.add(
          new ProducerRecord<>(
              topic, ids.get(i).getBytes(StandardCharsets.UTF_8), ModelJson.toBytes(device)));
    }
    return records;
  }
}
