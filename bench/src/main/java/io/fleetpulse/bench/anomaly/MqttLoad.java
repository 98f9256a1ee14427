package io.fleetpulse.bench.anomaly;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Paced QoS 1 telemetry of many devices over a pool of MQTT connections (as gateways publish for
 * the devices behind them), on one thread of its own: the background load of the latency benchmark.
 * Each device reports every {@code devices / perSecond} seconds; its temperature alternates between
 * two values inside every rule's bounds, so the load itself raises no alert.
 */
final class MqttLoad implements AutoCloseable {

  private final List<Mqtt5AsyncClient> clients = new ArrayList<>();
  private final int devices;
  private final int perSecond;
  private final String prefix;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean running = true;

  private MqttLoad(String host, int port, int connections, int devices, int perSecond, String id) {
    this.devices = devices;
    this.perSecond = perSecond;
    this.prefix = id;
    List<CompletableFuture<?>> connecting = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      Mqtt5AsyncClient client =
          MqttClient.builder()
              .useMqttVersion5()
              .identifier(String.format(Locale.ROOT, "%s-gw-%03d", id, i))
              .serverHost(host)
              .serverPort(port)
              .buildAsync();
      clients.add(client);
      connecting.add(client.connectWith().cleanStart(true).send());
    }
    try {
      CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new))
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      close();
      throw new IllegalStateException("load connections could not connect", e);
    }
    thread = new Thread(this::run, "anomaly-bench-load");
    thread.setDaemon(true);
  }

  /** Connects and starts publishing {@code perSecond} messages/s over {@code devices} devices. */
  static MqttLoad start(
      String host, int port, int connections, int devices, int perSecond, String id) {
    MqttLoad load = new MqttLoad(host, port, connections, devices, perSecond, id);
    load.thread.start();
    return load;
  }

  static String deviceId(String prefix, int device) {
    return String.format(Locale.ROOT, "%s-dev-%05d", prefix, device);
  }

  /** One reading as the bridge's devices send it. */
  static byte[] reading(String deviceId, long ts, long seq, double temperature, Double battery) {
    String json =
        "{\"deviceId\":\""
            + deviceId
            + "\",\"ts\":"
            + ts
            + ",\"seq\":"
            + seq
            + ",\"metrics\":{\"temperature\":"
            + temperature
            + (battery == null ? "" : ",\"battery\":" + battery)
            + "}}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private void run() {
    long start = System.nanoTime();
    long n = 0;
    while (running) {
      long due = (System.nanoTime() - start) * perSecond / 1_000_000_000L;
      for (; n < due && running; n++) {
        int device = (int) (n % devices);
        long seq = n / devices;
        String id = deviceId(prefix, device);
        byte[] payload =
            reading(id, System.currentTimeMillis(), seq, 20 + device % 10 + (seq % 2) * 0.5, 90.0);
        clients
            .get(device % clients.size())
            .publishWith()
            .topic("devices/" + id + "/telemetry")
            .qos(MqttQos.AT_LEAST_ONCE)
            .payload(payload)
            .send()
            .whenComplete(
                (result, error) -> {
                  if (error != null) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, error);
                  }
                });
        sent.incrementAndGet();
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Messages handed to the clients so far. */
  long sent() {
    return sent.get();
  }

  /** Publishes that failed; the first failure is in the exception of {@link #check()}. */
  void check() {
    if (failed.get() > 0) {
      throw new IllegalStateException(
          failed.get() + " background publishes failed", firstFailure.get());
    }
  }

  @Override
  public void close() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Mqtt5AsyncClient client : clients) {
      try {
        client.disconnect().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // Already gone; nothing to release.
      }
    }
  }
}
