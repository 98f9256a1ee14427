package io.fleetpulse.api.internal;

import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.ShadowDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The shadows as read from {@code iot.shadows}: per device the document with the highest version,
 * since the ShadowJob writes at least once and a replay may repeat older documents. Keys are the
 * job's: the device id, or {@code deviceId/name/shadowName} for a named shadow (sorted, so that a
 * device's named shadows are one range).
 */
public final class ShadowStore implements TopicView.Materializer {

  /** What separates the device id from the shadow name in the job's keys. */
  public static final String NAME_SEPARATOR = "/name/";

  private final ConcurrentSkipListMap<String, ShadowDocument> shadows =
      new ConcurrentSkipListMap<>();

  @Override
  public void apply(String key, byte[] value) {
    if (value == null || value.length == 0) {
      shadows.remove(key);
      return;
    }
    ShadowDocument doc = ModelJson.fromBytes(value, ShadowDocument.class);
    shadows.merge(key, doc, (old, now) -> now.getVersion() >= old.getVersion() ? now : old);
  }

  /** The device's shadow, or null when there is none. */
  public ShadowDocument get(String deviceId) {
    return shadows.get(deviceId);
  }

  /** The device's named shadow, or null. */
  public ShadowDocument get(String deviceId, String shadowName) {
    return shadows.get(deviceId + NAME_SEPARATOR + shadowName);
  }

  /** The names of the device's named shadows, sorted. */
  public List<String> names(String deviceId) {
    String prefix = deviceId + NAME_SEPARATOR;
    List<String> names = new ArrayList<>();
    // '/' + 1 == '0': the range holds exactly the keys that start with the prefix.
    for (String key : shadows.subMap(prefix, deviceId + "/name0").keySet()) {
      names.add(key.substring(prefix.length()));
    }
    return names;
  }

  public int size() {
    return shadows.size();
  }
}
