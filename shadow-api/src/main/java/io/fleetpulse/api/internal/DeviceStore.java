package io.fleetpulse.api.internal;

import io.fleetpulse.model.Device;
import io.fleetpulse.model.ModelJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;

/** The device registry as read from {@code iot.devices}: sorted by id for cursor pagination. */
public final class DeviceStore implements TopicView.Materializer {

  private final ConcurrentSkipListMap<String, Device> devices = new ConcurrentSkipListMap<>();

  @Override
  public void apply(String key, byte[] value) {
    if (value == null || value.length == 0) {
      devices.remove(key);
      return;
    }
    Device device = ModelJson.fromBytes(value, RegistryDevice.class);
    // The key is the id (the TelemetryJob falls back to it the same way).
    device.setDeviceId(key);
    devices.put(key, device);
  }

  /** The device, or null when it is not registered. */
  public Device get(String deviceId) {
    return devices.get(deviceId);
  }

  public int size() {
    return devices.size();
  }

  /** All devices, by id. */
  public Iterable<Device> all() {
    return devices.values();
  }

  /**
   * Up to {@code limit} devices after {@code afterId} (exclusive; null = from the start) that pass
   * {@code filter}, plus whether more follow.
   */
  public Page<Device> page(String afterId, int limit, Predicate<Device> filter) {
    NavigableMap<String, Device> tail = afterId == null ? devices : devices.tailMap(afterId, false);
    List<Device> items = new ArrayList<>(Math.min(limit, 64));
    for (Map.Entry<String, Device> entry : tail.entrySet()) {
      if (!filter.test(entry.getValue())) {
        continue;
      }
      if (items.size() == limit) {
        return new Page<>(items, true);
      }
      items.add(entry.getValue());
    }
    return new Page<>(items, false);
  }

  /** One page of a listing. */
  public record Page<T>(List<T> items, boolean more) {}
}
