package io.fleetpulse.devstack.s3;

import io.fleetpulse.devstack.ServerExtension;

/** Gives tests a shared {@link S3Server} as a parameter; one per test JVM. */
public final class S3Extension extends ServerExtension<S3Server> {

  public S3Extension() {
    super(S3Server.class);
  }

  @Override
  protected S3Server create() {
    return S3Server.start();
  }

  @Override
  protected void ensureRunning(S3Server server) {
    // S3Proxy is only stopped by close().
  }
}
