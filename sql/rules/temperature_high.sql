-- name: temperature_high
-- severity: CRITICAL
-- owner: facilities
-- description: A reading above 80 °C. The lifecycle opens one alert and counts repeats; it
--   resolves by its clear-after, since this rule sends no CLEAR.
INSERT INTO alert_signals
SELECT
  CONCAT_WS('|', 'temperature_high', deviceId, CAST(ts AS STRING)) AS signalId,
  'temperature_high' AS `rule`,
  deviceId,
  'temperature' AS metric,
  'CRITICAL' AS severity,
  ts,
  metrics['temperature'] AS `value`,
  CONCAT('temperature ', CAST(metrics['temperature'] AS STRING), ' °C is above 80 °C') AS message,
  'ACTIVE' AS state
FROM telemetry
WHERE metrics['temperature'] > 80;
