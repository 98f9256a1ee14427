package io.fleetpulse.api.internal;

import io.fleetpulse.model.Device;
import io.fleetpulse.model.ModelJson;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

/**
 * The device registry as read from {@code iot.devices}, in the {@link ViewStore} (JSON by device
 * id, sorted for cursor pagination); filters scan from the cursor.
 */
public final class DeviceStore implements TopicView.Materializer {

  private final MVMap<String, byte[]> devices;

  public DeviceStore(ViewStore store) {
    this.devices = store.map("devices");
  }

  @Override
  public void apply(String key, byte[] value) {
    if (value == null || value.length == 0) {
      devices.remove(key);
      return;
    }
    Device device = ModelJson.fromBytes(value, RegistryDevice.class);
    // The key is the id (the TelemetryJob falls back to it the same way).
    device.setDeviceId(key);
    devices.put(key, ModelJson.toBytes(device));
  }

  /** The device, or null when it is not registered. */
  public Device get(String deviceId) {
    return decode(devices.get(deviceId));
  }

  public int size() {
    return devices.size();
  }

  /** All devices, by id, read one at a time from the store. */
  public Iterable<Device> all() {
    return () -> decoding(devices.cursor(null));
  }

  /**
   * Up to {@code limit} devices after {@code afterId} (exclusive; null = from the start) that pass
   * {@code filter}, plus whether more follow.
   */
  public Page<Device> page(String afterId, int limit, Predicate<Device> filter) {
    List<Device> items = new ArrayList<>(Math.min(limit, 64));
    // From afterId itself (the cursor starts at the first key >= it), which is skipped.
    Cursor<String, byte[]> cursor = devices.cursor(afterId);
    while (cursor.hasNext()) {
      String key = cursor.next();
      if (key.equals(afterId)) {
        continue;
      }
      Device device = decode(cursor.getValue());
      if (!filter.test(device)) {
        continue;
      }
      if (items.size() == limit) {
        return new Page<>(items, true);
      }
      items.add(device);
    }
    return new Page<>(items, false);
  }

  private static Device decode(byte[] json) {
    return json == null ? null : ModelJson.fromBytes(json, RegistryDevice.class);
  }

  private static Iterator<Device> decoding(Cursor<String, byte[]> cursor) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return cursor.hasNext();
      }

      @Override
      public Device next() {
        cursor.next();
        return decode(cursor.getValue());
      }
    };
  }

  /** One page of a listing. */
  public record Page<T>(List<T> items, boolean more) {}
}
