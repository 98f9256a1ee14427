-- The device registry (iot.devices, compacted): the latest record per device, versioned by the
-- time it was written (the Kafka record's timestamp), for event-time temporal joins:
-- JOIN devices FOR SYSTEM_TIME AS OF t.rowtime.
CREATE TABLE devices (
  deviceId STRING,
  `type` STRING,
  site STRING,
  firmware STRING,
  heartbeatSeconds INT,
  thresholds MAP<STRING, ROW<`min` DOUBLE, `max` DOUBLE>>,
  status STRING,
  ${column:devices.updatedAt},
  WATERMARK FOR updatedAt AS updatedAt,
  PRIMARY KEY (deviceId) NOT ENFORCED
) WITH (
  ${with:devices}
);
