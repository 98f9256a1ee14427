package io.fleetpulse.devstack.fleet;

import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A deterministic fleet of simulated devices: the same device, time and sequence number always give
 * the same reading, so tests can compute the exact expected results.
 *
 * <p>Values are multiples of 0.5, so sums are exact in floating point whatever order they are added
 * in.
 */
public final class SimulatedFleet {

  private final List<String> deviceIds = new ArrayList<>();

  public SimulatedFleet(int devices, String idPrefix) {
    for (int i = 0; i < devices; i++) {
      deviceIds.add(idPrefix + "-" + i);
    }
  }

  public List<String> deviceIds() {
    return deviceIds;
  }

  /** The reading of device number {@code device} at event time {@code ts} with {@code seq}. */
  public Telemetry reading(int device, long ts, long seq) {
    double temperature = 15 + ((device * 7 + seq * 3) % 40) * 0.5;
    double battery = 100 - (seq % 50);
    return new Telemetry(
        deviceIds.get(device), ts, seq, Map.of("temperature", temperature, "battery", battery));
  }

  /**
   * {@code perDevice} readings of every device, one every {@code stepMs} from {@code fromTs};
   * device {@code i} is offset by {@code i} ms so that no two readings of a device share a time.
   */
  public List<Telemetry> readings(long fromTs, long stepMs, int perDevice) {
    return readings(fromTs, stepMs, perDevice, 0);
  }

  /** {@link #readings(long, long, int)} numbered from {@code firstSeq}, as a later batch. */
  public List<Telemetry> readings(long fromTs, long stepMs, int perDevice, long firstSeq) {
    List<Telemetry> out = new ArrayList<>(deviceIds.size() * perDevice);
    for (int i = 0; i < perDevice; i++) {
      for (int d = 0; d < deviceIds.size(); d++) {
        out.add(reading(d, fromTs + i * stepMs + d, firstSeq + i));
      }
    }
    return out;
  }

  /** The Kafka record the bridge would write for {@code telemetry}: keyed by device, JSON value. */
  public static ProducerRecord<byte[], byte[]> toRecord(String topic, Telemetry telemetry) {
    return new ProducerRecord<>(
        topic,
        telemetry.getDeviceId().getBytes(StandardCharsets.UTF_8),
        ModelJson.toBytes(telemetry));
  }
}
