package io.fleetpulse.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TelemetryParserTest {

  /** 2025-11-28T12:00:00Z: a fixed "now" so that the future check does not depend on the clock. */
  private static final long NOW = 1_764_331_200_000L;

  private static final long DAY_MS = 24L * 60 * 60 * 1000;

  private final TelemetryParser parser =
      new TelemetryParser(
          TelemetryParser.DEFAULT_MAX_PAYLOAD_BYTES,
          TelemetryParser.DEFAULT_MAX_FUTURE_SKEW_MS,
          () -> NOW);

  // --- rejections -------------------------------------------------------------------------------

  @Test
  void rejectsPayloadOverDefault64KiBLimit() {
    byte[] payload = padded(64 * 1024 + 1);

    InvalidMessageException e = reject(new TelemetryParser(), payload);

    assertThat(e.reason()).isEqualTo(RejectReason.PAYLOAD_TOO_LARGE);
    assertThat(e).hasMessageContaining("payload").hasMessageContaining("65537 bytes");
    assertThat(e).hasMessageContaining("65536");
  }

  @Test
  void acceptsPayloadOfExactly64KiB() throws InvalidMessageException {
    Telemetry t = parser.parse(padded(64 * 1024));

    assertThat(t.getDeviceId()).isEqualTo("s-42");
  }

  @Test
  void rejectsEmptyPayload() {
    InvalidMessageException e = reject(new byte[0]);

    assertThat(e.reason()).isEqualTo(RejectReason.NOT_JSON);
    assertThat(e).hasMessageContaining("payload is empty");
  }

  @Test
  void rejectsNullPayload() {
    InvalidMessageException e = reject((byte[]) null);

    assertThat(e.reason()).isEqualTo(RejectReason.NOT_JSON);
    assertThat(e).hasMessageContaining("payload is empty");
  }

  @Test
  void rejectsPayloadThatIsNotJson() {
    InvalidMessageException e = reject("temperature=21.7");

    assertThat(e.reason()).isEqualTo(RejectReason.NOT_JSON);
    assertThat(e).hasMessageContaining("payload is not valid JSON");
  }

  @Test
  void rejectsJsonArrayInsteadOfObject() {
    InvalidMessageException e =
        reject("[{\"deviceId\":\"s-42\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1}}]");

    assertThat(e.reason()).isEqualTo(RejectReason.NOT_JSON);
    assertThat(e).hasMessageContaining("payload is not a JSON object");
  }

  @Test
  void rejectsTrailingGarbageAfterObject() {
    InvalidMessageException e =
        reject("{\"deviceId\":\"s-42\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1}}garbage");

    assertThat(e.reason()).isEqualTo(RejectReason.NOT_JSON);
    assertThat(e).hasMessageContaining("payload is not valid JSON");
  }

  @Test
  void rejectsSecondObjectAfterFirst() {
    String one = "{\"deviceId\":\"s-42\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1}}";

    InvalidMessageException e = reject(one + " " + one);

    assertThat(e.reason()).isEqualTo(RejectReason.NOT_JSON);
    assertThat(e).hasMessageContaining("unexpected content after the JSON object");
  }

  @Test
  void rejectsTruncatedObject() {
    InvalidMessageException e = reject("{\"deviceId\":\"s-42\",\"ts\":" + NOW);

    assertThat(e.reason()).isEqualTo(RejectReason.NOT_JSON);
    assertThat(e).hasMessageContaining("payload is not valid JSON");
  }

  @Test
  void rejectsMissingDeviceId() {
    InvalidMessageException e = reject("{\"ts\":" + NOW + ",\"metrics\":{\"t\":1}}");

    assertThat(e.reason()).isEqualTo(RejectReason.MISSING_DEVICE_ID);
    assertThat(e).hasMessageContaining("deviceId");
  }

  @Test
  void rejectsDeviceIdWithSlash() {
    InvalidMessageException e = reject(json("\"s/42\"", Long.toString(NOW), "{\"t\":1}"));

    assertThat(e.reason()).isEqualTo(RejectReason.INVALID_DEVICE_ID);
    assertThat(e).hasMessageContaining("deviceId").hasMessageContaining("'/' at position 1");
  }

  @Test
  void rejectsNumericDeviceId() {
    InvalidMessageException e = reject(json("42", Long.toString(NOW), "{\"t\":1}"));

    assertThat(e.reason()).isEqualTo(RejectReason.INVALID_DEVICE_ID);
    assertThat(e).hasMessageContaining("deviceId must be a string");
  }

  @Test
  void rejectsDeviceIdLongerThan128Characters() {
    String id = "d".repeat(129);

    InvalidMessageException e = reject(json("\"" + id + "\"", Long.toString(NOW), "{\"t\":1}"));

    assertThat(e.reason()).isEqualTo(RejectReason.INVALID_DEVICE_ID);
    assertThat(e).hasMessageContaining("deviceId is 129 characters, the limit is 128");
  }

  @Test
  void acceptsDeviceIdOf128Characters() throws InvalidMessageException {
    String id = "d".repeat(128);

    Telemetry t = parse(json("\"" + id + "\"", Long.toString(NOW), "{\"t\":1}"));

    assertThat(t.getDeviceId()).isEqualTo(id);
  }

  @Test
  void rejectsMissingTs() {
    InvalidMessageException e = reject("{\"deviceId\":\"s-42\",\"metrics\":{\"t\":1}}");

    assertThat(e.reason()).isEqualTo(RejectReason.MISSING_TS);
    assertThat(e).hasMessageContaining("ts is missing");
  }

  @Test
  void rejectsUnparseableTsString() {
    InvalidMessageException e = reject(json("\"s-42\"", "\"yesterday\"", "{\"t\":1}"));

    assertThat(e.reason()).isEqualTo(RejectReason.INVALID_TS);
    assertThat(e).hasMessageContaining("ts 'yesterday'").hasMessageContaining("ISO-8601");
  }

  @Test
  void rejectsIsoTsWithoutZoneOffset() {
    InvalidMessageException e =
        reject(json("\"s-42\"", "\"2025-11-28T12:00:00.123\"", "{\"t\":1}"));

    assertThat(e.reason()).isEqualTo(RejectReason.INVALID_TS);
    assertThat(e).hasMessageContaining("ts '2025-11-28T12:00:00.123'");
  }

  @Test
  void rejectsBooleanTs() {
    InvalidMessageException e = reject(json("\"s-42\"", "true", "{\"t\":1}"));

    assertThat(e.reason()).isEqualTo(RejectReason.INVALID_TS);
    assertThat(e).hasMessageContaining("ts must be").hasMessageContaining("got a boolean");
  }

  @Test
  void rejectsTsMoreThanOneDayInTheFuture() {
    long ts = NOW + DAY_MS + 1;

    InvalidMessageException e = reject(json("\"s-42\"", Long.toString(ts), "{\"t\":1}"));

    assertThat(e.reason()).isEqualTo(RejectReason.TS_IN_FUTURE);
    assertThat(e).hasMessageContaining("ts " + ts).hasMessageContaining("ahead");
  }

  @Test
  void acceptsTsExactlyOneDayInTheFuture() throws InvalidMessageException {
    Telemetry t = parse(json("\"s-42\"", Long.toString(NOW + DAY_MS), "{\"t\":1}"));

    assertThat(t.getTs()).isEqualTo(NOW + DAY_MS);
  }

  @Test
  void rejectsTsInEpochSecondsAsBefore2000() {
    long seconds = NOW / 1000;

    InvalidMessageException e = reject(json("\"s-42\"", Long.toString(seconds), "{\"t\":1}"));

    assertThat(e.reason()).isEqualTo(RejectReason.TS_TOO_OLD);
    assertThat(e).hasMessageContaining("ts " + seconds).hasMessageContaining("2000-01-01");
  }

  @Test
  void rejectsMissingMetrics() {
    InvalidMessageException e = reject("{\"deviceId\":\"s-42\",\"ts\":" + NOW + "}");

    assertThat(e.reason()).isEqualTo(RejectReason.NO_METRICS);
    assertThat(e).hasMessageContaining("metrics");
  }

  @Test
  void rejectsEmptyMetrics() {
    InvalidMessageException e = reject(json("\"s-42\"", Long.toString(NOW), "{}"));

    assertThat(e.reason()).isEqualTo(RejectReason.NO_METRICS);
    assertThat(e).hasMessageContaining("metrics");
  }

  @Test
  void rejectsMetricsThatIsNotAnObject() {
    InvalidMessageException e = reject(json("\"s-42\"", Long.toString(NOW), "[21.7]"));

    assertThat(e.reason()).isEqualTo(RejectReason.INVALID_METRIC);
    assertThat(e).hasMessageContaining("metrics must be an object, got an array");
  }

  @Test
  void rejectsStringMetricValue() {
    InvalidMessageException e =
        reject(json("\"s-42\"", Long.toString(NOW), "{\"temperature\":\"21.7\"}"));

    assertThat(e.reason()).isEqualTo(RejectReason.INVALID_METRIC);
    assertThat(e).hasMessageContaining("metric 'temperature' must be a number, got a string");
  }

  @Test
  void rejectsNonFiniteMetricValue() {
    InvalidMessageException e =
        reject(json("\"s-42\"", Long.toString(NOW), "{\"temperature\":1e400}"));

    assertThat(e.reason()).isEqualTo(RejectReason.INVALID_METRIC);
    assertThat(e).hasMessageContaining("metric 'temperature' is not finite");
  }

  @Test
  void rejectsStringSeq() {
    InvalidMessageException e =
        reject("{\"deviceId\":\"s-42\",\"ts\":" + NOW + ",\"seq\":\"17\",\"metrics\":{\"t\":1}}");

    assertThat(e.reason()).isEqualTo(RejectReason.INVALID_SEQ);
    assertThat(e).hasMessageContaining("seq must be an integer, got a string");
  }

  @Test
  void rejectsFractionalSeq() {
    InvalidMessageException e =
        reject("{\"deviceId\":\"s-42\",\"ts\":" + NOW + ",\"seq\":1.5,\"metrics\":{\"t\":1}}");

    assertThat(e.reason()).isEqualTo(RejectReason.INVALID_SEQ);
    assertThat(e).hasMessageContaining("seq must be an integer");
  }

  // --- accepted messages ------------------------------------------------------------------------

  @Test
  void acceptsDesignExampleWithEpochMillisTs() throws InvalidMessageException {
    Telemetry t =
        parse(
            "{\"deviceId\":\"s-42\",\"ts\":1764331200123,\"seq\":17,"
                + "\"metrics\":{\"temperature\":21.7,\"battery\":87}}");

    assertThat(t)
        .isEqualTo(
            new Telemetry(
                "s-42", 1_764_331_200_123L, 17L, Map.of("temperature", 21.7, "battery", 87.0)));
  }

  @Test
  void acceptsIsoTsInUtc() throws InvalidMessageException {
    Telemetry t = parse(json("\"s-42\"", "\"2025-11-28T12:00:00.123Z\"", "{\"t\":1}"));

    assertThat(t.getTs()).isEqualTo(1_764_331_200_123L);
  }

  @Test
  void acceptsIsoTsWithPositiveOffset() throws InvalidMessageException {
    Telemetry t = parse(json("\"s-42\"", "\"2025-11-28T14:00:00.123+02:00\"", "{\"t\":1}"));

    assertThat(t.getTs()).isEqualTo(1_764_331_200_123L);
  }

  @Test
  void treatsAbsentSeqAsNull() throws InvalidMessageException {
    Telemetry t = parse(json("\"s-42\"", Long.toString(NOW), "{\"t\":1}"));

    assertThat(t.getSeq()).isNull();
  }

  @Test
  void ignoresUnknownFields() throws InvalidMessageException {
    Telemetry t =
        parse(
            "{\"fw\":\"1.2.0\",\"deviceId\":\"s-42\",\"extra\":{\"nested\":[1,{\"a\":null}]},"
                + "\"ts\":"
                + NOW
                + ",\"metrics\":{\"temperature\":21.7},\"tags\":[\"x\"]}");

    assertThat(t).isEqualTo(new Telemetry("s-42", NOW, null, Map.of("temperature", 21.7)));
  }

  // --- batches ----------------------------------------------------------------------------------

  @Test
  void aBatchBecomesOneReadingPerRecordInTsOrderWithTheBatchsDeviceId()
      throws InvalidMessageException {
    Batch batch =
        parseAll(
            "{\"deviceId\":\"s-42\",\"records\":["
                + "{\"ts\":"
                + (NOW - 1_000)
                + ",\"seq\":2,\"metrics\":{\"t\":2}},"
                + "{\"ts\":"
                + (NOW - 2_000)
                + ",\"seq\":1,\"metrics\":{\"t\":1}}]}");

    assertThat(batch.readings)
        .containsExactly(
            new Telemetry("s-42", NOW - 2_000, 1L, Map.of("t", 1.0)),
            new Telemetry("s-42", NOW - 1_000, 2L, Map.of("t", 2.0)));
    assertThat(batch.problems).isEmpty();
  }

  @Test
  void aBadRecordOfABatchIsReportedAloneWithItsIndex() throws InvalidMessageException {
    Batch batch =
        parseAll(
            "{\"records\":[{\"ts\":"
                + NOW
                + ",\"metrics\":{\"t\":{\"deep\":[1,2]}}},"
                + "{\"ts\":"
                + NOW
                + ",\"metrics\":{\"t\":3}},{\"metrics\":{\"t\":4}}],\"deviceId\":\"s-42\"}");

    assertThat(batch.readings).containsExactly(new Telemetry("s-42", NOW, null, Map.of("t", 3.0)));
    assertThat(batch.problems).containsOnlyKeys(0, 2);
    assertThat(batch.problems.get(0).reason()).isEqualTo(RejectReason.INVALID_METRIC);
    assertThat(batch.problems.get(2).reason()).isEqualTo(RejectReason.MISSING_TS);
  }

  @Test
  void aBatchWithTopLevelMetricsOrNoRecordsIsRefusedAsAWhole() {
    assertThat(rejectAll("{\"deviceId\":\"s-42\",\"ts\":" + NOW + ",\"records\":[]}").reason())
        .isEqualTo(RejectReason.INVALID_BATCH);
    assertThat(rejectAll("{\"deviceId\":\"s-42\",\"records\":[]}").reason())
        .isEqualTo(RejectReason.INVALID_BATCH);
    assertThat(rejectAll("{\"deviceId\":\"s-42\",\"records\":{}}").reason())
        .isEqualTo(RejectReason.INVALID_BATCH);
    assertThat(rejectAll("{\"records\":[{\"ts\":" + NOW + ",\"metrics\":{\"t\":1}}]}").reason())
        .isEqualTo(RejectReason.MISSING_DEVICE_ID);
  }

  @Test
  void aRecordOfABatchMayNotNameADevice() throws InvalidMessageException {
    Batch batch =
        parseAll(
            "{\"deviceId\":\"s-42\",\"records\":[{\"deviceId\":\"other\",\"ts\":"
                + NOW
                + ",\"metrics\":{\"t\":1}}]}");

    assertThat(batch.readings).isEmpty();
    assertThat(batch.problems.get(0).reason()).isEqualTo(RejectReason.INVALID_BATCH);
  }

  @Test
  void parseAllOfASingleReadingIsParse() throws InvalidMessageException {
    String json = json("\"s-42\"", String.valueOf(NOW), "{\"t\":1}");

    assertThat(parseAll(json).readings).containsExactly(parse(json));
  }

  /** What parseAll handed out. */
  private static final class Batch implements TelemetryParser.Readings {
    final java.util.List<Telemetry> readings = new java.util.ArrayList<>();
    final Map<Integer, InvalidMessageException> problems = new java.util.TreeMap<>();

    @Override
    public void reading(Telemetry telemetry) {
      readings.add(telemetry);
    }

    @Override
    public void invalid(int index, InvalidMessageException problem) {
      problems.put(index, problem);
    }
  }

  private Batch parseAll(String json) throws InvalidMessageException {
    Batch batch = new Batch();
    parser.parseAll(json.getBytes(StandardCharsets.UTF_8), batch);
    return batch;
  }

  private InvalidMessageException rejectAll(String json) {
    try {
      parseAll(json);
    } catch (InvalidMessageException e) {
      return e;
    }
    throw new AssertionError("expected a rejection of " + json);
  }

  // --- helpers ----------------------------------------------------------------------------------

  private static String json(String deviceId, String ts, String metrics) {
    return "{\"deviceId\":" + deviceId + ",\"ts\":" + ts + ",\"metrics\":" + metrics + "}";
  }

  /** A valid message padded with an unknown field to exactly {@code size} bytes. */
  private static byte[] padded(int size) {
    String head = "{\"deviceId\":\"s-42\",\"ts\":" + NOW + ",\"metrics\":{\"t\":1},\"pad\":\"";
    String tail = "\"}";
    return (head + "x".repeat(size - head.length() - tail.length()) + tail)
        .getBytes(StandardCharsets.UTF_8);
  }

  private Telemetry parse(String json) throws InvalidMessageException {
    return parser.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private InvalidMessageException reject(String json) {
    return reject(parser, json.getBytes(StandardCharsets.UTF_8));
  }

  private InvalidMessageException reject(byte[] payload) {
    return reject(parser, payload);
  }

  private static InvalidMessageException reject(TelemetryParser parser, byte[] payload) {
    Telemetry parsed;
    try {
      parsed = parser.parse(payload);
    } catch (InvalidMessageException e) {
      return e;
    }
    throw new AssertionError("expected a rejection, but parsed " + parsed);
  }
}
