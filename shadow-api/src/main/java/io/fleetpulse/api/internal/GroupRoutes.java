package io.fleetpulse.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.ModelJson;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Device groups and bulk operations: listing groups and their devices, commands and desired-state
 * updates fanned out to every device of a group, and {@code POST /devices:batch}; each answers per
 * device or item, so one bad item never hides the others' results.
 */
public final class GroupRoutes {

  /** The most devices one bulk request touches. */
  public static final int MAX_BULK = 10_000;

  private final DeviceStore devices;
  private final Connectivity connectivity;
  private final TopicView deviceView;
  private final KafkaWriter writer;
  private final Duration writeTimeout;
  private final String devicesTopic;
  private final String desiredTopic;
  private final String commandsTopic;

  public GroupRoutes(
      DeviceStore devices,
      Connectivity connectivity,
      TopicView deviceView,
      KafkaWriter writer,
      Duration writeTimeout,
      String devicesTopic,
      String desiredTopic,
      String commandsTopic) {
    this.devices = devices;
    this.connectivity = connectivity;
    this.deviceView = deviceView;
    this.writer = writer;
    this.writeTimeout = writeTimeout;
    this.devicesTopic = devicesTopic;
    this.desiredTopic = desiredTopic;
    this.commandsTopic = commandsTopic;
  }

  /** The group and batch routes. */
  public List<ApiRoutes.Route> routes() {
    return List.of(
        new ApiRoutes.Route(HandlerType.GET, "/groups", Role.READER, this::listGroups),
        new ApiRoutes.Route(
            HandlerType.GET, "/groups/{group}/devices", Role.READER, this::groupDevices),
        new ApiRoutes.Route(
            HandlerType.POST, "/groups/{group}/commands", Role.OPERATOR, this::groupCommand),
        new ApiRoutes.Route(
            HandlerType.POST, "/groups/{group}/shadow", Role.OPERATOR, this::groupDesired),
        new ApiRoutes.Route(HandlerType.POST, "/devices:batch", Role.ADMIN, this::batch));
  }

  void listGroups(Context ctx) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Device d : devices.all()) {
      List<String> groups = ((RegistryDevice) d).getGroups();
      if (groups != null) {
        groups.forEach(g -> counts.merge(g, 1, Integer::sum));
      }
    }
    List<Map<String, Object>> items = new ArrayList<>();
    counts.forEach((g, n) -> items.add(Map.of("group", g, "devices", n)));
    ctx.json(Map.of("items", items));
  }

  void groupDevices(Context ctx) {
    ApiRoutes.devicePage(ctx, devices, connectivity, group(ctx));
  }

  void groupCommand(Context ctx) {
    String group = group(ctx);
    ApiRoutes.CommandSpec spec = ApiRoutes.CommandSpec.of(Bodies.object(ctx));
    List<Device> members = members(group);
    List<Map<String, Object>> results = new ArrayList<>();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (Device d : members) {
      Map<String, Object> command = spec.record(d.getDeviceId());
      results.add(command);
      sent.add(writer.send(commandsTopic, d.getDeviceId(), ModelJson.toBytes(command), Map.of()));
    }
    ctx.json(fanOut(group, commandsTopic, results, sent));
  }

  void groupDesired(Context ctx) {
    String group = group(ctx);
    ObjectNode body = Bodies.object(ctx);
    JsonNode desired = body.path("state").get("desired");
    if (!body.path("state").isObject() || desired == null || !desired.isObject()) {
      throw Problem.badField("state.desired", "missing_desired", "state.desired must be an object");
    }
    if (body.path("state").has("reported")) {
      throw Problem.badField("state.reported", "not_writable", "the API writes desired state only");
    }
    List<Device> members = members(group);
    List<Map<String, Object>> results = new ArrayList<>();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (Device d : members) {
      // One clientToken per device: each device's ShadowJob answer stands on its own.
      String token = UUID.randomUUID().toString();
      ObjectNode request = ModelJson.mapper().createObjectNode();
      request.putObject("state").set("desired", desired);
      request.put("clientToken", token);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("deviceId", d.getDeviceId());
      result.put("clientToken", token);
      results.add(result);
      sent.add(
          writer.send(
              desiredTopic,
              d.getDeviceId(),
              ModelJson.toBytes(request),
              Map.of(ShadowRoutes.OP_HEADER, "update")));
    }
    ctx.json(fanOut(group, desiredTopic, results, sent));
  }

  void batch(Context ctx) {
    ObjectNode body = Bodies.object(ctx);
    JsonNode itemsNode = body.get("items");
    if (itemsNode == null || !itemsNode.isArray() || itemsNode.isEmpty()) {
      throw Problem.badField("items", "missing_items", "items must be a non-empty array");
    }
    if (itemsNode.size() > MAX_BULK) {
      throw Problem.badField("items", "too_many_items", "at most " + MAX_BULK + " items");
    }
    JsonNode modeNode = body.get("mode");
    String mode = modeNode == null || modeNode.isNull() ? "upsert" : modeNode.asText();
    if (!mode.equals("upsert") && !mode.equals("register")) {
      throw Problem.badField("mode", "invalid_mode", "mode is upsert (default) or register");
    }
    ArrayNode items = (ArrayNode) itemsNode;
    List<Map<String, Object>> results = new ArrayList<>();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    List<Integer> sentIndex = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("index", i);
      results.add(result);
      try {
        if (!items.get(i).isObject()) {
          throw Problem.badField("body", "not_an_object", "each item is a device object");
        }
        Device device = ApiRoutes.validDevice((ObjectNode) items.get(i).deepCopy(), null);
        String id = device.getDeviceId();
        result.put("deviceId", id);
        Integer earlier = seen.putIfAbsent(id, i);
        if (earlier != null) {
          throw new Problem(
              409, "duplicate_item", "deviceId", "item " + earlier + " has the same deviceId");
        }
        boolean exists = devices.get(id) != null;
        if (exists && mode.equals("register")) {
          throw new Problem(409, "device_exists", "deviceId", "device '" + id + "' exists");
        }
        result.put("status", exists ? 200 : 201);
        sent.add(writer.send(devicesTopic, id, ModelJson.toBytes(device), Map.of()));
        sentIndex.add(i);
      } catch (Problem p) {
        result.put("status", p.status());
        result.put("problem", p.body());
      }
    }
    // Read your writes for the batch: wait until the view shows the last write of each partition.
    Map<Integer, Long> last = new HashMap<>();
    for (int k = 0; k < sent.size(); k++) {
      Map<String, Object> result = results.get(sentIndex.get(k));
      try {
        RecordMetadata at = writer.await(devicesTopic, sent.get(k));
        last.merge(at.partition(), at.offset(), Math::max);
      } catch (Problem p) {
        result.put("status", p.status());
        result.put("problem", p.body());
      }
    }
    awaitView(last);
    int ok = 0;
    for (Map<String, Object> r : results) {
      int status = (Integer) r.get("status");
      ok += status < 300 ? 1 : 0;
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("succeeded", ok);
    answer.put("failed", results.size() - ok);
    answer.put("results", results);
    ctx.status(ok == results.size() ? 200 : 207).json(answer);
  }

  private void awaitView(Map<Integer, Long> last) {
    try {
      for (Map.Entry<Integer, Long> e : last.entrySet()) {
        if (!deviceView.awaitApplied(e.getKey(), e.getValue(), writeTimeout)) {
          throw new Problem(
              503, "view_behind", null, "written to Kafka, but the view did not catch up in time");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Problem(503, "interrupted", null, "interrupted while waiting for the view");
    }
  }

  private Map<String, Object> fanOut(
      String group,
      String topic,
      List<Map<String, Object>> results,
      List<Future<RecordMetadata>> sent) {
    int ok = 0;
    for (int i = 0; i < sent.size(); i++) {
      Map<String, Object> result = results.get(i);
      try {
        RecordMetadata at = writer.await(topic, sent.get(i));
        result.put("status", 202);
        result.put("partition", at.partition());
        result.put("offset", at.offset());
        ok++;
      } catch (Problem p) {
        result.put("status", p.status());
        result.put("problem", p.body());
      }
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("group", group);
    answer.put("devices", results.size());
    answer.put("succeeded", ok);
    answer.put("failed", results.size() - ok);
    answer.put("results", results);
    return answer;
  }

  private List<Device> members(String group) {
    List<Device> members = new ArrayList<>();
    for (Device d : devices.all()) {
      if (((RegistryDevice) d).inGroup(group)) {
        members.add(d);
        if (members.size() > MAX_BULK) {
          throw new Problem(
              400,
              "group_too_large",
              "group",
              "group '" + group + "' has more than " + MAX_BULK + " devices");
        }
      }
    }
    if (members.isEmpty()) {
      throw new Problem(404, "unknown_group", "group", "no device is in group '" + group + "'");
    }
    return members;
  }

  private static String group(Context ctx) {
    return ApiRoutes.groupParam(null, "group", ctx.pathParam("group"));
  }
}
