package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.AlertSeverity;
import java.io.Serializable;

/** One escalation step of a rule: an alert still OPEN {@code afterMs} after it opened is raised. */
public record Escalation(long afterMs, AlertSeverity severity) implements Serializable {}
