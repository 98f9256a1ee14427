package io.fleetpulse.devstack.fleet;

import io.fleetpulse.model.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Malformed telemetry of every kind the pipeline must reject, each with the reason it should get.
 */
public final class MalformedTelemetry {

  /** One malformed message: the Kafka key, the payload, and the reason it must be rejected for. */
  public record Sample(String key, byte[] payload, RejectReason reason) {}

  private MalformedTelemetry() {}

  /**
   * {@code count} malformed messages cycling through every kind; {@code ts} is a valid event time
   * used where only another field is wrong, and {@code n} makes each payload unique.
   */
  public static List<Sample> samples(int count, long ts) {
    List<Sample> out = new ArrayList<>(count);
    for (int n = 0; n < count; n++) {
      out.add(sample(n, ts));
    }
    return out;
  }

  private static Sample sample(int n, long ts) {
    String dev = "bad-" + n;
    String metrics = "{\"temperature\":" + n + "}";
    switch (n % 13) {
      case 0:
        return of(dev, "{\"deviceId\":\"" + dev + "\",", RejectReason.NOT_JSON);
      case 1:
        return of(
            dev,
            "{\"ts\":" + ts + ",\"n\":" + n + ",\"metrics\":" + metrics + "}",
            RejectReason.MISSING_DEVICE_ID);
      case 2:
        return of(
            null, json("dev/" + n, String.valueOf(ts), metrics), RejectReason.INVALID_DEVICE_ID);
      case 3:
        return of(
            null,
            json("d" + "x".repeat(128) + n, String.valueOf(ts), metrics),
            RejectReason.INVALID_DEVICE_ID);
      case 4:
        return of(
            dev,
            "{\"deviceId\":\"" + dev + "\",\"metrics\":" + metrics + "}",
            RejectReason.MISSING_TS);
      case 5:
        return of(dev, json(dev, "\"yesterday\"", metrics), RejectReason.INVALID_TS);
      case 6:
        return of(
            dev,
            json(dev, String.valueOf(ts + 400L * 24 * 3600 * 1000), metrics),
            RejectReason.TS_IN_FUTURE);
      case 7:
        return of(dev, json(dev, String.valueOf(ts / 1000), metrics), RejectReason.TS_TOO_OLD);
      case 8:
        return of(dev, json(dev, String.valueOf(ts), "{}"), RejectReason.NO_METRICS);
      case 9:
        return of(
            dev,
            json(dev, String.valueOf(ts), "{\"temperature\":\"hot\"}"),
            RejectReason.INVALID_METRIC);
      case 10:
        return of(
            dev,
            json(dev, String.valueOf(ts), "{\"temperature\":1e999}"),
            RejectReason.INVALID_METRIC);
      case 11:
        return of(
            dev,
            json(dev, String.valueOf(ts), "{\"blob\":1,\"pad\":\"" + "x".repeat(70_000) + "\"}"),
            RejectReason.PAYLOAD_TOO_LARGE);
      default:
        return of(
            "other-" + n, json(dev, String.valueOf(ts), metrics), RejectReason.DEVICE_ID_MISMATCH);
    }
  }

  private static String json(String deviceId, String ts, String metrics) {
    return "{\"deviceId\":\"" + deviceId + "\",\"ts\":" + ts + ",\"metrics\":" + metrics + "}";
  }

  private static Sample of(String key, String payload, RejectReason reason) {
    return new Sample(key, payload.getBytes(StandardCharsets.UTF_8), reason);
  }
}
