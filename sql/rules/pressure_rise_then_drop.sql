-- name: pressure_rise_then_drop
-- severity: CRITICAL
-- owner: maintenance
-- description: Three rising pressure readings followed by a drop to below half of the last one,
--   within 10 minutes (a burst after a build-up). WITHIN bounds the pattern's state.
INSERT INTO alert_signals
SELECT
  CONCAT_WS('|', 'pressure_rise_then_drop', deviceId, CAST(startTs AS STRING)) AS signalId,
  'pressure_rise_then_drop' AS `rule`,
  deviceId,
  'pressure' AS metric,
  'CRITICAL' AS severity,
  dropTs AS ts,
  dropValue AS `value`,
  CONCAT('pressure rose to ', CAST(peak AS STRING), ' then fell to ', CAST(dropValue AS STRING))
    AS message,
  'ACTIVE' AS state
FROM (
  SELECT deviceId, ts, rowtime, metrics['pressure'] AS pressure
  FROM telemetry
  WHERE metrics['pressure'] IS NOT NULL
) MATCH_RECOGNIZE (
  PARTITION BY deviceId
  ORDER BY rowtime
  MEASURES
    FIRST(UP.ts) AS startTs,
    LAST(UP.pressure) AS peak,
    DROP_.ts AS dropTs,
    DROP_.pressure AS dropValue
  ONE ROW PER MATCH
  AFTER MATCH SKIP PAST LAST ROW
  PATTERN (BASE UP{3} DROP_) WITHIN INTERVAL '10' MINUTE
  DEFINE
    UP AS UP.pressure > COALESCE(LAST(UP.pressure, 1), BASE.pressure),
    DROP_ AS DROP_.pressure < LAST(UP.pressure) / 2
);
