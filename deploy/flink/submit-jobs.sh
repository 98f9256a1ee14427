#!/bin/bash
# Submits every FleetPulse job to the session cluster once it answers, like `flink run -d`.
# A job that cannot be submitted is reported and skipped, so the others still start.
set -uo pipefail
jar=/opt/fleetpulse/fleetpulse-jobs.jar
until curl -sf "http://$JOBMANAGER/overview" >/dev/null; do sleep 2; done
submit() {
  local class=$1; shift
  echo "submitting $class"
  /opt/flink/bin/flink run -d -m "$JOBMANAGER" -c "$class" "$jar" \
    --kafka.bootstrap.servers "$KAFKA" "$@" || echo "could not submit $class (see above)"
}
submit io.fleetpulse.jobs.telemetry.TelemetryJob --window.size 1m \
  --influx.url "$INFLUX_URL" --influx.api V2 --influx.org fleetpulse --influx.bucket telemetry \
  --influx.token "$INFLUX_TOKEN" --archive.path "$ARCHIVE"
submit io.fleetpulse.jobs.anomaly.AnomalyJob --anomaly.rules-file /opt/fleetpulse/anomaly-rules.json
submit io.fleetpulse.jobs.shadow.ShadowJob
echo "submitting the SQL rules"
/opt/flink/bin/sql-client.sh -j "$jar" -Drest.address="${JOBMANAGER%:*}" \
  -Drest.port="${JOBMANAGER#*:}" -f /opt/fleetpulse/rules.sql || echo "could not submit the SQL rules"
