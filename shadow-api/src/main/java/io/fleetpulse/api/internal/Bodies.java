package io.fleetpulse.api.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetpulse.model.ModelJson;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Collectors;

/** Reading request bodies and parameters; everything wrong becomes a 4xx {@link Problem}. */
public final class Bodies {

  private Bodies() {}

  /** The body as a JSON object; 415 unless it is sent as JSON, 400 unless it is an object. */
  public static ObjectNode object(Context ctx) {
    String type = ctx.contentType();
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new Problem(
          415, "unsupported_media_type", "Content-Type", "send the body as application/json");
    }
    byte[] bytes = ctx.bodyAsBytes();
    if (bytes.length == 0) {
      throw Problem.badField("body", "missing_body", "the request needs a JSON object body");
    }
    JsonNode node;
    try {
      node = ModelJson.mapper().readTree(bytes);
    } catch (JsonProcessingException e) {
      throw Problem.badField("body", "not_json", "the body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw Problem.badField("body", "not_json", "the body cannot be read: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw Problem.badField("body", "not_an_object", "the body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /** {@code node} as a {@code type}; a field of the wrong type is named in the 400. */
  public static <T> T convert(JsonNode node, Class<T> type) {
    try {
      return ModelJson.mapper().treeToValue(node, type);
    } catch (InvalidFormatException e) {
      throw Problem.badField(
          path(e), "invalid_value", "value " + e.getValue() + " is not allowed here" + allowed(e));
    } catch (MismatchedInputException e) {
      throw Problem.badField(path(e), "wrong_type", e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw Problem.badField("body", "invalid_body", e.getOriginalMessage());
    }
  }

  /** RFC 7386 JSON merge patch of {@code patch} onto {@code target} (which is changed). */
  public static void mergePatch(ObjectNode target, JsonNode patch) {
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode value = field.getValue();
      if (value.isNull()) {
        target.remove(field.getKey());
      } else if (value.isObject() && target.get(field.getKey()) instanceof ObjectNode) {
        mergePatch((ObjectNode) target.get(field.getKey()), value);
      } else {
        target.set(field.getKey(), value);
      }
    }
  }

  /** An optional integer query parameter within bounds. */
  public static int intParam(Context ctx, String name, int fallback, int min, int max) {
    String text = ctx.queryParam(name);
    if (text == null || text.isEmpty()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw Problem.badField(
        name, "out_of_range", name + " must be an integer from " + min + " to " + max);
  }

  /** An optional epoch-millisecond query parameter. */
  public static Long millisParam(Context ctx, String name) {
    String text = ctx.queryParam(name);
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw Problem.badField(name, "invalid_time", name + " must be epoch milliseconds");
    }
  }

  /** An optional enum query parameter, case-insensitive. */
  public static <E extends Enum<E>> E enumParam(Context ctx, String name, Class<E> type) {
    String text = ctx.queryParam(name);
    if (text == null || text.isEmpty()) {
      return null;
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(text)) {
        return constant;
      }
    }
    throw Problem.badField(
        name,
        "invalid_value",
        name
            + " must be one of "
            + java.util.Arrays.stream(type.getEnumConstants())
                .map(Enum::name)
                .collect(Collectors.joining(", ")));
  }

  private static String path(MismatchedInputException e) {
    String path =
        e.getPath().stream()
            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining("."));
    return path.isEmpty() ? "body" : path;
  }

  private static String allowed(InvalidFormatException e) {
    Class<?> target = e.getTargetType();
    if (target != null && target.isEnum()) {
      return "; one of "
          + java.util.Arrays.stream(target.getEnumConstants())
              .map(String::valueOf)
              .collect(Collectors.joining(", "));
    }
    return "";
  }
}
