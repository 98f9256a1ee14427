package io.fleetpulse.model;

/** Whether a detector sees its condition ({@code ACTIVE}) or no longer sees it ({@code CLEAR}). */
public enum SignalState {
  ACTIVE,
  CLEAR
}
