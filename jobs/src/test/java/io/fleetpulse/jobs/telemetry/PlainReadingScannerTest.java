package io.fleetpulse.jobs.telemetry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.model.InvalidMessageException;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryParser;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PlainReadingScannerTest {

  private static final long NOW = 1_764_000_000_000L;
  private static final long SKEW = 60_000;
  private static final String TYPICAL =
      "{\"deviceId\":\"d-1\",\"ts\":"
          + (NOW - 5)
          + ",\"seq\":7,\"metrics\":{\"temperature\":21.450000000000003,\"battery\":87},"
          + "\"fw\":\"2.4.1-rc.3\"}";

  private final PlainReadingScanner scanner = new PlainReadingScanner(64 * 1024, SKEW, () -> NOW);
  private final TelemetryParser parser = new TelemetryParser(64 * 1024, SKEW, () -> NOW);

  @Test
  void theTypicalReadingIsScannedToWhatTheParserMakesOfIt() throws Exception {
    Telemetry scanned = scanner.scan(TYPICAL.getBytes(UTF_8));

    assertThat(scanned).isNotNull().isEqualTo(parser.parse(TYPICAL.getBytes(UTF_8)));
    assertThat(scanned.getMetrics()).containsEntry("temperature", 21.450000000000003);
  }

  @Test
  void aDevicesMetricNamesAreTheSameStringsFromMessageToMessage() {
    Telemetry first = scanner.scan(TYPICAL.getBytes(UTF_8));
    Telemetry second = scanner.scan(TYPICAL.getBytes(UTF_8));

    String name = first.getMetrics().keySet().iterator().next();
    assertThat(second.getMetrics().keySet()).anySatisfy(n -> assertThat(n).isSameAs(name));
  }

  @Test
  void aDeviceIdIsTheSameStringFromMessageToMessageAndNeverMistakenForAnother() {
    String other = TYPICAL.replace("\"deviceId\":\"", "\"deviceId\":\"x");
    Telemetry first = scanner.scan(TYPICAL.getBytes(UTF_8));
    Telemetry second = scanner.scan(other.getBytes(UTF_8));
    Telemetry third = scanner.scan(TYPICAL.getBytes(UTF_8));

    assertThat(second.getDeviceId()).isEqualTo("x" + first.getDeviceId());
    assertThat(third.getDeviceId()).isSameAs(first.getDeviceId());
  }

  @Test
  void theCacheHashOfBytesCoversEveryByte() {
    byte[] a = "fleetpulse-bench-device-00017".getBytes(UTF_8);
    byte[] b = "fleetpulse-bench-device-00018".getBytes(UTF_8);
    byte[] c = "fleetpulse-bench-xevice-00017".getBytes(UTF_8);

    int h = PlainReadingScanner.bytesHash(a, 0, a.length);
    assertThat(PlainReadingScanner.bytesHash(b, 0, b.length)).isNotEqualTo(h);
    assertThat(PlainReadingScanner.bytesHash(c, 0, c.length)).isNotEqualTo(h);
    assertThat(PlainReadingScanner.bytesHash(a, 0, 5)).isNotEqualTo(h);
  }

  @Test
  void everyUnusualOrInvalidMessageIsLeftToTheParser() {
    List<String> leftToParser =
        List.of(
            "{\"deviceId\":\"d-1\",\"records\":[{\"ts\":" + NOW + ",\"metrics\":{\"t\":1}}]}",
            "{\"deviceId\":\"d\\u002d1\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1}}",
            "{\"deviceId\":\"d-1\",\"ts\":\"2025-11-28T12:00:00Z\",\"metrics\":{\"t\":1}}",
            "{\"deviceId\":\"d-1\",\"ts\":" + NOW + ",\"metrics\":{}}",
            "{\"deviceId\":\"d-1\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1,\"t\":2}}",
            "{\"deviceId\":\"d-1\",\"ts\":" + NOW + ",\"ts\":" + NOW + ",\"metrics\":{\"t\":1}}",
            "{\"deviceId\":\"d-1\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1e400}}",
            "{\"deviceId\":\"d-1\",\"ts\":" + NOW + ",\"metrics\":{\"t\\\\\":1}}",
            "{\"deviceId\":\"d-1\",\"ts\":" + NOW + ",\"metrics\":{\"t\":01}}",
            "{\"deviceId\":\"d-1\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1.}}",
            "{\"deviceId\":\"d-1\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1},}",
            "{\"deviceId\":\"d-1\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1}} x",
            "{\"deviceId\":\"d-1\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1},\"x\":{\"y\":1}}",
            "{\"deviceId\":\"d-1\",\"ts\":" + (NOW + SKEW + 1) + ",\"metrics\":{\"t\":1}}",
            "{\"deviceId\":\"d-1\",\"ts\":1764000000,\"metrics\":{\"t\":1}}",
            "{\"deviceId\":\"d-1\",\"ts\":"
                + NOW
                + ",\"seq\":12345678901234567890,"
                + "\"metrics\":{\"t\":1}}",
            "{\"deviceId\":\"d-1\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1},\"fw\":\"é\"}",
            "{\"deviceId\":\"" + "d".repeat(129) + "\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1}}",
            "{\"ts\":" + NOW + ",\"metrics\":{\"t\":1}}",
            "\uFEFF{\"deviceId\":\"d-1\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1}}",
            "[]",
            "");

    assertThat(leftToParser)
        .allSatisfy(json -> assertThat(scanner.scan(json.getBytes(UTF_8))).as(json).isNull());
  }

  @Test
  void whateverItAcceptsEqualsTheParsersResult_overRandomMutationsOfValidMessages()
      throws Exception {
    Random random = new Random(20261202);
    byte[] alphabet = "{}[]\":,.-+eE0123456789 \ttrufalsn\\xé".getBytes(UTF_8);
    int accepted = 0;
    for (int round = 0; round < 20_000; round++) {
      byte[] json = randomReading(random).getBytes(UTF_8);
      int mutations = random.nextInt(3);
      for (int m = 0; m < mutations; m++) {
        json[random.nextInt(json.length)] = alphabet[random.nextInt(alphabet.length)];
      }
      Telemetry scanned = scanner.scan(json);
      if (scanned == null) {
        continue;
      }
      accepted++;
      Telemetry parsed;
      try {
        parsed = parser.parse(json);
      } catch (InvalidMessageException e) {
        throw new AssertionError("scanned what the parser refuses: " + new String(json, UTF_8), e);
      }
      assertThat(scanned).as(new String(json, UTF_8)).isEqualTo(parsed);
      // Bit for bit: -0.0 and 0.0 are equal as Doubles only by their bits, which equals() uses.
      assertThat(scanned.getMetrics()).isEqualTo(parsed.getMetrics());
    }
    assertThat(accepted).isGreaterThan(5_000);
  }

  private static String randomReading(Random r) {
    StringBuilder s = new StringBuilder("{");
    String ws = r.nextInt(4) == 0 ? " \n" : "";
    s.append("\"deviceId\"")
        .append(ws)
        .append(':')
        .append("\"dev-")
        .append(r.nextInt(50))
        .append('"');
    s.append(",\"ts\":").append(NOW - r.nextInt(1_000_000));
    if (r.nextBoolean()) {
      s.append(",\"seq\":").append(r.nextInt(1000) - 10);
    }
    s.append(",").append(ws).append("\"metrics\":{");
    int metrics = 1 + r.nextInt(4);
    for (int m = 0; m < metrics; m++) {
      if (m > 0) {
        s.append(',');
      }
      s.append("\"m").append(m).append("\":").append(randomNumber(r));
    }
    s.append('}');
    if (r.nextBoolean()) {
      s.append(",\"fw\":\"2.4.").append(r.nextInt(9)).append("\",\"ok\":true,\"n\":null");
    }
    return s.append(ws).append('}').toString();
  }

  private static String randomNumber(Random r) {
    switch (r.nextInt(6)) {
      case 0:
        return Long.toString(r.nextLong() >> r.nextInt(64));
      case 1:
        return Double.toString(Double.longBitsToDouble(r.nextLong()));
      case 2:
        return Double.toString(r.nextDouble() * 1000);
      case 3:
        return String.format(java.util.Locale.ROOT, "%.3e", r.nextGaussian() * 1e10);
      case 4:
        return r.nextBoolean() ? "-0.0" : "-0";
      default:
        return (r.nextInt(200) - 100) + "." + r.nextInt(100);
    }
  }
}
