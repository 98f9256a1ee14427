package io.fleetpulse.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** JSON encoding of the FleetPulse contracts, configured the same way for every module. */
public final class ModelJson {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          // Producers may add fields before consumers know them.
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          // Garbage after the value means a corrupted or concatenated record, not a valid one.
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          // Only absent properties are dropped; a null inside a map (shadow "remove key") stays.
          .defaultPropertyInclusion(
              JsonInclude.Value.construct(
                  JsonInclude.Include.NON_NULL, JsonInclude.Include.USE_DEFAULTS))
          .build();

  private ModelJson() {}

  /**
   * The shared mapper. It is thread-safe but mutable: do not reconfigure it, use {@code copy()} for
   * a variant.
   */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Encodes {@code value} as UTF-8 JSON. */
  public static byte[] toBytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      String type = value == null ? "null" : value.getClass().getSimpleName();
      throw new IllegalArgumentException(
          "cannot encode " + type + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Decodes {@code json} as a {@code type}, or throws an {@link IllegalArgumentException} naming
   * the type and what is wrong.
   */
  public static <T> T fromBytes(byte[] json, Class<T> type) {
    String name = type.getSimpleName();
    if (json == null || json.length == 0) {
      throw new IllegalArgumentException("cannot decode " + name + ": payload is empty");
    }
    T value;
    try {
      value = MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot decode " + name + " from JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot decode " + name + ": " + e, e);
    }
    if (value == null) {
      // A JSON null is not a record; tombstones (null bytes) are for the caller to handle first.
      throw new IllegalArgumentException("cannot decode " + name + ": JSON is null");
    }
    return value;
  }
}
