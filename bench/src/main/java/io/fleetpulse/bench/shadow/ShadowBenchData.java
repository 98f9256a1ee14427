package io.fleetpulse.bench.shadow;

import io.fleetpulse.bench.telemetry.BenchTelemetry;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The benchmark's shadow update requests, the same on every run. */
final class ShadowBenchData {

  private ShadowBenchData() {}

  static String deviceId(int device) {
    return String.format(Locale.ROOT, "dev-%07d", device);
  }

  /**
   * Update {@code pass} of {@code device}: pass 0 creates the shadow with a full reported state,
   * odd passes change desired (a delta), even passes report it back (the delta empties).
   */
  static byte[] update(int device, int pass, long seq) {
    String s;
    if (pass == 0) {
      s =
          String.format(
              Locale.ROOT,
              "{\"state\":{\"reported\":{\"temp\":%.1f,\"battery\":%d,\"fw\":\"2.4.%d\","
                  + "\"led\":\"off\",\"interval\":30,\"loc\":{\"lat\":%.4f,\"lon\":%.4f}}},"
                  + "\"clientToken\":\"b-%d\"}",
              15 + device % 200 / 10.0,
              device % 100,
              device % 7,
              48 + device % 1000 / 1000.0,
              11 + device % 977 / 1000.0,
              seq);
    } else if (pass % 2 == 1) {
      s =
          String.format(
              Locale.ROOT,
              "{\"state\":{\"desired\":{\"led\":\"%s\",\"interval\":%d}},\"clientToken\":\"b-%d\"}",
              pass % 4 == 1 ? "on" : "off",
              30 + pass,
              seq);
    } else {
      s =
          String.format(
              Locale.ROOT,
              "{\"state\":{\"reported\":{\"temp\":%.1f,\"led\":\"%s\",\"interval\":%d}},"
                  + "\"clientToken\":\"b-%d\"}",
              16 + device % 200 / 10.0,
              (pass - 1) % 4 == 1 ? "on" : "off",
              30 + pass - 1,
              seq);
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A small reported change, tagged with {@code lat-j} so its accepted response can be timed. */
  static byte[] paced(int device, int j) {
    return String.format(
            Locale.ROOT,
            "{\"state\":{\"reported\":{\"temp\":%.1f}},\"clientToken\":\"lat-%d\"}",
            20 + (j % 50) / 10.0,
            j)
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Writes {@code passes} updates of each of {@code devices} devices to {@code topic}, pass by pass
   * (every device is created before any is updated again); returns the payload bytes.
   */
  static long produce(String bootstrap, String topic, int devices, int passes) {
    AtomicReference<Exception> failure = new AtomicReference<>();
    long bytes = 0;
    try (KafkaProducer<byte[], byte[]> producer = BenchTelemetry.fastProducer(bootstrap)) {
      long seq = 0;
      for (int pass = 0; pass < passes; pass++) {
        for (int d = 0; d < devices; d++) {
          byte[] value = update(d, pass, seq++);
          bytes += value.length;
          producer.send(
              new ProducerRecord<>(topic, deviceId(d).getBytes(StandardCharsets.UTF_8), value),
              (meta, e) -> failure.compareAndSet(null, e));
        }
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("producing the benchmark input failed", failure.get());
    }
    return bytes;
  }
}
