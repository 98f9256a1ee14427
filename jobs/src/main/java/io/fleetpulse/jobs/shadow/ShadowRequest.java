package io.fleetpulse.jobs.shadow;

import io.fleetpulse.jobs.dlq.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * One shadow request as read from Kafka: which device and shadow, which operation, the raw JSON
 * body (parsed by the shadow operator so that bad JSON gets AWS's 400 answer) — or a dead letter
 * when the record cannot even be addressed to a shadow.
 */
public class ShadowRequest {

  /** The Flink type: a POJO of strings and arrays, serialized without Kryo. */
  public static final TypeInformation<ShadowRequest> TYPE = Types.POJO(ShadowRequest.class);

  private String deviceId;
  private String shadowName;
  private String op;
  private byte[] payload;
  private DeadLetter deadLetter;

  public ShadowRequest() {}

  /** A request for {@code op} ({@code update}, {@code get}, {@code delete}). */
  public static ShadowRequest of(String deviceId, String shadowName, String op, byte[] payload) {
    ShadowRequest r = new ShadowRequest();
    r.deviceId = deviceId;
    r.shadowName = shadowName;
    r.op = op;
    r.payload = payload;
    return r;
  }

  /** A record that names no valid shadow. */
  public static ShadowRequest invalid(DeadLetter deadLetter) {
    ShadowRequest r = new ShadowRequest();
    r.deadLetter = deadLetter;
    return r;
  }

  /**
   * The state key: the device id for the classic shadow, {@code deviceId/name/shadowName} for a
   * named one; empty for a dead letter (which keeps no state).
   */
  public String shadowKey() {
    if (deadLetter != null || deviceId == null) {
      return "";
    }
    return shadowName == null ? deviceId : deviceId + "/name/" + shadowName;
  }

  public String getDeviceId() {
    return deviceId;
  }

  public void setDeviceId(String deviceId) {
    this.deviceId = deviceId;
  }

  /** {@code null} for the classic (unnamed) shadow. */
  public String getShadowName() {
    return shadowName;
  }

  public void setShadowName(String shadowName) {
    this.shadowName = shadowName;
  }

  public String getOp() {
    return op;
  }

  public void setOp(String op) {
    this.op = op;
  }

  public byte[] getPayload() {
    return payload;
  }

  public void setPayload(byte[] payload) {
    this.payload = payload;
  }

  public DeadLetter getDeadLetter() {
    return deadLetter;
  }

  public void setDeadLetter(DeadLetter deadLetter) {
    this.deadLetter = deadLetter;
  }
}
