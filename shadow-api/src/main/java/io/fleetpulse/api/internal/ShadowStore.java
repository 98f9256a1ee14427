package io.fleetpulse.api.internal;

import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.ShadowDocument;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.h2.mvstore.MVMap;

/**
 * The shadows as read from {@code iot.shadows}, in the {@link ViewStore}: per device the document
 * with the highest version, since the ShadowJob writes at least once and a replay may repeat older
 * documents. Keys are the job's: the device id, or {@code deviceId/name/shadowName} for a named
 * shadow (sorted, so that a device's named shadows are one range). A value is the version (8 bytes)
 * and the document's JSON as the API serves it, so a read sends stored bytes without parsing.
 */
public final class ShadowStore implements TopicView.Materializer {

  /** What separates the device id from the shadow name in the job's keys. */
  public static final String NAME_SEPARATOR = "/name/";

  private static final int VERSION_BYTES = Long.BYTES;

  private final MVMap<String, byte[]> shadows;

  public ShadowStore(ViewStore store) {
    this.shadows = store.map("shadows");
  }

  @Override
  public void apply(String key, byte[] value) {
    if (value == null || value.length == 0) {
      shadows.remove(key);
      return;
    }
    ShadowDocument doc = ModelJson.fromBytes(value, ShadowDocument.class);
    byte[] old = shadows.get(key);
    if (old != null && ByteBuffer.wrap(old).getLong() > doc.getVersion()) {
      return;
    }
    byte[] json = ModelJson.toBytes(doc);
    shadows.put(
        key,
        ByteBuffer.allocate(VERSION_BYTES + json.length)
            .putLong(doc.getVersion())
            .put(json)
            .array());
  }

  /** The device's shadow, or null when there is none. */
  public ShadowDocument get(String deviceId) {
    byte[] json = json(deviceId);
    return json == null ? null : ModelJson.fromBytes(json, ShadowDocument.class);
  }

  /** The device's shadow as the JSON the API serves, or null when there is none. */
  public byte[] json(String deviceId) {
    byte[] stored = shadows.get(deviceId);
    return stored == null ? null : Arrays.copyOfRange(stored, VERSION_BYTES, stored.length);
  }

  /** The device's named shadow, or null. */
  public ShadowDocument get(String deviceId, String shadowName) {
    return get(deviceId + NAME_SEPARATOR + shadowName);
  }

  /** The names of the device's named shadows, sorted. */
  public List<String> names(String deviceId) {
    String prefix = deviceId + NAME_SEPARATOR;
    List<String> names = new ArrayList<>();
    Iterator<String> keys = shadows.keyIterator(prefix);
    while (keys.hasNext()) {
      String key = keys.next();
      if (!key.startsWith(prefix)) {
        break;
      }
      names.add(key.substring(prefix.length()));
    }
    return names;
  }

  public int size() {
    return shadows.size();
  }
}
