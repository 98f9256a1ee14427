package io.fleetpulse.devstack.kinesis;

import io.fleetpulse.devstack.ServerExtension;

/** Gives tests a shared {@link KinesaliteProcess} as a parameter; one per test JVM. */
public final class KinesaliteExtension extends ServerExtension<KinesaliteProcess> {

  public KinesaliteExtension() {
    super(KinesaliteProcess.class);
  }

  @Override
  protected KinesaliteProcess create() {
    return KinesaliteProcess.start();
  }

  @Override
  protected void ensureRunning(KinesaliteProcess server) {
    // only close() stops it
  }
}
