-- name: over_device_limit
-- severity: CRITICAL
-- owner: operations
-- description: A temperature above the device's own limit (thresholds.temperature.max in the
--   registry), as the registry said at the reading's event time (temporal join).
INSERT INTO alert_signals
SELECT
  CONCAT_WS('|', 'over_device_limit', t.deviceId, CAST(t.ts AS STRING)) AS signalId,
  'over_device_limit' AS `rule`,
  t.deviceId,
  'temperature' AS metric,
  'CRITICAL' AS severity,
  t.ts,
  t.metrics['temperature'] AS `value`,
  CONCAT(
    'temperature ', CAST(t.metrics['temperature'] AS STRING),
    ' is above the limit ', CAST(d.thresholds['temperature'].`max` AS STRING),
    ' of this ', COALESCE(d.`type`, 'device')) AS message,
  'ACTIVE' AS state
FROM telemetry AS t
JOIN devices FOR SYSTEM_TIME AS OF t.rowtime AS d
  ON t.deviceId = d.deviceId
WHERE t.metrics['temperature'] > d.thresholds['temperature'].`max`;
