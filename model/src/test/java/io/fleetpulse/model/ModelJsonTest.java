package io.fleetpulse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelJsonTest {

  private static final String DEVICE_JSON =
      "{\"deviceId\":\"s-42\",\"type\":\"thermo\",\"site\":\"plant-1\",\"firmware\":\"1.2.0\","
          + "\"heartbeatSeconds\":60,\"thresholds\":{\"temperature\":{\"min\":-10,\"max\":80}},"
          + "\"status\":\"ACTIVE\"}";

  // --- Device -----------------------------------------------------------------------------------

  @Test
  void parsesDeviceFromDesignDoc() {
    Device device = ModelJson.fromBytes(bytes(DEVICE_JSON), Device.class);

    assertThat(device)
        .isEqualTo(
            new Device(
                "s-42",
                "thermo",
                "plant-1",
                "1.2.0",
                60,
                Map.of("temperature", new Threshold(-10.0, 80.0)),
                DeviceStatus.ACTIVE));
  }

  @Test
  void writesDeviceWithContractFieldNames() throws IOException {
    Device device = ModelJson.fromBytes(bytes(DEVICE_JSON), Device.class);

    byte[] json = ModelJson.toBytes(device);

    assertThat(tree(json))
        .isEqualTo(tree(DEVICE_JSON.replace("-10", "-10.0").replace("80", "80.0")));
    assertThat(ModelJson.fromBytes(json, Device.class)).isEqualTo(device);
  }

  @Test
  void omitsUnsetDeviceFields() {
    Device device = new Device();
    device.setDeviceId("s-1");
    device.setThresholds(Map.of("battery", new Threshold(15.0, null)));

    String json = string(ModelJson.toBytes(device));

    assertThat(json)
        .isEqualTo("{\"deviceId\":\"s-1\",\"thresholds\":{\"battery\":{\"min\":15.0}}}");
  }

  @Test
  void ignoresUnknownDeviceFields() {
    Device device =
        ModelJson.fromBytes(
            bytes("{\"deviceId\":\"s-1\",\"owner\":{\"team\":\"ops\"},\"status\":\"RECALLED\"}"),
            Device.class);

    assertThat(device.getDeviceId()).isEqualTo("s-1");
    assertThat(device.getStatus()).isEqualTo(DeviceStatus.RECALLED);
  }

  // --- Alert ------------------------------------------------------------------------------------

  @Test
  void roundTripsAlertWithContractFieldNames() throws IOException {
    String id = Alert.idFor("temperature-max", "s-42", "1764331200000");
    Alert alert =
        new Alert(
            id,
            "s-42",
            "threshold",
            AlertSeverity.CRITICAL,
            AlertState.OPEN,
            1_764_331_200_123L,
            "temperature",
            91.5,
            "temperature 91.5 above max 80.0",
            "temperature-max");

    byte[] json = ModelJson.toBytes(alert);

    assertThat(tree(json))
        .isEqualTo(
            tree(
                "{\"alertId\":\""
                    + id
                    + "\",\"deviceId\":\"s-42\",\"type\":\"threshold\","
                    + "\"severity\":\"CRITICAL\",\"state\":\"OPEN\",\"ts\":1764331200123,"
                    + "\"metric\":\"temperature\",\"value\":91.5,"
                    + "\"message\":\"temperature 91.5 above max 80.0\","
                    + "\"rule\":\"temperature-max\"}"));
    assertThat(ModelJson.fromBytes(json, Alert.class)).isEqualTo(alert);
  }

  @Test
  void omitsMetricAndValueOfAlertWithoutThem() {
    Alert alert = new Alert();
    alert.setAlertId("a1");
    alert.setDeviceId("s-42");
    alert.setType("offline");
    alert.setSeverity(AlertSeverity.WARNING);
    alert.setState(AlertState.RESOLVED);
    alert.setTs(5L);

    String json = string(ModelJson.toBytes(alert));

    assertThat(json)
        .isEqualTo(
            "{\"alertId\":\"a1\",\"deviceId\":\"s-42\",\"type\":\"offline\","
                + "\"severity\":\"WARNING\",\"state\":\"RESOLVED\",\"ts\":5}");
  }

  @Test
  void alertIdIsDeterministic() {
    String first = Alert.idFor("threshold", "s-42", "1764331200000");
    String second = Alert.idFor("threshold", "s-42", "1764331200000");

    assertThat(first).isEqualTo(second).hasSize(32).matches("[0-9a-f]{32}");
  }

  @Test
  void alertIdIsSha256OfPartsJoinedWithUnitSeparator() {
    // Pinned so that consumers in other languages can compute the same id.
    assertThat(Alert.idFor("threshold", "s-42", "1764331200000"))
        .isEqualTo("87660e629dea61ba9acf9b42ce451c51");
  }

  @Test
  void alertIdDiffersForDifferentParts() {
    String base = Alert.idFor("threshold", "s-42", "1764331200000");

    assertThat(Alert.idFor("threshold", "s-43", "1764331200000")).isNotEqualTo(base);
    assertThat(Alert.idFor("threshold", "s-42", "1764331260000")).isNotEqualTo(base);
    assertThat(Alert.idFor("threshold", "s-42")).isNotEqualTo(base);
  }

  @Test
  void alertIdKeepsPartBoundaries() {
    assertThat(Alert.idFor("ab", "c")).isNotEqualTo(Alert.idFor("a", "bc"));
  }

  @Test
  void alertIdNeedsAtLeastOnePart() {
    assertThatThrownBy(Alert::idFor).isInstanceOf(IllegalArgumentException.class);
  }

  // --- ShadowDocument ---------------------------------------------------------------------------

  @Test
  void roundTripsAwsShadowDocument() throws IOException {
    String json =
        "{\"state\":{\"desired\":{\"color\":\"red\",\"interval\":30},"
            + "\"reported\":{\"color\":\"blue\",\"interval\":30,\"fw\":{\"version\":\"1.2.0\"}},"
            + "\"delta\":{\"color\":\"red\"}},"
            + "\"metadata\":{\"desired\":{\"color\":{\"timestamp\":1764331200}},"
            + "\"reported\":{\"color\":{\"timestamp\":1764331100}}},"
            + "\"version\":7,\"timestamp\":1764331201,\"clientToken\":\"tok-1\"}";

    ShadowDocument doc = ModelJson.fromBytes(bytes(json), ShadowDocument.class);

    assertThat(doc.getState().getDesired()).containsEntry("color", "red");
    assertThat(doc.getState().getReported()).containsEntry("fw", Map.of("version", "1.2.0"));
    assertThat(doc.getState().getDelta()).isEqualTo(Map.of("color", "red"));
    assertThat(doc.getMetadata()).containsKeys("desired", "reported");
    assertThat(doc.getVersion()).isEqualTo(7L);
    assertThat(doc.getTimestamp()).isEqualTo(1_764_331_201L);
    assertThat(doc.getClientToken()).isEqualTo("tok-1");
    assertThat(tree(ModelJson.toBytes(doc))).isEqualTo(tree(json));
  }

  @Test
  void keepsNullThatRemovesAShadowKey() throws IOException {
    ShadowDocument update =
        ModelJson.fromBytes(
            bytes("{\"state\":{\"reported\":{\"color\":null,\"interval\":60}}}"),
            ShadowDocument.class);

    assertThat(update.getState().getReported()).containsEntry("color", null);
    assertThat(update.getState().getDesired()).isNull();
    JsonNode written = tree(ModelJson.toBytes(update));
    assertThat(written.at("/state/reported/color").isNull()).isTrue();
    assertThat(written.at("/state").has("desired")).isFalse();
  }

  @Test
  void equalShadowDocumentsBuiltInCode() {
    Map<String, Object> reported = new HashMap<>();
    reported.put("color", "blue");
    ShadowDocument doc =
        new ShadowDocument(new ShadowState(null, reported, null), null, 3, 1_764_331_200L, null);

    ShadowDocument copy = ModelJson.fromBytes(ModelJson.toBytes(doc), ShadowDocument.class);

    assertThat(copy).isEqualTo(doc).hasSameHashCodeAs(doc);
  }

  // --- TelemetryAggregate -----------------------------------------------------------------------

  @Test
  void roundTripsTelemetryAggregateWithContractFieldNames() throws IOException {
    TelemetryAggregate agg =
        new TelemetryAggregate(
            "s-42",
            "temperature",
            1_764_331_200_000L,
            1_764_331_260_000L,
            3,
            20.5,
            22.0,
            21.25,
            21.0,
            1_764_331_259_000L);

    byte[] json = ModelJson.toBytes(agg);

    assertThat(tree(json))
        .isEqualTo(
            tree(
                "{\"deviceId\":\"s-42\",\"metric\":\"temperature\","
                    + "\"windowStart\":1764331200000,\"windowEnd\":1764331260000,\"count\":3,"
                    + "\"min\":20.5,\"max\":22.0,\"avg\":21.25,\"last\":21.0,"
                    + "\"lastTs\":1764331259000}"));
    assertThat(ModelJson.fromBytes(json, TelemetryAggregate.class)).isEqualTo(agg);
  }

  // --- errors -----------------------------------------------------------------------------------

  @Test
  void rejectsMalformedJsonNamingTheType() {
    assertThatThrownBy(() -> ModelJson.fromBytes(bytes("{\"deviceId\":"), Device.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Device");
  }

  @Test
  void rejectsWrongFieldTypeNamingTheType() {
    assertThatThrownBy(
            () -> ModelJson.fromBytes(bytes("{\"heartbeatSeconds\":\"often\"}"), Device.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Device")
        .hasMessageContaining("often");
  }

  @Test
  void rejectsUnknownEnumConstantNamingTheType() {
    assertThatThrownBy(() -> ModelJson.fromBytes(bytes("{\"severity\":\"PANIC\"}"), Alert.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Alert")
        .hasMessageContaining("PANIC");
  }

  @Test
  void rejectsTrailingGarbageNamingTheType() {
    assertThatThrownBy(() -> ModelJson.fromBytes(bytes("{\"deviceId\":\"s-1\"} x"), Device.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Device");
  }

  @Test
  void rejectsEmptyAndNullPayloadsNamingTheType() {
    assertThatThrownBy(() -> ModelJson.fromBytes(new byte[0], ShadowDocument.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ShadowDocument");
    assertThatThrownBy(() -> ModelJson.fromBytes(bytes("null"), ShadowDocument.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ShadowDocument");
  }

  @Test
  void sharedMapperIsTheConfiguredOne() throws IOException {
    assertThat(ModelJson.mapper()).isSameAs(ModelJson.mapper());
    assertThat(ModelJson.mapper().writeValueAsString(new Threshold(null, 2.0)))
        .isEqualTo("{\"max\":2.0}");
    assertThat(ModelJson.mapper().readValue("{\"max\":2,\"unit\":\"C\"}", Threshold.class))
        .isEqualTo(new Threshold(null, 2.0));
  }

  // --- helpers ----------------------------------------------------------------------------------

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String string(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static JsonNode tree(byte[] json) throws IOException {
    return ModelJson.mapper().readTree(json);
  }

  private static JsonNode tree(String json) throws IOException {
    return tree(bytes(json));
  }
}
