/** Benchmarks of FleetPulse: the MQTT bridge's throughput next to the broker alone. */
package io.fleetpulse.bench;
