package io.fleetpulse.bench.telemetry;

import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.ModelJson;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's input: deterministic telemetry of a fleet, as the bridge writes it to Kafka (key
 * = device id, value = the device's JSON), and the fleet's registry entries.
 *
 * <p>Each device reports every {@link #STEP_MS} ms of event time (device {@code d} offset by {@code
 * d} ms), with two metrics, a sequence number and its firmware version: about 175 bytes of JSON.
 */
public final class BenchTelemetry {

  static final String TOPIC = "bench.telemetry.raw";
  static final String DEVICES_TOPIC = "bench.devices";
  static final int PARTITIONS = 8;

  /** 2025-11-28T12:00:00Z. */
  static final long T0 = 1_764_331_200_000L;

  static final long STEP_MS = 10_000;

  /** Metrics per reading; the job emits one aggregate per device, metric and window. */
  static final int METRICS = 2;

  private BenchTelemetry() {}

  static String deviceId(int device) {
    return String.format(Locale.ROOT, "fleetpulse-bench-device-%05d", device);
  }

  /** The JSON a device sends for its reading number {@code seq}. */
  static byte[] json(int device, long seq) {
    long ts = T0 + seq * STEP_MS + device;
    // Values with the precision a float sensor reading has after conversion to decimal.
    double temperature = 15 + ((device * 7L + seq * 3) % 400) * 0.0512345678901;
    double battery = 100 - (seq % 500) * 0.1234567;
    String s =
        "{\"deviceId\":\""
            + deviceId(device)
            + "\",\"ts\":"
            + ts
            + ",\"seq\":"
            + seq
            + ",\"metrics\":{\"temperature\":"
            + temperature
            + ",\"battery\":"
            + battery
            + "},\"fw\":\"2.4."
            + (device % 7)
            + "-rc.3+build.20251128.b55"
            + (device % 100)
            + "\"}";
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Creates the telemetry topic ({@link #PARTITIONS} partitions) and the compacted registry. */
  static void createTopics(String bootstrap) {
    KafkaTestClient client = new KafkaTestClient(bootstrap);
    client.createTopics(PARTITIONS, TOPIC);
    client.createTopics(1, Map.of("cleanup.policy", "compact"), DEVICES_TOPIC);
  }

  /**
   * Writes {@code records} telemetry records (round-robin over {@code devices}, event time
   * advancing) and one registry entry per device; returns the payload bytes.
   */
  static long produce(String bootstrap, int records, int devices) {
    AtomicReference<Exception> failure = new AtomicReference<>();
    AtomicLong bytes = new AtomicLong();
    try (KafkaProducer<byte[], byte[]> producer = fastProducer(bootstrap)) {
      for (int d = 0; d < devices; d++) {
        Device device = new Device();
        device.setDeviceId(deviceId(d));
        device.setType(d % 3 == 0 ? "truck" : "van");
        device.setSite("site-" + (d % 20));
        device.setFirmware("2.4." + (d % 7));
        device.setStatus(DeviceStatus.ACTIVE);
        producer.send(
            new ProducerRecord<>(
                DEVICES_TOPIC,
                device.getDeviceId().getBytes(StandardCharsets.UTF_8),
                ModelJson.toBytes(device)),
            (meta, e) -> failure.compareAndSet(null, e));
      }
      for (int i = 0; i < records; i++) {
        int device = i % devices;
        long seq = i / devices;
        byte[] value = json(device, seq);
        bytes.addAndGet(value.length);
        producer.send(
            new ProducerRecord<>(TOPIC, deviceId(device).getBytes(StandardCharsets.UTF_8), value),
            (meta, e) -> failure.compareAndSet(null, e));
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("producing the benchmark input failed", failure.get());
    }
    return bytes.get();
  }

  /** A producer for filling benchmark topics fast (acks=1, lz4, large batches). */
  public static KafkaProducer<byte[], byte[]> fastProducer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L * 1024 * 1024));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }
}
