package io.fleetpulse.model.shadow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The AWS IoT Device Shadow service's update, get and delete semantics on Jackson trees, free of
 * Flink so that it is tested against the AWS documentation's examples alone.
 *
 * <p>A stored shadow is a JSON object {@code {"state":{"desired","reported"},"metadata":{...},
 * "version","timestamp"}}; a deleted one leaves the tombstone {@code {"version":N}} so that a
 * re-created shadow continues the version sequence. Timestamps are epoch seconds, as in AWS.
 */
public final class ShadowEngine {

  /** AWS: "the maximum number of levels in the desired or reported section ... is 6". */
  public static final int MAX_DEPTH = 6;

  /** AWS: "A client token that is longer than 64 bytes will cause this response". */
  public static final int MAX_CLIENT_TOKEN_BYTES = 64;

  /** AWS's default limit of the state document (metadata excluded). */
  public static final int DEFAULT_MAX_DOCUMENT_BYTES = 8 * 1024;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final int maxDocumentBytes;

  public ShadowEngine(int maxDocumentBytes) {
    if (maxDocumentBytes <= 0) {
      throw new IllegalArgumentException("maxDocumentBytes must be positive: " + maxDocumentBytes);
    }
    this.maxDocumentBytes = maxDocumentBytes;
  }

  /** One response to the requester, e.g. {@code update/accepted} with its JSON body. */
  public record Response(String kind, ObjectNode body) {}

  /**
   * What one request did: the value to store ({@code null} when nothing changed), the responses,
   * the delta document to publish ({@code null} when the delta did not change or is empty), and the
   * full document for {@code iot.shadows} ({@code null} when unchanged or deleted).
   */
  public record Outcome(
      ObjectNode stored,
      List<Response> responses,
      ObjectNode delta,
      ObjectNode document,
      boolean deleted) {

    /** Whether the request changed the shadow (accepted update or delete). */
    public boolean changed() {
      return stored != null;
    }

    /** The first (and for rejections the only) response. */
    public Response response() {
      return responses.get(0);
    }
  }

  // --- update ---------------------------------------------------------------------------------

  /**
   * Applies an update request ({@code {"state":{"desired","reported"},"clientToken","version"}}) to
   * {@code stored} (a shadow, a tombstone or {@code null}) at {@code now} (epoch seconds).
   */
  public Outcome update(ObjectNode stored, byte[] payload, long now) {
    if (payload.length > maxDocumentBytes) {
      return rejected("update", 413, ShadowErrors.PAYLOAD_TOO_LARGE, null, now);
    }
    ObjectNode request;
    try {
      JsonNode parsed = MAPPER.readTree(payload);
      if (parsed == null || !parsed.isObject()) {
        return rejected("update", 400, ShadowErrors.INVALID_JSON, null, now);
      }
      request = (ObjectNode) parsed;
    } catch (IOException e) {
      return rejected("update", 400, ShadowErrors.INVALID_JSON, null, now);
    }
    JsonNode tokenNode = request.get("clientToken");
    if (tokenNode != null && !validToken(tokenNode)) {
      return rejected("update", 400, ShadowErrors.INVALID_CLIENT_TOKEN, null, now);
    }
    String token = tokenNode == null ? null : tokenNode.textValue();
    JsonNode versionNode = request.get("version");
    if (versionNode != null
        && !(versionNode.isIntegralNumber() && versionNode.canConvertToLong())) {
      return rejected("update", 400, ShadowErrors.INVALID_VERSION, token, now);
    }
    if (!request.has("state")) {
      return rejected("update", 400, ShadowErrors.MISSING_STATE, token, now);
    }
    JsonNode state = request.get("state");
    if (!state.isNull()) {
      String invalid = validateState(state);
      if (invalid != null) {
        return rejected("update", 400, invalid, token, now);
      }
    }
    boolean exists = exists(stored);
    long current = stored == null ? 0 : stored.path("version").asLong(0);
    if (versionNode != null && versionNode.asLong() != current) {
      return rejected("update", 409, ShadowErrors.VERSION_CONFLICT, token, now);
    }

    ObjectNode previous = exists ? stored : null;
    ObjectNode next = exists ? stored.deepCopy() : emptyShadow();
    ObjectNode nextState = (ObjectNode) next.get("state");
    ObjectNode nextMeta = (ObjectNode) next.get("metadata");
    if (state.isNull()) {
      nextState.removeAll();
      nextMeta.removeAll();
    } else {
      for (String section : List.of("desired", "reported")) {
        JsonNode change = state.get(section);
        if (change == null) {
          continue;
        }
        if (change.isNull()) {
          nextState.remove(section);
          nextMeta.remove(section);
          continue;
        }
        ObjectNode values = objectChild(nextState, section);
        ObjectNode meta = objectChild(nextMeta, section);
        merge(values, meta, (ObjectNode) change, now);
        if (values.isEmpty()) {
          nextState.remove(section);
          nextMeta.remove(section);
        }
      }
    }
    if (utf8Length(nextState) > maxDocumentBytes) {
      return rejected("update", 413, ShadowErrors.PAYLOAD_TOO_LARGE, token, now);
    }
    long version = current + 1;
    next.put("version", version);
    next.put("timestamp", now);

    List<Response> responses = new ArrayList<>();
    ObjectNode accepted = NODES.objectNode();
    accepted.set("state", state.deepCopy());
    accepted.set("metadata", state.isNull() ? NODES.objectNode() : metadataOf(state, now));
    accepted.put("version", version);
    accepted.put("timestamp", now);
    putToken(accepted, token);
    responses.add(new Response("update/accepted", accepted));

    ObjectNode documents = NODES.objectNode();
    if (previous != null) {
      documents.set("previous", plain(previous));
    }
    documents.set("current", plain(next));
    documents.put("timestamp", now);
    putToken(documents, token);
    responses.add(new Response("update/documents", documents));

    ObjectNode oldDelta = previous == null ? NODES.objectNode() : deltaOf(previous);
    ObjectNode newDelta = deltaOf(next);
    ObjectNode deltaDoc = null;
    if (!newDelta.isEmpty() && !newDelta.equals(oldDelta)) {
      deltaDoc = deltaDocument(next, newDelta);
      putToken(deltaDoc, token);
    }
    return new Outcome(next, responses, deltaDoc, document(next), false);
  }

  // --- get / delete ---------------------------------------------------------------------------

  /**
   * Answers a get request ({@code {"clientToken":...}} or empty): the document with its current
   * delta, so a device that was offline learns what it missed.
   */
  public Outcome get(ObjectNode stored, byte[] payload, String shadowName, long now) {
    String token = tokenOf(payload);
    if (!exists(stored)) {
      return rejected("get", 404, ShadowErrors.noShadow(shadowName), token, now);
    }
    ObjectNode accepted = document(stored);
    accepted.put("timestamp", now);
    putToken(accepted, token);
    return new Outcome(null, List.of(new Response("get/accepted", accepted)), null, null, false);
  }

  /** Deletes the shadow, keeping its version for a later re-creation. */
  public Outcome delete(ObjectNode stored, byte[] payload, String shadowName, long now) {
    String token = tokenOf(payload);
    if (!exists(stored)) {
      return rejected("delete", 404, ShadowErrors.noShadow(shadowName), token, now);
    }
    long version = stored.path("version").asLong();
    ObjectNode tombstone = NODES.objectNode();
    tombstone.put("version", version);
    ObjectNode accepted = NODES.objectNode();
    accepted.put("version", version);
    accepted.put("timestamp", now);
    putToken(accepted, token);
    return new Outcome(
        tombstone, List.of(new Response("delete/accepted", accepted)), null, null, true);
  }

  // --- documents ------------------------------------------------------------------------------

  /** Whether {@code stored} is a live shadow (not {@code null}, not a tombstone). */
  public static boolean exists(ObjectNode stored) {
    return stored != null && stored.has("state");
  }

  /**
   * The full document as AWS returns it on get: state (desired, reported and delta when not empty),
   * metadata, version and timestamp.
   */
  public static ObjectNode document(ObjectNode stored) {
    ObjectNode doc = plain(stored);
    ObjectNode delta = deltaOf(stored);
    if (!delta.isEmpty()) {
      ((ObjectNode) doc.get("state")).set("delta", delta);
    }
    return doc;
  }

  /** The desired keys whose value differs from reported, recursively (AWS's delta). */
  public static ObjectNode deltaOf(ObjectNode stored) {
    JsonNode state = stored.path("state");
    return delta(state.path("desired"), state.path("reported"));
  }

  static ObjectNode delta(JsonNode desired, JsonNode reported) {
    ObjectNode out = NODES.objectNode();
    if (!desired.isObject()) {
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode want = e.getValue();
      JsonNode have = reported.get(e.getKey());
      if (have != null && want.isObject() && have.isObject()) {
        ObjectNode nested = delta(want, have);
        if (!nested.isEmpty()) {
          out.set(e.getKey(), nested);
        }
      } else if (have == null || !want.equals(have)) {
        out.set(e.getKey(), want.deepCopy());
      }
    }
    return out;
  }

  /** The document to publish on the delta topic: the delta with the desired metadata of it. */
  static ObjectNode deltaDocument(ObjectNode stored, ObjectNode delta) {
    ObjectNode doc = NODES.objectNode();
    doc.put("version", stored.path("version").asLong());
    doc.put("timestamp", stored.path("timestamp").asLong());
    doc.set("state", delta);
    doc.set("metadata", restrict(stored.path("metadata").path("desired"), delta));
    return doc;
  }

  private static JsonNode restrict(JsonNode metadata, JsonNode shape) {
    if (!shape.isObject() || !metadata.isObject()) {
      return metadata.deepCopy();
    }
    ObjectNode out = NODES.objectNode();
    shape
        .fieldNames()
        .forEachRemaining(
            k -> {
              JsonNode m = metadata.get(k);
              if (m != null) {
                out.set(k, restrict(m, shape.get(k)));
              }
            });
    return out;
  }

  private static ObjectNode plain(ObjectNode stored) {
    ObjectNode doc = NODES.objectNode();
    doc.set("state", stored.path("state").deepCopy());
    doc.set("metadata", stored.path("metadata").deepCopy());
    doc.put("version", stored.path("version").asLong());
    doc.put("timestamp", stored.path("timestamp").asLong());
    return doc;
  }

  private static ObjectNode emptyShadow() {
    ObjectNode doc = NODES.objectNode();
    doc.set("state", NODES.objectNode());
    doc.set("metadata", NODES.objectNode());
    return doc;
  }

  // --- merge ----------------------------------------------------------------------------------

  /** Merges {@code change} into {@code values}: null removes, objects merge, the rest replaces. */
  private static void merge(ObjectNode values, ObjectNode meta, ObjectNode change, long now) {
    for (Iterator<Map.Entry<String, JsonNode>> it = change.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (value.isNull()) {
        values.remove(key);
        meta.remove(key);
      } else if (value.isObject()) {
        // A leaf's metadata is an object too ({"timestamp":t}): when a leaf or an array becomes
        // an object, its old metadata must not become the new object's (AWS keeps the state's
        // shape).
        if (!(values.get(key) instanceof ObjectNode)) {
          meta.remove(key);
        }
        ObjectNode nestedValues = objectChild(values, key);
        ObjectNode nestedMeta = objectChild(meta, key);
        merge(nestedValues, nestedMeta, (ObjectNode) value, now);
      } else {
        // Arrays are replaced whole (AWS: "arrays are treated as values").
        values.set(key, value.deepCopy());
        meta.set(key, metadataOf(value, now));
      }
    }
  }

  private static ObjectNode objectChild(ObjectNode parent, String key) {
    JsonNode child = parent.get(key);
    if (child instanceof ObjectNode node) {
      return node;
    }
    ObjectNode created = NODES.objectNode();
    parent.set(key, created);
    return created;
  }

  /** The metadata of {@code value}: a {@code {"timestamp":now}} per leaf, in the same shape. */
  static JsonNode metadataOf(JsonNode value, long now) {
    if (value.isObject()) {
      ObjectNode out = NODES.objectNode();
      value.fields().forEachRemaining(e -> out.set(e.getKey(), metadataOf(e.getValue(), now)));
      return out;
    }
    if (value.isArray()) {
      ArrayNode out = NODES.arrayNode();
      value.forEach(v -> out.add(metadataOf(v, now)));
      return out;
    }
    ObjectNode leaf = NODES.objectNode();
    leaf.put("timestamp", now);
    return leaf;
  }

  // --- validation -----------------------------------------------------------------------------

  private static String validateState(JsonNode state) {
    if (!state.isObject()) {
      return ShadowErrors.STATE_NOT_OBJECT;
    }
    for (Iterator<String> it = state.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!name.equals("desired") && !name.equals("reported")) {
        return ShadowErrors.INVALID_NODE;
      }
    }
    JsonNode desired = state.get("desired");
    if (desired != null && !desired.isNull() && !desired.isObject()) {
      return ShadowErrors.DESIRED_NOT_OBJECT;
    }
    JsonNode reported = state.get("reported");
    if (reported != null && !reported.isNull() && !reported.isObject()) {
      return ShadowErrors.REPORTED_NOT_OBJECT;
    }
    if ((desired != null && depth(desired) > MAX_DEPTH)
        || (reported != null && depth(reported) > MAX_DEPTH)) {
      return ShadowErrors.TOO_DEEP;
    }
    return null;
  }

  /** Levels of objects and arrays: {@code {"a":1}} is 1. */
  static int depth(JsonNode node) {
    if (!node.isContainerNode()) {
      return 0;
    }
    int max = 0;
    for (JsonNode child : node) {
      max = Math.max(max, depth(child));
    }
    return max + 1;
  }

  private static boolean validToken(JsonNode token) {
    return token.isTextual()
        && token.textValue().getBytes(StandardCharsets.UTF_8).length <= MAX_CLIENT_TOKEN_BYTES;
  }

  private static String tokenOf(byte[] payload) {
    if (payload == null || payload.length == 0) {
      return null;
    }
    try {
      JsonNode token = MAPPER.readTree(payload).path("clientToken");
      return validToken(token) ? token.textValue() : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static void putToken(ObjectNode node, String token) {
    if (token != null) {
      node.put("clientToken", token);
    }
  }

  private static int utf8Length(JsonNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8).length;
  }

  private static Outcome rejected(String op, int code, String message, String token, long now) {
    ObjectNode body = NODES.objectNode();
    body.put("code", code);
    body.put("message", message);
    body.put("timestamp", now);
    putToken(body, token);
    return new Outcome(null, List.of(new Response(op + "/rejected", body)), null, null, false);
  }

  /** Parses a stored value (as kept in Flink state). */
  public static ObjectNode parseStored(String json) {
    try {
      return (ObjectNode) MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("stored shadow is not JSON", e);
    }
  }
}
