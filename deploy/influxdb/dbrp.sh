#!/bin/bash
# The v1 DBRP mapping: InfluxQL (Grafana's panels, the API) reads database "fleetpulse" from the
# bucket the TelemetryJob writes. Runs once, after the official image's setup.
set -euo pipefail
bucket_id=$(influx bucket list --org "$DOCKER_INFLUXDB_INIT_ORG" --name "$DOCKER_INFLUXDB_INIT_BUCKET" --hide-headers | awk '{print $1}')
influx v1 dbrp create --org "$DOCKER_INFLUXDB_INIT_ORG" --db fleetpulse --rp autogen \
  --bucket-id "$bucket_id" --default
