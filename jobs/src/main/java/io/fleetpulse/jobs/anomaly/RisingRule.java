package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.AlertSeverity;
import java.io.Serializable;

/**
 * A RISING rule (a CEP pattern): {@code count} consecutive readings of {@code metric}, each higher
 * than the one before. It never sends CLEAR: its alert resolves after {@code clearAfterMs} without
 * another match.
 */
public record RisingRule(
    String name, String metric, int count, long clearAfterMs, AlertSeverity severity)
    implements Serializable {}
