package io.fleetpulse.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.connectors.mqtt.MqttBridge;
import io.fleetpulse.connectors.mqtt.MqttBridgeConfig;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.kafka.EmbeddedKafka;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MqttFleet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Bridge throughput next to the broker alone, measured in the same run: 100 publishers send QoS 1
 * JSON messages of 200 bytes; the broker-alone rate counts them at a plain QoS 1 subscriber, the
 * bridge rate counts them acknowledged in Kafka ({@code acks=all}). Rounds alternate between the
 * two, after one warm-up round of each.
 */
public final class BridgeThroughputBench {

  private static final String TOPIC = "bench.telemetry.raw";

  private final int devices;
  private final int perDevice;
  private final int rounds;
  private final Path out;
  private final Map<String, String> bridgeOverrides;
  private String loadBefore;

  private static final ConfigOption<Integer> DEVICES =
      ConfigOption.key("devices").intType().positive().defaultValue(100).description("publishers");
  private static final ConfigOption<Integer> PER_DEVICE =
      ConfigOption.key("messages-per-device")
          .intType()
          .positive()
          .defaultValue(500)
          .description("messages each publisher sends per round");
  private static final ConfigOption<Integer> ROUNDS =
      ConfigOption.key("rounds")
          .intType()
          .positive()
          .defaultValue(5)
          .description("measured rounds of each kind");
  private static final ConfigOption<String> OUT =
      ConfigOption.key("out").stringType().description("report file");
  private static final OptionSet OPTIONS =
      OptionSet.builder()
          .add(DEVICES, PER_DEVICE, ROUNDS, OUT)
          .prefix("bridge.", "bridge settings for the measured bridge")
          .build();

  private BridgeThroughputBench(Settings settings) {
    bridgeOverrides = settings.withPrefix("bridge.");
    devices = settings.get(DEVICES);
    perDevice = settings.get(PER_DEVICE);
    rounds = settings.get(ROUNDS);
    out = Path.of(settings.getOrElse(OUT, "bench/results/" + LocalDate.now() + ".md"));
  }

  public static void main(String[] args) throws Exception {
    Settings settings = Settings.load(args, Map.of(), OPTIONS);
    new BridgeThroughputBench(settings).run();
    System.exit(0);
  }

  private void run() throws Exception {
    loadBefore = loadAverage();
    int total = devices * perDevice;
    List<Double> brokerRates = new ArrayList<>();
    List<Double> bridgeRates = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(BuildDirs.fresh("bench-kafka"));
        MosquittoBroker broker = MosquittoBroker.start(BuildDirs.fresh("bench-mosquitto"));
        MqttFleet fleet = MqttFleet.connect(broker.host(), broker.port(), devices, "bench")) {
      new KafkaTestClient(kafka.bootstrapServers()).createTopics(4, TOPIC);
      awaitLeaders(kafka);
      for (int round = 0; round <= rounds; round++) {
        double alone = brokerAlone(broker, fleet, total);
        double bridged = bridge(broker, kafka, fleet, total, round);
        String kind = round == 0 ? "warm-up" : "round " + round;
        System.out.printf(
            "%s: broker alone %.0f msg/s, bridge %.0f msg/s (%.0f%%)%n",
            kind, alone, bridged, 100 * bridged / alone);
        if (round > 0) {
          brokerRates.add(alone);
          bridgeRates.add(bridged);
        }
      }
    }
    write(brokerRates, bridgeRates, total);
  }

  /** Messages per second from the first publish until a plain subscriber had them all. */
  private double brokerAlone(MosquittoBroker broker, MqttFleet fleet, int total) throws Exception {
    Mqtt5AsyncClient subscriber =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier("bench-subscriber")
            .serverHost(broker.host())
            .serverPort(broker.port())
            .buildAsync();
    AtomicInteger received = new AtomicInteger();
    subscriber.publishes(MqttGlobalPublishFilter.ALL, p -> received.incrementAndGet());
    subscriber.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
    subscriber
        .subscribeWith()
        .topicFilter("devices/+/telemetry")
        .qos(MqttQos.AT_LEAST_ONCE)
        .send()
        .get(10, TimeUnit.SECONDS);
    try {
      fleet.publish(1, "telemetry", 200);
      await(() -> received.get() >= devices);
      received.set(0);
      long start = System.nanoTime();
      fleet.publish(perDevice, "telemetry", 200);
      await(() -> received.get() >= total);
      return total / seconds(start);
    } finally {
      subscriber.disconnect().get(10, TimeUnit.SECONDS);
    }
  }

  /** Messages per second from the first publish until Kafka acknowledged them all. */
  private double bridge(
      MosquittoBroker broker, EmbeddedKafka kafka, MqttFleet fleet, int total, int round)
      throws Exception {
    Map<String, String> settings =
        benchBridgeSettings(broker, kafka.bootstrapServers(), String.valueOf(round), TOPIC);
    settings.putAll(bridgeOverrides);
    try (KafkaConsumer<byte[], byte[]> offsets = offsetReader(kafka);
        MqttBridge bridge =
            MqttBridge.builder()
                .config(MqttBridgeConfig.from(Settings.of(settings, MqttBridgeConfig.OPTIONS)))
                .build()) {
      bridge.start();
      await(bridge::healthy);
      List<TopicPartition> partitions =
          offsets.partitionsFor(TOPIC).stream()
              .map(p -> new TopicPartition(TOPIC, p.partition()))
              .collect(Collectors.toList());
      // One message per device first, so that producer metadata and connections are in place.
      long warm = sum(offsets.endOffsets(partitions));
      fleet.publish(1, "telemetry", 200);
      await(() -> sum(offsets.endOffsets(partitions)) - warm >= devices);
      long before = sum(offsets.endOffsets(partitions));
      long start = System.nanoTime();
      fleet.publish(perDevice, "telemetry", 200);
      await(() -> sum(offsets.endOffsets(partitions)) - before >= total);
      return total / seconds(start);
    }
  }

  /**
   * Settings of a benchmark's bridge: uplink of {@code devices/{deviceId}/telemetry} to {@code
   * topic}, no downlink, no HTTP port.
   */
  public static Map<String, String> benchBridgeSettings(
      MosquittoBroker broker, String bootstrap, String run, String topic) {
    Map<String, String> settings = new HashMap<>();
    settings.put("mqtt.host", broker.host());
    settings.put("mqtt.port", String.valueOf(broker.port()));
    // A new identity and group per run, and short sessions: an earlier run's session must not
    // take a share of this run's messages.
    settings.put("mqtt.client-id", "bench-bridge-" + run);
    settings.put("mqtt.shared-group", "bench-" + run);
    settings.put("mqtt.session-expiry", "1s");
    // Mosquitto 2.0.11 overruns a receive maximum below the load (see the bridge README, Memory).
    settings.put("mqtt.receive-maximum", "65535");
    settings.put("kafka.bootstrap.servers", bootstrap);
    settings.put("uplink.routes", "devices/{deviceId}/telemetry=" + topic);
    settings.put("downlink.enabled", "false");
    settings.put("http.port", "-1");
    return settings;
  }

  /** Waits until every partition's leader serves requests, before anything writes to them. */
  private static void awaitLeaders(EmbeddedKafka kafka) throws InterruptedException {
    try (KafkaConsumer<byte[], byte[]> offsets = offsetReader(kafka)) {
      List<TopicPartition> partitions =
          offsets.partitionsFor(TOPIC).stream()
              .map(p -> new TopicPartition(TOPIC, p.partition()))
              .collect(Collectors.toList());
      await(
          () -> {
            try {
              offsets.endOffsets(partitions, Duration.ofSeconds(2));
              return true;
            } catch (RuntimeException notYet) {
              return false;
            }
          });
    }
  }

  private static KafkaConsumer<byte[], byte[]> offsetReader(EmbeddedKafka kafka) {
    return new KafkaConsumer<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  private static long sum(Map<TopicPartition, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("benchmark round did not finish within 3 minutes");
      }
      Thread.sleep(5);
    }
  }

  private void write(List<Double> broker, List<Double> bridge, int total) throws IOException {
    Stats b = Stats.of(broker);
    Stats r = Stats.of(bridge);
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark results ").append(LocalDate.now()).append("\n\n");
    md.append("## MQTT bridge throughput vs broker alone\n\n");
    md.append(
        String.format(
            "%d publishers (half MQTT 5, half MQTT 3.1.1), %d QoS 1 messages of 200 bytes (JSON)"
                + " per round, %d rounds after one warm-up round of each, alternating.%n"
                + "Broker alone: a plain QoS 1 subscriber counts them. Bridge: counted when Kafka"
                + " acknowledged them (acks=all, idempotent producer, lz4), the bridge"
                + " acknowledging each to the broker only after that.%n%n",
            devices, total, broker.size()));
    md.append("| | median msg/s | min | max |\n|---|---|---|---|\n");
    md.append(String.format("| broker alone | %.0f | %.0f | %.0f |%n", b.median, b.min, b.max));
    md.append(String.format("| bridge | %.0f | %.0f | %.0f |%n", r.median, r.min, r.max));
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < broker.size(); i++) {
      ratios.add(bridge.get(i) / broker.get(i));
    }
    Stats q = Stats.of(ratios);
    md.append(
        String.format(
            "%nBridge / broker alone: **%.0f%%** of the median rates; per round (each bridge round"
                + " next to the broker-alone round before it) median %.0f%%, min %.0f%%, max %.0f%%"
                + " (target: at least 80%%).%n",
            100 * r.median / b.median, 100 * q.median, 100 * q.min, 100 * q.max));
    if (!bridgeOverrides.isEmpty()) {
      md.append(
          String.format("%nBridge settings changed from the defaults: %s%n", bridgeOverrides));
    }
    md.append(String.format("%nRounds, broker alone: %s%n", rounded(broker)));
    md.append(String.format("Rounds, bridge: %s%n", rounded(bridge)));
    md.append(
        String.format(
            "%nLoad average (1, 5, 15 min) before: %s; after: %s. The machine is shared, so rounds"
                + " vary; compare rounds, not single numbers.%n",
            loadBefore, loadAverage()));
    md.append(
        String.format(
            "%nMachine: %d cores, Java %s, %s; Mosquitto %s from apt; Kafka 3.4 (KRaft) in the"
                + " benchmark's JVM, which also runs the publishers and the bridge.%n",
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            System.getProperty("os.name"),
            mosquittoVersion()));
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
    System.out.println(md);
    System.out.println("written to " + out);
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + ", " + parts[1] + ", " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String rounded(List<Double> rates) {
    return rates.stream().map(r -> String.format("%.0f", r)).collect(Collectors.joining(", "));
  }

  /** The first line of {@code mosquitto -h}: its version. */
  public static String mosquittoVersion() {
    try {
      Process p =
          new ProcessBuilder(MosquittoBroker.binary(), "-h").redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(5, TimeUnit.SECONDS);
      return text.lines().findFirst().orElse("?").replace("mosquitto version ", "");
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  /** Median, minimum and maximum of some rates. */
  private record Stats(double median, double min, double max) {
    static Stats of(List<Double> values) {
      List<Double> sorted = new ArrayList<>(values);
      Collections.sort(sorted);
      int n = sorted.size();
      double median =
          n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
      return new Stats(median, sorted.get(0), sorted.get(n - 1));
    }
  }
}
