#!/bin/sh
# Entry point of the fleetpulse/services image: bridge | api | simulate ARGS | topics ARGS.
set -eu
cd /opt/fleetpulse
what=${1:?bridge, api, simulate or topics}
shift
case "$what" in
  bridge) exec java -jar bridge.jar "$@" ;;
  api) exec java -jar api.jar "$@" ;;
  simulate) exec java -cp 'lib/*' io.fleetpulse.devstack.sim.SimulatorMain "$@" ;;
  topics) exec java -cp 'lib/*' io.fleetpulse.connectors.kafka.topics.TopicsCommand "$@" ;;
  *) echo "unknown service $what" >&2; exit 2 ;;
esac
