package io.fleetpulse.devstack.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Simulated devices, each with its own MQTT connection: even-numbered devices speak MQTT 5, odd
 * ones MQTT 3.1.1, so both protocol versions are always exercised.
 */
public final class MqttFleet implements AutoCloseable {

  /** User property in which MQTT 5 devices name their client id. */
  public static final String CLIENT_ID_PROPERTY = "client.id";

  private final List<Device> devices;

  private MqttFleet(List<Device> devices) {
    this.devices = devices;
  }

  /** Connects {@code count} devices named {@code prefix-000}, {@code prefix-001}, ... */
  public static MqttFleet connect(String host, int port, int count, String prefix) {
    List<Device> devices = new ArrayList<>();
    List<CompletableFuture<?>> connecting = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = String.format("%s-%03d", prefix, i);
      Device device = new Device(id, host, port, i % 2 == 0);
      devices.add(device);
      connecting.add(device.connect());
    }
    MqttFleet fleet = new MqttFleet(devices);
    try {
      CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new))
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      fleet.close();
      throw new IllegalStateException("devices could not connect to " + host + ":" + port, e);
    }
    return fleet;
  }

  public List<String> deviceIds() {
    return devices.stream().map(d -> d.id).toList();
  }

  /**
   * Each device publishes {@code perDevice} QoS 1 JSON messages of {@code payloadBytes} bytes to
   * {@code devices/{id}/{suffix}}; returns when the broker acknowledged all of them.
   */
  public List<PublishedMessage> publish(int perDevice, String suffix, int payloadBytes) {
    return publish(perDevice, suffix, payloadBytes, 0);
  }

  /**
   * Like {@link #publish(int, String, int)}, paced to about {@code perSecond} messages per second
   * in total ({@code 0}: as fast as the broker takes them).
   */
  public List<PublishedMessage> publish(
      int perDevice, String suffix, int payloadBytes, int perSecond) {
    List<PublishedMessage> published = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<?>> acks = new ArrayList<>();
    long start = System.nanoTime();
    int sent = 0;
    for (int seq = 0; seq < perDevice; seq++) {
      for (Device device : devices) {
        String topic = "devices/" + device.id + "/" + suffix;
        byte[] payload = payload(device.id, seq, payloadBytes);
        PublishedMessage message =
            new PublishedMessage(device.id, topic, payload, device.mqtt5 ? device.id : null);
        acks.add(device.publish(topic, payload).thenRun(() -> published.add(message)));
        sent++;
        if (perSecond > 0) {
          long due = start + sent * 1_000_000_000L / perSecond;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            sleepNanos(wait);
          }
        }
      }
    }
    try {
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException(
          "the broker acknowledged " + published.size() + " of " + sent + " publishes", e);
    }
    return new ArrayList<>(published);
  }

  /** A telemetry JSON document padded to exactly {@code size} bytes (when size allows). */
  public static byte[] payload(String deviceId, int seq, int size) {
    String json =
        "{\"deviceId\":\""
            + deviceId
            + "\",\"ts\":"
            + System.currentTimeMillis()
            + ",\"seq\":"
            + seq
            + ",\"metrics\":{\"temperature\":"
            + (20 + seq % 10)
            + ".5,\"battery\":"
            + (100 - seq % 100)
            + "},\"pad\":\"";
    StringBuilder sb = new StringBuilder(json);
    while (sb.length() < size - 2) {
      sb.append('x');
    }
    return sb.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    for (Device device : devices) {
      device.disconnect();
    }
  }

  private static void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One device and its connection. */
  private static final class Device {
    final String id;
    final boolean mqtt5;
    final Mqtt5AsyncClient client5;
    final Mqtt3AsyncClient client3;

    Device(String id, String host, int port, boolean mqtt5) {
      this.id = id;
      this.mqtt5 = mqtt5;
      var builder = MqttClient.builder().identifier(id).serverHost(host).serverPort(port);
      this.client5 = mqtt5 ? builder.useMqttVersion5().buildAsync() : null;
      this.client3 = mqtt5 ? null : builder.useMqttVersion3().buildAsync();
    }

    CompletableFuture<?> connect() {
      return mqtt5
          ? client5.connectWith().cleanStart(true).send()
          : client3.connectWith().cleanSession(true).send();
    }

    CompletableFuture<?> publish(String topic, byte[] payload) {
      if (!mqtt5) {
        return client3
            .publishWith()
            .topic(topic)
            .qos(MqttQos.AT_LEAST_ONCE)
            .payload(payload)
            .send();
      }
      return client5
          .publishWith()
          .topic(topic)
          .qos(MqttQos.AT_LEAST_ONCE)
          .payload(payload)
          .userProperties()
          .add(CLIENT_ID_PROPERTY, id)
          .applyUserProperties()
          .send()
          .thenApply(MqttFleet::checked);
    }

    void disconnect() {
      try {
        if (mqtt5) {
          client5.disconnect().get(10, TimeUnit.SECONDS);
        } else {
          client3.disconnect().get(10, TimeUnit.SECONDS);
        }
      } catch (Exception ignored) {
        // Already gone; nothing to release.
      }
    }
  }

  private static Mqtt5PublishResult checked(Mqtt5PublishResult result) {
    result
        .getError()
        .ifPresent(
            e -> {
              throw new IllegalStateException("publish failed", e);
            });
    return result;
  }
}
