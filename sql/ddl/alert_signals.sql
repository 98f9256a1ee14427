-- The only table rules write to (iot.alert.signals): detector signals in the contract the
-- AnomalyJob's alert lifecycle reads. signalId is deterministic: rule, device, and the window or
-- match start, so a replay emits the same ids.
CREATE TABLE alert_signals (
  signalId STRING,
  `rule` STRING,
  deviceId STRING,
  metric STRING,
  severity STRING,
  ts BIGINT,
  `value` DOUBLE,
  message STRING,
  state STRING
) WITH (
  ${with:alert_signals}
);
