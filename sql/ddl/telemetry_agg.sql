-- Window aggregates of the TelemetryJob (iot.telemetry.agg): one row per device, metric and window.
CREATE TABLE telemetry_agg (
  deviceId STRING,
  metric STRING,
  windowStart BIGINT,
  windowEnd BIGINT,
  `count` BIGINT,
  `min` DOUBLE,
  `max` DOUBLE,
  `avg` DOUBLE,
  `last` DOUBLE,
  `type` STRING,
  site STRING,
  status STRING,
  rowtime AS TO_TIMESTAMP_LTZ(windowEnd, 3),
  WATERMARK FOR rowtime AS rowtime - INTERVAL '5' SECOND
) WITH (
  ${with:telemetry_agg}
);
