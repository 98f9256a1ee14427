package io.fleetpulse.jobs.shadow;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * One record the ShadowJob writes: a full document, a delta or a response, keyed by device (plus
 * shadow name), with the AWS response kind ({@code update/accepted}, ...) for the bridge to route.
 */
public class ShadowMessage {

  /** The Flink type: a POJO, serialized without Kryo. */
  public static final TypeInformation<ShadowMessage> TYPE = Types.POJO(ShadowMessage.class);

  private String deviceId;
  private String shadowName;
  private String kind;
  private byte[] payload;

  public ShadowMessage() {}

  public ShadowMessage(String deviceId, String shadowName, String kind, byte[] payload) {
    this.deviceId = deviceId;
    this.shadowName = shadowName;
    this.kind = kind;
    this.payload = payload;
  }

  /** The Kafka key: the device id, plus {@code /name/shadowName} for a named shadow. */
  public String key() {
    return shadowName == null ? deviceId : deviceId + "/name/" + shadowName;
  }

  /**
   * The MQTT topic the bridge publishes this on, AWS's {@code shadow/...} tree under the device.
   */
  public String mqttTopic() {
    String base =
        shadowName == null
            ? "devices/" + deviceId + "/shadow/"
            : "devices/" + deviceId + "/shadow/name/" + shadowName + "/";
    return base + kind;
  }

  /** The payload as text, for tests and logs. */
  public String text() {
    return payload == null ? null : new String(payload, StandardCharsets.UTF_8);
  }

  public String getDeviceId() {
    return deviceId;
  }

  public void setDeviceId(String deviceId) {
    this.deviceId = deviceId;
  }

  public String getShadowName() {
    return shadowName;
  }

  public void setShadowName(String shadowName) {
    this.shadowName = shadowName;
  }

  /** {@code document}, {@code delta}, or an AWS response kind such as {@code update/accepted}. */
  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  /** The JSON body; {@code null} for the tombstone of a deleted shadow on the compacted topic. */
  public byte[] getPayload() {
    return payload;
  }

  public void setPayload(byte[] payload) {
    this.payload = payload;
  }

  @Override
  public String toString() {
    return "ShadowMessage{" + mqttTopic() + " " + text() + "}";
  }
}
