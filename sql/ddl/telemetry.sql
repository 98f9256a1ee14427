-- The clean stream: valid, deduplicated, enriched telemetry from the TelemetryJob
-- (iot.telemetry.enriched), one row per device message with all its metrics in a map.
-- Read a metric as metrics['temperature'].
CREATE TABLE telemetry (
  deviceId STRING,
  ts BIGINT,
  seq BIGINT,
  metrics MAP<STRING, DOUBLE>,
  `type` STRING,
  site STRING,
  firmware STRING,
  status STRING,
  rowtime AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR rowtime AS rowtime - INTERVAL '5' SECOND
) WITH (
  ${with:telemetry}
);
