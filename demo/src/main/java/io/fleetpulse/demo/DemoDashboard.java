package io.fleetpulse.demo;

/** Whether the API serves the built-in dashboard (its static files are on the classpath). */
final class DemoDashboard {

  private DemoDashboard() {}

  static boolean present() {
    return DemoDashboard.class.getResource("/dashboard/index.html") != null;
  }
}
