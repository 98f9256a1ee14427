package io.fleetpulse.api.internal;

import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.ShadowDocument;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shadows as read from {@code iot.shadows}: per device the document with the highest version,
 * since the ShadowJob writes at least once and a replay may repeat older documents.
 */
public final class ShadowStore implements TopicView.Materializer {

  private final Map<String, ShadowDocument> shadows = new ConcurrentHashMap<>();

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

  public int size() {
    return shadows.size();
  }
}
