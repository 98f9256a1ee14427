package io.fleetpulse.api.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetpulse.api.internal.ApiRoutes;
import io.fleetpulse.api.internal.Bodies;
import io.fleetpulse.api.internal.KafkaWriter;
import io.fleetpulse.api.internal.Problem;
import io.fleetpulse.api.internal.Role;
import io.fleetpulse.api.internal.TopicView;
import io.fleetpulse.model.ModelJson;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.RecordMetadata;

/** The webhook management routes: endpoints, their deliveries, replays. */
final class WebhookRoutes {

  private static final int MAX_URL = 2048;
  // the registry's rule for group names (ApiRoutes)
  private static final java.util.regex.Pattern GROUP =
      java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Set<String> FIELDS =
      Set.of("url", "secret", "description", "filter", "enabled", "rotateSecret");

  private final EndpointRegistry registry;
  private final TopicView registryView;
  private final ParkedStore parked;
  private final DeliveryLog log;
  private final Deliverer deliverer;
  private final SsrfGuard guard;
  private final KafkaWriter writer;
  private final WebhookOptions options;
  private final Duration writeTimeout;

  WebhookRoutes(
      EndpointRegistry registry,
      TopicView registryView,
      ParkedStore parked,
      DeliveryLog log,
      Deliverer deliverer,
      SsrfGuard guard,
      KafkaWriter writer,
      WebhookOptions options,
      Duration writeTimeout) {
    this.registry = registry;
    this.registryView = registryView;
    this.parked = parked;
    this.log = log;
    this.deliverer = deliverer;
    this.guard = guard;
    this.writer = writer;
    this.options = options;
    this.writeTimeout = writeTimeout;
  }

  List<ApiRoutes.Route> routes() {
    return List.of(
        new ApiRoutes.Route(HandlerType.GET, "/webhooks", Role.OPERATOR, this::list),
        new ApiRoutes.Route(HandlerType.POST, "/webhooks", Role.ADMIN, this::create),
        new ApiRoutes.Route(HandlerType.GET, "/webhooks/{webhookId}", Role.OPERATOR, this::get),
        new ApiRoutes.Route(HandlerType.PATCH, "/webhooks/{webhookId}", Role.ADMIN, this::patch),
        new ApiRoutes.Route(HandlerType.DELETE, "/webhooks/{webhookId}", Role.ADMIN, this::delete),
        new ApiRoutes.Route(
            HandlerType.GET, "/webhooks/{webhookId}/deliveries", Role.OPERATOR, this::deliveries),
        new ApiRoutes.Route(
            HandlerType.POST,
            "/webhooks/{webhookId}/deliveries/{deliveryId}:retry",
            Role.OPERATOR,
            this::retry));
  }

  void list(Context ctx) {
    List<Map<String, Object>> items = new ArrayList<>();
    registry.all().forEach(e -> items.add(e.view()));
    ctx.json(Map.of("items", items));
  }

  void create(Context ctx) {
    ObjectNode body = Bodies.object(ctx);
    unknownFields(body);
    long now = System.currentTimeMillis();
    WebhookEndpoint e = new WebhookEndpoint();
    e.setId("wh_" + UUID.randomUUID().toString().replace("-", ""));
    JsonNode url = body.get("url");
    if (url == null || url.isNull()) {
      throw Problem.badField("url", "missing_url", "url is required");
    }
    e.setUrl(validUrl(url));
    apply(e, body, now);
    if (e.getSecret() == null) {
      e.setSecret(Signer.newSecret());
    }
    e.setCreatedAt(now);
    e.setUpdatedAt(now);
    write(e.getId(), e);
    Map<String, Object> answer = e.view();
    answer.put("secret", e.getSecret()); // the only time it is shown
    ctx.status(201).header("Location", "/webhooks/" + e.getId()).json(answer);
  }

  void get(Context ctx) {
    ctx.json(known(ctx).view());
  }

  void patch(Context ctx) {
    WebhookEndpoint existing = known(ctx);
    ObjectNode body = Bodies.object(ctx);
    unknownFields(body);
    WebhookEndpoint e = ModelJson.fromBytes(ModelJson.toBytes(existing), WebhookEndpoint.class);
    long now = System.currentTimeMillis();
    if (body.has("url")) {
      e.setUrl(validUrl(body.get("url")));
    }
    String before = e.getSecret();
    apply(e, body, now);
    JsonNode rotate = body.get("rotateSecret");
    if (rotate != null && rotate.asBoolean(false)) {
      e.setSecret(Signer.newSecret());
    }
    boolean rotated = !before.equals(e.getSecret());
    if (rotated && !options.rotationGrace.isZero()) {
      List<WebhookEndpoint.OldSecret> old = new ArrayList<>();
      for (WebhookEndpoint.OldSecret s : e.getPreviousSecrets()) {
        if (s.until() > now) {
          old.add(s);
        }
      }
      old.add(new WebhookEndpoint.OldSecret(before, now + options.rotationGrace.toMillis()));
      e.setPreviousSecrets(old);
    }
    if (e.isEnabled()) {
      e.setDisabledReason(null);
    }
    e.setUpdatedAt(now);
    write(e.getId(), e);
    Map<String, Object> answer = e.view();
    if (rotated) {
      answer.put("secret", e.getSecret());
    }
    ctx.json(answer);
  }

  void delete(Context ctx) {
    WebhookEndpoint e = known(ctx);
    write(e.getId(), null);
    log.forget(e.getId());
    ctx.status(204);
  }

  void deliveries(Context ctx) {
    WebhookEndpoint e = known(ctx);
    List<Map<String, Object>> items = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Delivery d : log.recent(e.getId())) {
      items.add(d.view());
      seen.add(d.deliveryId);
    }
    for (ParkedDelivery p : parked.all(e.getId())) {
      if (seen.add(p.deliveryId)) {
        items.add(parkedView(p));
      }
    }
    ctx.json(Map.of("items", items));
  }

  void retry(Context ctx) {
    WebhookEndpoint e = known(ctx);
    String deliveryId = ctx.pathParam("deliveryId");
    ParkedDelivery p = parked.get(e.getId(), deliveryId);
    Delivery local = log.get(e.getId(), deliveryId);
    Delivery replay;
    if (p != null) {
      replay =
          new Delivery(
              e.getId(), p.deliveryId, p.alertId, p.eventType, p.body, -1, -1, true, () -> {});
    } else if (local != null && local.state() != Delivery.State.PENDING) {
      replay =
          new Delivery(
              e.getId(),
              local.deliveryId,
              local.alertId,
              local.eventType,
              local.body,
              -1,
              -1,
              true,
              () -> {});
    } else if (local != null) {
      throw new Problem(409, "delivery_pending", "deliveryId", "the delivery is still being tried");
    } else {
      throw new Problem(
          404,
          "unknown_delivery",
          "deliveryId",
          "no parked or recent delivery '" + deliveryId + "'");
    }
    deliverer.submit(replay);
    ctx.status(202).json(replay.view());
  }

  private static Map<String, Object> parkedView(ParkedDelivery p) {
    Map<String, Object> v = new java.util.LinkedHashMap<>();
    v.put("deliveryId", p.deliveryId);
    v.put("alertId", p.alertId);
    v.put("eventType", p.eventType);
    v.put("state", Delivery.State.PARKED.name());
    v.put("attemptCount", p.attempts);
    if (p.lastStatus != null) {
      v.put("lastStatus", p.lastStatus);
    }
    v.put("lastError", p.lastError);
    v.put("parkedAt", p.parkedAt);
    return v;
  }

  private void apply(WebhookEndpoint e, ObjectNode body, long now) {
    JsonNode secret = body.get("secret");
    if (secret != null && !secret.isNull()) {
      String problem =
          secret.isTextual() ? Signer.problem(secret.asText()) : "secret must be a string";
      if (problem != null) {
        throw Problem.badField("secret", "invalid_secret", problem);
      }
      e.setSecret(secret.asText());
    }
    JsonNode description = body.get("description");
    if (description != null) {
      if (!description.isNull()
          && (!description.isTextual() || description.asText().length() > 500)) {
        throw Problem.badField(
            "description", "invalid_description", "description must be a string of at most 500");
      }
      e.setDescription(description.isNull() ? null : description.asText());
    }
    JsonNode filter = body.get("filter");
    if (filter != null) {
      if (filter.isNull()) {
        e.setFilter(new WebhookEndpoint.Filter());
      } else if (!filter.isObject()) {
        throw Problem.badField("filter", "wrong_type", "filter must be an object");
      } else {
        for (String f : iterable(filter.fieldNames())) {
          if (!Set.of("types", "severities", "deviceIds", "groups", "states").contains(f)) {
            throw Problem.badField(
                "filter." + f,
                "unknown_field",
                "filter has types, severities, deviceIds, groups and states");
          }
          if (!filter.get(f).isArray()) {
            throw Problem.badField("filter." + f, "wrong_type", "filter." + f + " must be a list");
          }
        }
        int i = 0;
        for (JsonNode g : filter.path("groups")) {
          if (!g.isTextual() || !GROUP.matcher(g.asText()).matches()) {
            throw Problem.badField(
                "filter.groups[" + i + "]",
                "invalid_group",
                "group names are 1 to 64 characters of A-Z a-z 0-9 . _ : -");
          }
          i++;
        }
        try {
          e.setFilter(Bodies.convert(filter, WebhookEndpoint.Filter.class));
        } catch (Problem p) {
          throw Problem.badField("filter", p.code(), p.getMessage());
        }
      }
    }
    JsonNode enabled = body.get("enabled");
    if (enabled != null) {
      if (!enabled.isBoolean()) {
        throw Problem.badField("enabled", "wrong_type", "enabled must be true or false");
      }
      e.setEnabled(enabled.asBoolean());
    }
    JsonNode rotate = body.get("rotateSecret");
    if (rotate != null && !rotate.isBoolean()) {
      throw Problem.badField("rotateSecret", "wrong_type", "rotateSecret must be true or false");
    }
  }

  private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
    return () -> it;
  }

  private static void unknownFields(ObjectNode body) {
    for (String f : iterable(body.fieldNames())) {
      if (!FIELDS.contains(f)) {
        throw Problem.badField(
            f, "unknown_field", "a webhook has url, secret, description, filter, enabled");
      }
    }
  }

  private String validUrl(JsonNode node) {
    if (!node.isTextual() || node.asText().isBlank() || node.asText().length() > MAX_URL) {
      throw Problem.badField("url", "invalid_url", "url must be a string of at most 2048");
    }
    URI uri;
    try {
      uri = new URI(node.asText());
    } catch (URISyntaxException ex) {
      throw Problem.badField("url", "invalid_url", "url is not a URL: " + ex.getMessage());
    }
    if (!uri.isAbsolute()) {
      throw Problem.badField("url", "invalid_url", "url must be absolute");
    }
    String refusal = guard.refusal(uri);
    if (refusal != null) {
      throw Problem.badField("url", "url_refused", refusal);
    }
    return uri.toString();
  }

  private WebhookEndpoint known(Context ctx) {
    String id = ctx.pathParam("webhookId");
    WebhookEndpoint e = registry.get(id);
    if (e == null) {
      throw new Problem(404, "unknown_webhook", "webhookId", "no webhook '" + id + "'");
    }
    return e;
  }

  private void write(String id, WebhookEndpoint e) {
    RecordMetadata at =
        writer.write(options.endpointsTopic, id, e == null ? null : ModelJson.toBytes(e));
    try {
      if (!registryView.awaitApplied(at.partition(), at.offset(), writeTimeout)) {
        throw new Problem(
            503, "view_behind", null, "written to Kafka, but the view did not catch up in time");
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new Problem(503, "interrupted", null, "interrupted while waiting for the view");
    }
  }
}
