package io.fleetpulse.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertAction;
import io.fleetpulse.model.AlertActionType;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.ModelJson;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A user's ack, snooze and resolve of an alert, written to {@code iot.alert.actions} keyed by the
 * alert's device; the AnomalyJob's lifecycle applies them and the new state comes back on {@code
 * iot.alerts}.
 */
public final class AlertActionRoutes {

  /** The request attribute naming the caller (a key's hash prefix, never the key). */
  public static final String CALLER = "fleetpulse.caller";

  private static final long MAX_SNOOZE_MS = 30L * 24 * 3600 * 1000;

  private final AlertStore alerts;
  private final KafkaWriter writer;
  private final String actionsTopic;

  public AlertActionRoutes(AlertStore alerts, KafkaWriter writer, String actionsTopic) {
    this.alerts = alerts;
    this.writer = writer;
    this.actionsTopic = actionsTopic;
  }

  /** The alert action routes. */
  public List<ApiRoutes.Route> routes() {
    return List.of(
        route("ack", AlertActionType.ACK),
        route("snooze", AlertActionType.SNOOZE),
        route("resolve", AlertActionType.RESOLVE));
  }

  private ApiRoutes.Route route(String verb, AlertActionType type) {
    return new ApiRoutes.Route(
        HandlerType.POST, "/alerts/{alertId}/" + verb, Role.OPERATOR, ctx -> act(ctx, type));
  }

  void act(Context ctx, AlertActionType type) {
    String id = ctx.pathParam("alertId");
    if (id.isBlank() || id.length() > 256) {
      throw Problem.badField("alertId", "invalid_alert_id", "alertId is 1 to 256 characters");
    }
    Alert alert = alerts.get(id);
    if (alert == null) {
      throw new Problem(404, "unknown_alert", "alertId", "no alert '" + id + "'");
    }
    // A body is optional for ack and resolve; snooze needs one with until.
    ObjectNode body =
        ctx.bodyAsBytes().length == 0 && type != AlertActionType.SNOOZE
            ? ModelJson.mapper().createObjectNode()
            : Bodies.object(ctx);
    long now = System.currentTimeMillis();
    Long until = null;
    if (type == AlertActionType.SNOOZE) {
      JsonNode u = body.get("until");
      if (u == null || !u.isIntegralNumber() || !u.canConvertToLong()) {
        throw Problem.badField("until", "invalid_until", "until is required: epoch milliseconds");
      }
      until = u.asLong();
      if (until <= now || until - now > MAX_SNOOZE_MS) {
        throw Problem.badField(
            "until", "out_of_range", "until must be in the future and at most 30 days away");
      }
    } else if (body.has("until")) {
      throw Problem.badField("until", "not_allowed", "until belongs to snooze only");
    }
    if (alert.getState() == AlertState.RESOLVED) {
      throw new Problem(
          409, "alert_resolved", "alertId", "alert '" + id + "' is resolved; nothing to act on");
    }
    String user = ctx.attribute(CALLER);
    AlertAction action = new AlertAction(id, alert.getDeviceId(), type, until, now, user);
    RecordMetadata at = writer.write(actionsTopic, alert.getDeviceId(), ModelJson.toBytes(action));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("action", action);
    answer.put("partition", at.partition());
    answer.put("offset", at.offset());
    ctx.status(202).json(answer);
  }
}
