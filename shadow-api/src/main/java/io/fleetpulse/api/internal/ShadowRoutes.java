package io.fleetpulse.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.ShadowDocument;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Shadow requests: desired-state updates and deletes of the classic and of named shadows, written
 * to {@code iot.shadow.desired} with the contract's {@code shadow.op} / {@code shadow.name}
 * headers; with {@code ?wait=} the ShadowJob's answer on {@code iot.shadow.responses} is returned.
 */
public final class ShadowRoutes {

  /** Header with the request's operation ({@code update}, {@code get}, {@code delete}). */
  public static final String OP_HEADER = "shadow.op";

  /** Header with the shadow's name; absent for the classic shadow. */
  public static final String NAME_HEADER = "shadow.name";

  /** The longest {@code ?wait=}: longer waits belong to a subscription, not a request. */
  public static final Duration MAX_WAIT = Duration.ofSeconds(30);

  private static final int MAX_CLIENT_TOKEN = 64;
  private static final Pattern SHADOW_NAME = Pattern.compile("[a-zA-Z0-9:_-]{1,64}");
  private static final Pattern WAIT = Pattern.compile("(\\d{1,6})(ms|s)?");

  private final DeviceStore devices;
  private final ShadowStore shadows;
  private final KafkaWriter writer;
  private final ShadowResponses responses;
  private final String desiredTopic;

  public ShadowRoutes(
      DeviceStore devices,
      ShadowStore shadows,
      KafkaWriter writer,
      ShadowResponses responses,
      String desiredTopic) {
    this.devices = devices;
    this.shadows = shadows;
    this.writer = writer;
    this.responses = responses;
    this.desiredTopic = desiredTopic;
  }

  /** The shadow routes. */
  public List<ApiRoutes.Route> routes() {
    String classic = "/devices/{deviceId}/shadow";
    String named = "/devices/{deviceId}/shadows/{shadowName}";
    return List.of(
        new ApiRoutes.Route(HandlerType.POST, classic, Role.OPERATOR, this::update),
        new ApiRoutes.Route(HandlerType.DELETE, classic, Role.OPERATOR, this::delete),
        new ApiRoutes.Route(
            HandlerType.GET, "/devices/{deviceId}/shadows", Role.READER, this::listNamed),
        new ApiRoutes.Route(HandlerType.GET, named, Role.READER, this::getNamed),
        new ApiRoutes.Route(HandlerType.POST, named, Role.OPERATOR, this::update),
        new ApiRoutes.Route(HandlerType.DELETE, named, Role.OPERATOR, this::delete));
  }

  void listNamed(Context ctx) {
    Device device = ApiRoutes.knownDevice(devices, ctx);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("deviceId", device.getDeviceId());
    body.put("names", shadows.names(device.getDeviceId()));
    ctx.json(body);
  }

  void getNamed(Context ctx) {
    String id = ApiRoutes.deviceId(ctx);
    String name = shadowName(ctx);
    ShadowDocument shadow = shadows.get(id, name);
    if (shadow == null) {
      throw new Problem(
          404, "no_shadow", "shadowName", "device '" + id + "' has no shadow named '" + name + "'");
    }
    ctx.json(shadow);
  }

  void update(Context ctx) {
    Device device = ApiRoutes.knownDevice(devices, ctx);
    String name = shadowName(ctx);
    Duration wait = waitParam(ctx);
    ObjectNode body = Bodies.object(ctx);
    JsonNode state = body.get("state");
    if (state == null || !state.isObject()) {
      throw Problem.badField("state", "missing_state", "state must be an object with desired");
    }
    if (state.has("reported") || state.has("delta")) {
      throw Problem.badField(
          state.has("reported") ? "state.reported" : "state.delta",
          "not_writable",
          "the API writes desired state only; reported comes from the device");
    }
    JsonNode desired = state.get("desired");
    if (desired == null || !(desired.isObject() || desired.isNull())) {
      throw Problem.badField(
          "state.desired", "missing_desired", "state.desired must be an object (or null to clear)");
    }
    ObjectNode request = ModelJson.mapper().createObjectNode();
    request.putObject("state").set("desired", desired);
    putVersion(body, request);
    String token = clientToken(body);
    request.put("clientToken", token);
    send(ctx, device, name, "update", request, token, wait);
  }

  void delete(Context ctx) {
    Device device = ApiRoutes.knownDevice(devices, ctx);
    String name = shadowName(ctx);
    Duration wait = waitParam(ctx);
    // A body is optional (AWS's delete takes an expected version and a clientToken).
    ObjectNode body =
        ctx.bodyAsBytes().length == 0 ? ModelJson.mapper().createObjectNode() : Bodies.object(ctx);
    ObjectNode request = ModelJson.mapper().createObjectNode();
    putVersion(body, request);
    String token = clientToken(body);
    request.put("clientToken", token);
    send(ctx, device, name, "delete", request, token, wait);
  }

  private void send(
      Context ctx,
      Device device,
      String name,
      String op,
      ObjectNode request,
      String token,
      Duration wait) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(OP_HEADER, op);
    if (name != null) {
      headers.put(NAME_HEADER, name);
    }
    // Registered before the write so that even an instant answer finds its request.
    CompletableFuture<ShadowResponses.Response> answer =
        wait == null ? null : responses.expect(token, op, wait);
    RecordMetadata at;
    try {
      at = writer.write(desiredTopic, device.getDeviceId(), ModelJson.toBytes(request), headers);
    } catch (RuntimeException e) {
      if (answer != null) {
        responses.forget(token);
      }
      throw e;
    }
    Map<String, Object> accepted = new LinkedHashMap<>();
    accepted.put("clientToken", token);
    accepted.put("deviceId", device.getDeviceId());
    if (name != null) {
      accepted.put("shadowName", name);
    }
    accepted.put("partition", at.partition());
    accepted.put("offset", at.offset());
    if (answer == null) {
      ctx.status(202).json(accepted);
      return;
    }
    ctx.future(() -> answer.thenAccept(response -> answer(ctx, response, accepted)));
  }

  /** The job's answer as AWS gives it: 200 with the document, or the rejection's code. */
  private static void answer(
      Context ctx, ShadowResponses.Response response, Map<String, Object> accepted) {
    if (response == null) {
      ctx.status(202).json(accepted); // no answer in time: the request still stands
      return;
    }
    JsonNode body = response.body();
    if (response.accepted()) {
      ctx.status(200).json(body);
      return;
    }
    int code = body.path("code").asInt(400);
    int status = code >= 400 && code <= 599 ? code : 400;
    Map<String, Object> problem =
        Problem.body(
            status,
            status == 409 ? "version_conflict" : "shadow_rejected",
            status == 409 ? "version" : null,
            body.path("message").asText("the ShadowJob rejected the request"));
    problem.put("clientToken", accepted.get("clientToken"));
    problem.put("response", response.kind());
    ctx.status(status).contentType("application/problem+json").result(ModelJson.toBytes(problem));
  }

  private static String shadowName(Context ctx) {
    if (!ctx.pathParamMap().containsKey("shadowName")) {
      return null;
    }
    String name = ctx.pathParam("shadowName");
    if (!SHADOW_NAME.matcher(name).matches()) {
      throw Problem.badField(
          "shadowName",
          "invalid_shadow_name",
          "shadow names are 1 to 64 characters of a-z A-Z 0-9 : _ -");
    }
    return name;
  }

  /** {@code ?wait=5s} (or {@code 500ms}, or plain seconds); null when absent or zero. */
  static Duration waitParam(Context ctx) {
    String text = ctx.queryParam("wait");
    if (text == null || text.isEmpty()) {
      return null;
    }
    Matcher m = WAIT.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration wait = "ms".equals(m.group(2)) ? Duration.ofMillis(n) : Duration.ofSeconds(n);
      if (wait.compareTo(MAX_WAIT) <= 0) {
        return wait.isZero() ? null : wait;
      }
    }
    throw Problem.badField(
        "wait", "invalid_wait", "wait is a duration like 5s or 500ms, at most 30s");
  }

  private static void putVersion(ObjectNode body, ObjectNode request) {
    JsonNode v = body.get("version");
    if (v != null && !v.isNull()) {
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1) {
        throw Problem.badField("version", "invalid_version", "version must be an integer >= 1");
      }
      request.put("version", v.asLong());
    }
  }

  private static String clientToken(ObjectNode body) {
    JsonNode t = body.get("clientToken");
    if (t == null || t.isNull()) {
      return UUID.randomUUID().toString();
    }
    if (!t.isTextual() || t.asText().isEmpty() || t.asText().length() > MAX_CLIENT_TOKEN) {
      throw Problem.badField(
          "clientToken", "invalid_client_token", "clientToken must be 1 to 64 characters");
    }
    return t.asText();
  }
}
