package io.fleetpulse.api.webhooks;

import io.fleetpulse.api.internal.TopicView;
import io.fleetpulse.model.ModelJson;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The webhook endpoints as read from {@code iot.webhooks} (compacted; tombstone = deleted). */
public final class EndpointRegistry implements TopicView.Materializer {

  private final Map<String, WebhookEndpoint> endpoints = new ConcurrentHashMap<>();

  @Override
  public void apply(String key, byte[] value) {
    if (value == null || value.length == 0) {
      endpoints.remove(key);
      return;
    }
    WebhookEndpoint endpoint = ModelJson.fromBytes(value, WebhookEndpoint.class);
    if (endpoint.getUrl() == null || endpoint.getSecret() == null) {
      throw new IllegalArgumentException("webhook endpoint without url or secret");
    }
    endpoint.setId(key);
    endpoints.put(key, endpoint);
  }

  /** The endpoint, or null. */
  public WebhookEndpoint get(String id) {
    return endpoints.get(id);
  }

  /** Every endpoint, oldest first. */
  public List<WebhookEndpoint> all() {
    List<WebhookEndpoint> list = new ArrayList<>(endpoints.values());
    list.sort(
        Comparator.comparingLong(WebhookEndpoint::getCreatedAt)
            .thenComparing(WebhookEndpoint::getId));
    return list;
  }

  public int size() {
    return endpoints.size();
  }
}
