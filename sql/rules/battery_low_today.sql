-- name: battery_low_today
-- severity: WARNING
-- owner: field-service
-- description: The battery below 15 % at any time so far today (UTC): a CUMULATE window that grows
--   hour by hour over the day, so the signal comes within the hour and repeats hourly until
--   midnight (the lifecycle counts the repeats in one alert). Window state ends with the day.
INSERT INTO alert_signals
SELECT
  CONCAT_WS('|', 'battery_low_today', deviceId, CAST(dayStartMs AS STRING)) AS signalId,
  'battery_low_today' AS `rule`,
  deviceId,
  'battery' AS metric,
  'WARNING' AS severity,
  lastTs AS ts,
  lowest AS `value`,
  CONCAT('battery down to ', CAST(lowest AS STRING), ' % today') AS message,
  'ACTIVE' AS state
FROM (
  SELECT
    deviceId,
    MIN(ts) - MOD(MIN(ts), 86400000) AS dayStartMs,
    MAX(ts) AS lastTs,
    MIN(metrics['battery']) AS lowest
  FROM TABLE(
    CUMULATE(TABLE telemetry, DESCRIPTOR(rowtime), INTERVAL '1' HOUR, INTERVAL '1' DAY))
  WHERE metrics['battery'] IS NOT NULL
  GROUP BY deviceId, window_start, window_end
  HAVING MIN(metrics['battery']) < 15
);
