package io.fleetpulse.api.internal;

import io.javalin.security.RouteRole;
import java.util.Locale;

/** What an API key may do; each role includes the ones before it. */
public enum Role implements RouteRole {
  /** Reads everything. */
  READER,
  /** Also sends desired-state updates and commands. */
  OPERATOR,
  /** Also changes the device registry. */
  ADMIN;

  /** Whether a key with this role may use a route that needs {@code needed}. */
  public boolean includes(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** The role's name as configured and documented, e.g. {@code operator}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
