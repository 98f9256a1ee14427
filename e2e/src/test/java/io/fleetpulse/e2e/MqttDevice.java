package io.fleetpulse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.fleetpulse.model.ModelJson;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One device of the end-to-end fleet on its own MQTT 5 connection: publishes what the script gives
 * it, keeps a reported state, and answers a shadow delta by taking the desired values and reporting
 * them back — what the AWS device SDK's shadow examples do; it acknowledges every command on its
 * events topic as the simulator's devices do ({@code done} for {@code ping}, {@code unsupported}
 * for anything else).
 */
final class MqttDevice implements AutoCloseable {

  private final String id;
  private final Mqtt5AsyncClient client;
  private final ObjectNode reported = ModelJson.mapper().createObjectNode();
  private final List<JsonNode> deltas = new CopyOnWriteArrayList<>();

  MqttDevice(String id, String host, int port) {
    this.id = id;
    this.client =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier(id)
            .serverHost(host)
            .serverPort(port)
            .buildAsync();
    reported.put("led", "off");
    reported.put("mode", "normal");
    client.publishes(MqttGlobalPublishFilter.ALL, this::onMessage);
  }

  /** Connects, subscribes to its delta and command topics and reports its state. */
  CompletableFuture<Void> connect() {
    return client
        .connectWith()
        .cleanStart(true)
        .send()
        .thenCompose(
            ack ->
                client
                    .subscribeWith()
                    .addSubscription()
                    .topicFilter("devices/" + id + "/shadow/delta")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .applySubscription()
                    .addSubscription()
                    .topicFilter("devices/" + id + "/commands")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .applySubscription()
                    .send())
        .thenCompose(subscribed -> report(reported));
  }

  /** Goes silent: the connection is closed, as a device losing power does. */
  void disconnect() {
    try {
      client.disconnect().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(id + " could not disconnect", e);
    }
  }

  /** Publishes telemetry with QoS 1; completes when the broker acknowledged it. */
  CompletableFuture<Void> telemetry(byte[] payload) {
    return publish("devices/" + id + "/telemetry", payload);
  }

  /** The delta documents this device received. */
  List<JsonNode> deltas() {
    return deltas;
  }

  private void onMessage(Mqtt5Publish message) {
    if (message.getTopic().toString().endsWith("/commands")) {
      acknowledge(message);
      return;
    }
    try {
      JsonNode delta = ModelJson.mapper().readTree(message.getPayloadAsBytes());
      deltas.add(delta);
      ObjectNode applied = ModelJson.mapper().createObjectNode();
      delta.path("state").fields().forEachRemaining(f -> applied.set(f.getKey(), f.getValue()));
      synchronized (reported) {
        reported.setAll(applied);
      }
      report(applied);
    } catch (Exception e) {
      throw new IllegalStateException(id + " could not handle " + message, e);
    }
  }

  /** The simulator's {@code command_ack} event. */
  private void acknowledge(Mqtt5Publish message) {
    try {
      JsonNode command = ModelJson.mapper().readTree(message.getPayloadAsBytes());
      String name = command.path("name").asText();
      ObjectNode ack = ModelJson.mapper().createObjectNode();
      ack.put("deviceId", id);
      ack.put("ts", System.currentTimeMillis());
      ack.put("type", "command_ack");
      ack.put("commandId", command.path("commandId").asText());
      ack.put("name", name);
      ack.put("status", name.equals("ping") ? "done" : "unsupported");
      publish("devices/" + id + "/events", ModelJson.mapper().writeValueAsBytes(ack));
    } catch (Exception e) {
      throw new IllegalStateException(id + " could not handle " + message, e);
    }
  }

  private CompletableFuture<Void> report(ObjectNode state) {
    ObjectNode request = ModelJson.mapper().createObjectNode();
    synchronized (reported) {
      request.putObject("state").set("reported", state.deepCopy());
    }
    try {
      return publish(
          "devices/" + id + "/shadow/update", ModelJson.mapper().writeValueAsBytes(request));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private CompletableFuture<Void> publish(String topic, byte[] payload) {
    return client
        .publishWith()
        .topic(topic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .payload(payload)
        .send()
        .thenAccept(
            result ->
                result
                    .getError()
                    .ifPresent(
                        e -> {
                          throw new IllegalStateException(id + ": publish refused", e);
                        }));
  }

  @Override
  public void close() {
    client.disconnect().exceptionally(e -> null);
  }
}
