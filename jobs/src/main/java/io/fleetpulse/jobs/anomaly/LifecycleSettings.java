package io.fleetpulse.jobs.anomaly;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the alert lifecycle behaves: how often an open alert's count is re-published, how soon a new
 * ACTIVE re-opens a resolved alert, and when an alert counts as flapping ({@code flapCount} = 0:
 * never).
 */
public record LifecycleSettings(
    Duration updateInterval, Duration reopenWithin, int flapCount, Duration flapWindow)
    implements Serializable {}
