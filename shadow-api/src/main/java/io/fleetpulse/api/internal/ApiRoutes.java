package io.fleetpulse.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceIds;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.ModelJson;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.RecordMetadata;

/** The API's routes: one small handler per operation over the views and the Kafka writer. */
public final class ApiRoutes {

  /** One route: method, path (OpenAPI syntax), the role it needs, and its handler. */
  public record Route(
      HandlerType method, String path, Role role, io.javalin.http.Handler handler) {}

  private static final int MAX_GROUPS = 32;
  private static final java.util.regex.Pattern GROUP =
      java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  private final DeviceStore devices;
  private final Connectivity connectivity;
  private final ShadowStore shadows;
  private final AlertStore alerts;
  private final TopicView deviceView;
  private final KafkaWriter writer;
  private final Duration writeTimeout;
  private final String devicesTopic;
  private final String commandsTopic;

  public ApiRoutes(
      DeviceStore devices,
      Connectivity connectivity,
      ShadowStore shadows,
      AlertStore alerts,
      TopicView deviceView,
      KafkaWriter writer,
      Duration writeTimeout,
      String devicesTopic,
      String commandsTopic) {
    this.devices = devices;
    this.connectivity = connectivity;
    this.shadows = shadows;
    this.alerts = alerts;
    this.deviceView = deviceView;
    this.writer = writer;
    this.writeTimeout = writeTimeout;
    this.devicesTopic = devicesTopic;
    this.commandsTopic = commandsTopic;
  }

  /** Every route of the API; {@code /openapi.json} documents exactly these. */
  public List<Route> routes() {
    return List.of(
        new Route(HandlerType.GET, "/devices", Role.READER, this::listDevices),
        new Route(HandlerType.POST, "/devices", Role.ADMIN, this::registerDevice),
        new Route(HandlerType.GET, "/devices/{deviceId}", Role.READER, this::getDevice),
        new Route(HandlerType.PUT, "/devices/{deviceId}", Role.ADMIN, this::replaceDevice),
        new Route(HandlerType.PATCH, "/devices/{deviceId}", Role.ADMIN, this::patchDevice),
        new Route(HandlerType.DELETE, "/devices/{deviceId}", Role.ADMIN, this::deleteDevice),
        new Route(HandlerType.GET, "/devices/{deviceId}/shadow", Role.READER, this::getShadow),
        new Route(HandlerType.POST, "/devices/{deviceId}/commands", Role.OPERATOR, this::command),
        new Route(HandlerType.GET, "/alerts", Role.READER, this::listAlerts),
        new Route(HandlerType.GET, "/alerts/{alertId}", Role.READER, this::getAlert));
  }

  void listDevices(Context ctx) {
    devicePage(ctx, devices, connectivity, groupParam(ctx, "group", ctx.queryParam("group")));
  }

  /** The device as served: the registry record plus its connectivity. */
  static JsonNode view(Device device, Connectivity connectivity) {
    ObjectNode node = ModelJson.mapper().valueToTree(device);
    if (connectivity != null) {
      node.set(
          "connectivity",
          ModelJson.mapper().valueToTree(connectivity.describe(device.getDeviceId())));
    }
    return node;
  }

  /** A page of {@code devices} by the query's filters (and {@code group} when not null). */
  static void devicePage(
      Context ctx, DeviceStore devices, Connectivity connectivity, String group) {
    Connectivity.State online = Bodies.enumParam(ctx, "connectivity", Connectivity.State.class);
    int limit = Bodies.intParam(ctx, "limit", 100, 1, 1000);
    String type = ctx.queryParam("type");
    String site = ctx.queryParam("site");
    DeviceStatus status = Bodies.enumParam(ctx, "status", DeviceStatus.class);
    String after = decodeCursor(ctx.queryParam("cursor"));
    Predicate<Device> filter =
        d ->
            (type == null || type.equals(d.getType()))
                && (site == null || site.equals(d.getSite()))
                && (status == null || status == d.getStatus())
                && (group == null || ((RegistryDevice) d).inGroup(group))
                && (online == null || online == connectivity.state(d.getDeviceId()));
    DeviceStore.Page<Device> page = devices.page(after, limit, filter);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("items", page.items().stream().map(d -> view(d, connectivity)).toList());
    if (page.more()) {
      body.put("nextCursor", encodeCursor(page.items().get(page.items().size() - 1).getDeviceId()));
    }
    ctx.json(body);
  }

  void registerDevice(Context ctx) {
    ObjectNode body = Bodies.object(ctx);
    Device device = validDevice(body, null);
    if (devices.get(device.getDeviceId()) != null) {
      throw new Problem(
          409,
          "device_exists",
          "deviceId",
          "device '" + device.getDeviceId() + "' is registered already; use PUT or PATCH");
    }
    writeDevice(device.getDeviceId(), device);
    ctx.status(201).json(device);
  }

  void getDevice(Context ctx) {
    ctx.json(view(knownDevice(ctx), connectivity));
  }

  void replaceDevice(Context ctx) {
    Device existing = knownDevice(ctx);
    Device device = validDevice(Bodies.object(ctx), existing.getDeviceId());
    writeDevice(device.getDeviceId(), device);
    ctx.json(device);
  }

  void patchDevice(Context ctx) {
    Device existing = knownDevice(ctx);
    ObjectNode patch = Bodies.object(ctx);
    ObjectNode merged = ModelJson.mapper().valueToTree(existing);
    Bodies.mergePatch(merged, patch);
    Device device = validDevice(merged, existing.getDeviceId());
    writeDevice(device.getDeviceId(), device);
    ctx.json(device);
  }

  void deleteDevice(Context ctx) {
    Device existing = knownDevice(ctx);
    writeDevice(existing.getDeviceId(), null);
    ctx.status(204);
  }

  void getShadow(Context ctx) {
    String id = deviceId(ctx);
    byte[] shadow = shadows.json(id);
    if (shadow == null) {
      throw new Problem(404, "no_shadow", "deviceId", "device '" + id + "' has no shadow yet");
    }
    // Stored as served: no parse and write per read.
    ctx.contentType("application/json").result(shadow);
  }

  void command(Context ctx) {
    Device device = knownDevice(ctx);
    CommandSpec spec = CommandSpec.of(Bodies.object(ctx));
    Map<String, Object> command = spec.record(device.getDeviceId());
    RecordMetadata at =
        writer.write(commandsTopic, device.getDeviceId(), ModelJson.toBytes(command));
    command.put("partition", at.partition());
    command.put("offset", at.offset());
    ctx.status(202).json(command);
  }

  /** A validated command body: name, params, time to live. */
  record CommandSpec(String name, JsonNode params, int ttlSeconds) {

    static CommandSpec of(ObjectNode body) {
      JsonNode name = body.get("name");
      if (name == null
          || !name.isTextual()
          || name.asText().isBlank()
          || name.asText().length() > 128) {
        throw Problem.badField(
            "name", "invalid_name", "name must be a string of 1 to 128 characters");
      }
      JsonNode params = body.get("params");
      if (params != null && !params.isObject() && !params.isNull()) {
        throw Problem.badField("params", "wrong_type", "params must be a JSON object");
      }
      int ttl = 3600;
      JsonNode ttlNode = body.get("ttlSeconds");
      if (ttlNode != null && !ttlNode.isNull()) {
        if (!ttlNode.isIntegralNumber() || ttlNode.asLong() < 1 || ttlNode.asLong() > 604_800) {
          throw Problem.badField(
              "ttlSeconds", "out_of_range", "ttlSeconds must be an integer from 1 to 604800");
        }
        ttl = ttlNode.asInt();
      }
      return new CommandSpec(
          name.asText(), params != null && params.isObject() ? params : null, ttl);
    }

    /** The record for {@code iot.commands}, with a fresh commandId. */
    Map<String, Object> record(String deviceId) {
      long now = System.currentTimeMillis();
      Map<String, Object> command = new LinkedHashMap<>();
      command.put("commandId", UUID.randomUUID().toString());
      command.put("deviceId", deviceId);
      command.put("name", name);
      if (params != null) {
        command.put("params", params);
      }
      command.put("issuedAt", now);
      command.put("expiresAt", now + ttlSeconds * 1000L);
      return command;
    }
  }

  void listAlerts(Context ctx) {
    int limit = Bodies.intParam(ctx, "limit", 100, 1, 1000);
    String deviceId = ctx.queryParam("deviceId");
    if (deviceId != null && DeviceIds.problem(deviceId) != null) {
      throw Problem.badField("deviceId", "invalid_device_id", DeviceIds.problem(deviceId));
    }
    String type = ctx.queryParam("type");
    AlertSeverity severity = Bodies.enumParam(ctx, "severity", AlertSeverity.class);
    AlertState state = Bodies.enumParam(ctx, "state", AlertState.class);
    Long from = Bodies.millisParam(ctx, "from");
    Long to = Bodies.millisParam(ctx, "to");
    int offset = Bodies.intParam(ctx, "cursor", 0, 0, Integer.MAX_VALUE);
    List<Alert> all =
        alerts.matching(
            a ->
                (deviceId == null || deviceId.equals(a.getDeviceId()))
                    && (type == null || type.equals(a.getType()))
                    && (severity == null || severity == a.getSeverity())
                    && (state == null || state == a.getState())
                    && (from == null || a.getTs() >= from)
                    && (to == null || a.getTs() < to));
    List<Alert> items =
        new ArrayList<>(
            all.subList(Math.min(offset, all.size()), Math.min(offset + limit, all.size())));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("items", items);
    if (offset + limit < all.size()) {
      body.put("nextCursor", String.valueOf(offset + limit));
    }
    ctx.json(body);
  }

  void getAlert(Context ctx) {
    String id = ctx.pathParam("alertId");
    Alert alert = alerts.get(id);
    if (alert == null) {
      throw new Problem(404, "unknown_alert", "alertId", "no alert '" + id + "'");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("alert", alert);
    body.put("transitions", alerts.transitions(id));
    ctx.json(body);
  }

  /** {@code value} as a group name (null stays null), 400 naming {@code field} unless valid. */
  static String groupParam(Context ctx, String field, String value) {
    if (value == null || (ctx != null && value.isEmpty())) {
      return null;
    }
    if (!GROUP.matcher(value).matches()) {
      throw Problem.badField(
          field, "invalid_group", "group names are 1 to 64 characters of A-Z a-z 0-9 . _ : -");
    }
    return value;
  }

  /** The {@code deviceId} path parameter, 400 unless it is a valid id. */
  static String deviceId(Context ctx) {
    String id = ctx.pathParam("deviceId");
    String problem = DeviceIds.problem(id);
    if (problem != null) {
      throw Problem.badField("deviceId", "invalid_device_id", problem);
    }
    return id;
  }

  private Device knownDevice(Context ctx) {
    return knownDevice(devices, ctx);
  }

  /** The device of the {@code deviceId} path parameter; 404 when it is not registered. */
  static Device knownDevice(DeviceStore devices, Context ctx) {
    String id = deviceId(ctx);
    Device device = devices.get(id);
    if (device == null) {
      throw Problem.unknownDevice(id);
    }
    return device;
  }

  /** {@code body} as a registry record; 400 naming the field that is wrong. */
  static Device validDevice(ObjectNode body, String pathId) {
    JsonNode idNode = body.get("deviceId");
    String id;
    if (idNode == null || idNode.isNull()) {
      if (pathId == null) {
        throw Problem.badField("deviceId", "missing_device_id", "deviceId is required");
      }
      id = pathId;
      body.put("deviceId", pathId);
    } else if (!idNode.isTextual()) {
      throw Problem.badField("deviceId", "invalid_device_id", "deviceId must be a string");
    } else {
      id = idNode.asText();
    }
    String problem = DeviceIds.problem(id);
    if (problem != null) {
      throw Problem.badField("deviceId", "invalid_device_id", problem);
    }
    if (pathId != null && !pathId.equals(id)) {
      throw Problem.badField(
          "deviceId",
          "device_id_mismatch",
          "the body names '" + id + "', the path '" + pathId + "'");
    }
    RegistryDevice device = Bodies.convert(body, RegistryDevice.class);
    if (device.getGroups() != null) {
      if (device.getGroups().size() > MAX_GROUPS) {
        throw Problem.badField(
            "groups", "too_many_groups", "a device belongs to at most " + MAX_GROUPS + " groups");
      }
      for (int i = 0; i < device.getGroups().size(); i++) {
        groupParam(null, "groups[" + i + "]", device.getGroups().get(i));
      }
      List<String> sorted = new ArrayList<>(new java.util.TreeSet<>(device.getGroups()));
      device.setGroups(sorted.isEmpty() ? null : sorted);
    }
    if (device.getHeartbeatSeconds() != null && device.getHeartbeatSeconds() < 1) {
      throw Problem.badField(
          "heartbeatSeconds", "out_of_range", "heartbeatSeconds must be a positive integer");
    }
    if (device.getStatus() == null) {
      device.setStatus(DeviceStatus.ACTIVE);
    }
    return device;
  }

  /** Writes the registry record and waits until this instance's view shows it. */
  private void writeDevice(String id, Device device) {
    RecordMetadata at =
        writer.write(devicesTopic, id, device == null ? null : ModelJson.toBytes(device));
    try {
      if (!deviceView.awaitApplied(at.partition(), at.offset(), writeTimeout)) {
        throw new Problem(
            503, "view_behind", null, "written to Kafka, but the view did not catch up in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Problem(503, "interrupted", null, "interrupted while waiting for the view");
    }
  }

  static String encodeCursor(String lastId) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(lastId.getBytes(StandardCharsets.UTF_8));
  }

  static String decodeCursor(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      String id = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (DeviceIds.isValid(id)) {
        return id;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw Problem.badField("cursor", "invalid_cursor", "cursor is not one this API handed out");
  }
}
