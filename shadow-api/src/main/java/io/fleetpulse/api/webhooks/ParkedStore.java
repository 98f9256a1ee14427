package io.fleetpulse.api.webhooks;

import io.fleetpulse.api.internal.TopicView;
import io.fleetpulse.model.ModelJson;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The parked deliveries as read from {@code iot.webhooks.dlq}, the newest per endpoint. */
final class ParkedStore implements TopicView.Materializer {

  private final int kept;
  private final Map<String, LinkedHashMap<String, ParkedDelivery>> byEndpoint =
      new ConcurrentHashMap<>();

  ParkedStore(int kept) {
    this.kept = kept;
  }

  @Override
  public void apply(String key, byte[] value) {
    ParkedDelivery p = ModelJson.fromBytes(value, ParkedDelivery.class);
    if (p.deliveryId == null || p.body == null) {
      throw new IllegalArgumentException("parked delivery without deliveryId or body");
    }
    p.endpointId = key;
    LinkedHashMap<String, ParkedDelivery> log =
        byEndpoint.computeIfAbsent(
            key,
            id ->
                new LinkedHashMap<>() {
                  private static final long serialVersionUID = 1L;

                  @Override
                  protected boolean removeEldestEntry(Map.Entry<String, ParkedDelivery> eldest) {
                    return size() > kept;
                  }
                });
    synchronized (log) {
      log.remove(p.deliveryId);
      log.put(p.deliveryId, p);
    }
  }

  ParkedDelivery get(String endpointId, String deliveryId) {
    LinkedHashMap<String, ParkedDelivery> log = byEndpoint.get(endpointId);
    if (log == null) {
      return null;
    }
    synchronized (log) {
      return log.get(deliveryId);
    }
  }

  /** Newest first. */
  List<ParkedDelivery> all(String endpointId) {
    LinkedHashMap<String, ParkedDelivery> log = byEndpoint.get(endpointId);
    if (log == null) {
      return List.of();
    }
    List<ParkedDelivery> list;
    synchronized (log) {
      list = new ArrayList<>(log.values());
    }
    Collections.reverse(list);
    return list;
  }
}
