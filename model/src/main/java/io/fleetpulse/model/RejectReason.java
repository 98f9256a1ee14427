package io.fleetpulse.model;

/** Why a message was rejected; the code is what the DLQ header and the metrics carry. */
public enum RejectReason {
  PAYLOAD_TOO_LARGE("payload_too_large"),
  NOT_JSON("not_json"),
  MISSING_DEVICE_ID("missing_device_id"),
  INVALID_DEVICE_ID("invalid_device_id"),
  DEVICE_ID_MISMATCH("device_id_mismatch"),
  INVALID_KEY("invalid_key"),
  MISSING_TS("missing_ts"),
  INVALID_TS("invalid_ts"),
  TS_IN_FUTURE("ts_in_future"),
  TS_TOO_OLD("ts_too_old"),
  INVALID_SEQ("invalid_seq"),
  NO_METRICS("no_metrics"),
  INVALID_BATCH("invalid_batch"),
  INVALID_METRIC("invalid_metric"),
  TOO_MANY_METRICS("too_many_metrics"),
  DEVICE_RECALLED("device_recalled"),
  DEVICE_DISABLED("device_disabled"),
  LATE("late"),
  INVALID_SIGNAL("invalid_signal"),
  INVALID_ACTION("invalid_action"),
  INVALID_SHADOW_OP("invalid_shadow_op"),
  INVALID_SHADOW_NAME("invalid_shadow_name");

  private final String code;

  RejectReason(String code) {
    this.code = code;
  }

  /** The stable, lower-case code used in DLQ headers and metric names. */
  public String code() {
    return code;
  }
}
