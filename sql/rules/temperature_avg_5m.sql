-- name: temperature_avg_5m
-- severity: WARNING
-- owner: facilities
-- description: The 5-minute average temperature of a device above 70 °C (tumbling windows in
--   event time); one signal per window, ACTIVE above the limit and CLEAR below it, so the
--   lifecycle resolves as soon as a window is normal again. Window state ends with the window.
INSERT INTO alert_signals
SELECT
  CONCAT_WS('|', 'temperature_avg_5m', deviceId, CAST(windowStartMs AS STRING)) AS signalId,
  'temperature_avg_5m' AS `rule`,
  deviceId,
  'temperature' AS metric,
  'WARNING' AS severity,
  windowStartMs + 300000 AS ts,
  avgTemperature AS `value`,
  CONCAT('5-minute average temperature ', CAST(ROUND(avgTemperature, 2) AS STRING), ' °C')
    AS message,
  CASE WHEN avgTemperature > 70 THEN 'ACTIVE' ELSE 'CLEAR' END AS state
FROM (
  SELECT
    deviceId,
    -- Tumbling windows start at multiples of their size since the epoch.
    MIN(ts) - MOD(MIN(ts), 300000) AS windowStartMs,
    AVG(metrics['temperature']) AS avgTemperature
  FROM TABLE(TUMBLE(TABLE telemetry, DESCRIPTOR(rowtime), INTERVAL '5' MINUTE))
  WHERE metrics['temperature'] IS NOT NULL
  GROUP BY deviceId, window_start, window_end
);
