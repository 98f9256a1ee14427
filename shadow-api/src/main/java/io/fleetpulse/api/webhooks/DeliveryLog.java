package io.fleetpulse.api.webhooks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The recent deliveries this instance made, per endpoint, bounded. */
final class DeliveryLog {

  private final int kept;
  private final Map<String, LinkedHashMap<String, Delivery>> byEndpoint = new ConcurrentHashMap<>();

  DeliveryLog(int kept) {
    this.kept = kept;
  }

  void add(Delivery d) {
    LinkedHashMap<String, Delivery> log =
        byEndpoint.computeIfAbsent(
            d.endpointId,
            id ->
                new LinkedHashMap<>() {
                  private static final long serialVersionUID = 1L;

                  @Override
                  protected boolean removeEldestEntry(Map.Entry<String, Delivery> eldest) {
                    return size() > kept;
                  }
                });
    synchronized (log) {
      log.remove(d.deliveryId); // a replay moves to the end
      log.put(d.deliveryId, d);
    }
  }

  /** Whether {@code deliveryId} already reached {@code endpointId} from this instance. */
  boolean delivered(String endpointId, String deliveryId) {
    Delivery d = get(endpointId, deliveryId);
    return d != null && d.state() == Delivery.State.DELIVERED;
  }

  Delivery get(String endpointId, String deliveryId) {
    LinkedHashMap<String, Delivery> log = byEndpoint.get(endpointId);
    if (log == null) {
      return null;
    }
    synchronized (log) {
      return log.get(deliveryId);
    }
  }

  /** Newest first. */
  List<Delivery> recent(String endpointId) {
    LinkedHashMap<String, Delivery> log = byEndpoint.get(endpointId);
    if (log == null) {
      return List.of();
    }
    List<Delivery> list;
    synchronized (log) {
      list = new ArrayList<>(log.values());
    }
    Collections.reverse(list);
    return list;
  }

  void forget(String endpointId) {
    byEndpoint.remove(endpointId);
  }
}
