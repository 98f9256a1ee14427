package io.fleetpulse.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.model.ModelJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The delivery status of the newest commands, from two topics: {@code iot.commands} (what the API
 * sent: SENT until its {@code expiresAt}, then TIMED_OUT) and the device events on {@code
 * iot.events.raw}, where a device acknowledges a command with {@code
 * {"type":"command_ack","commandId","status"}}: {@code done} is ACKED, {@code expired} EXPIRED, any
 * other status FAILED (the device's word kept as {@code deviceStatus}).
 *
 * <p>The two topics are read independently, so an acknowledgement may come before its command; it
 * is kept and joined when the command arrives. At most {@code capacity} commands and as many
 * acknowledgements are kept, the oldest dropped first: a status is for recent commands.
 */
public final class CommandStore {

  /** Where a command is. */
  public enum Status {
    SENT,
    ACKED,
    FAILED,
    EXPIRED,
    TIMED_OUT
  }

  private static final LinkedHashSet<String> NONE = new LinkedHashSet<>();

  private record Ack(String deviceStatus, long ts) {}

  private final Map<String, JsonNode> commands;
  // The ids in commands, by device: a device's list reads its own commands, not all of them.
  private final Map<String, LinkedHashSet<String>> byDevice = new HashMap<>();
  private final Map<String, Ack> acks;
  private final LongSupplier clock;

  public CommandStore(int capacity, LongSupplier clock) {
    this.commands =
        new LinkedHashMap<>(16, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, JsonNode> eldest) {
            if (size() <= capacity) {
              return false;
            }
            unindex(eldest.getKey(), eldest.getValue());
            return true;
          }
        };
    this.acks = bounded(capacity);
    this.clock = clock;
  }

  /** Reads {@code iot.commands}. */
  public TopicView.Materializer commands() {
    return (key, value) -> {
      if (value == null || value.length == 0) {
        return;
      }
      JsonNode command = read(value);
      String id = command.path("commandId").asText("");
      if (id.isEmpty()) {
        throw new IllegalArgumentException("a command without commandId");
      }
      synchronized (this) {
        JsonNode before = commands.put(id, command);
        if (before != null) {
          unindex(id, before);
        }
        byDevice.computeIfAbsent(deviceOf(command), d -> new LinkedHashSet<>()).add(id);
      }
    };
  }

  /** Reads the device events; everything but command acknowledgements is passed over. */
  public TopicView.Materializer events() {
    return (key, value) -> {
      if (value == null || value.length == 0) {
        return;
      }
      JsonNode event = read(value);
      if (!"command_ack".equals(event.path("type").asText())) {
        return;
      }
      String id = event.path("commandId").asText("");
      if (id.isEmpty()) {
        throw new IllegalArgumentException("a command_ack without commandId");
      }
      synchronized (this) {
        // The first answer counts: a repeated acknowledgement (a resend) changes nothing.
        acks.putIfAbsent(
            id,
            new Ack(event.path("status").asText(""), event.path("ts").asLong(clock.getAsLong())));
      }
    };
  }

  /** The command {@code commandId} of {@code deviceId} with its status, or null if unknown. */
  public synchronized Map<String, Object> get(String deviceId, String commandId) {
    JsonNode command = commands.get(commandId);
    if (command == null || !deviceId.equals(deviceOf(command))) {
      return null;
    }
    return view(commandId, command);
  }

  /** The device's known commands, newest first, at most {@code limit}. */
  public synchronized List<Map<String, Object>> ofDevice(String deviceId, int limit) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String id : byDevice.getOrDefault(deviceId, NONE)) {
      out.add(view(id, commands.get(id)));
    }
    out.sort((a, b) -> Long.compare((Long) b.get("issuedAt"), (Long) a.get("issuedAt")));
    return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
  }

  private Map<String, Object> view(String id, JsonNode command) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("commandId", id);
    out.put("deviceId", deviceOf(command));
    out.put("name", command.path("name").asText());
    if (command.hasNonNull("params")) {
      out.put("params", command.get("params"));
    }
    long issuedAt = command.path("issuedAt").asLong();
    long expiresAt = command.path("expiresAt").asLong(Long.MAX_VALUE);
    out.put("issuedAt", issuedAt);
    out.put("expiresAt", expiresAt);
    Ack ack = acks.get(id);
    Status status;
    if (ack != null) {
      status =
          switch (ack.deviceStatus()) {
            case "done" -> Status.ACKED;
            case "expired" -> Status.EXPIRED;
            default -> Status.FAILED;
          };
      out.put("deviceStatus", ack.deviceStatus());
      out.put("answeredAt", ack.ts());
    } else {
      status = clock.getAsLong() > expiresAt ? Status.TIMED_OUT : Status.SENT;
    }
    out.put("status", status.name());
    return out;
  }

  private void unindex(String id, JsonNode command) {
    String device = deviceOf(command);
    LinkedHashSet<String> ids = byDevice.get(device);
    if (ids != null && ids.remove(id) && ids.isEmpty()) {
      byDevice.remove(device);
    }
  }

  private static String deviceOf(JsonNode command) {
    return command.path("deviceId").asText();
  }

  private static JsonNode read(byte[] value) {
    try {
      JsonNode node = ModelJson.mapper().readTree(value);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
  }

  private static <V> Map<String, V> bounded(int capacity) {
    return new LinkedHashMap<>(16, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > capacity;
      }
    };
  }
}
