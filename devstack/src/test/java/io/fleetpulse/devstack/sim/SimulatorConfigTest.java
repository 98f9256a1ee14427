package io.fleetpulse.devstack.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatorConfigTest {

  @Test
  void everyWrongSettingIsNamedAtOnce() {
    assertThatThrownBy(
            () ->
                SimulatorConfig.load(
                    new String[] {
                      "--devices", "0",
                      "--rate", "-5",
                      "--broker", "ftp://x:1",
                      "--offline-fraction", "1.5",
                      "--tls.keystore", "certs/dev.p12"
                    },
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("devices")
        .hasMessageContaining("rate")
        .hasMessageContaining("broker")
        .hasMessageContaining("offline-fraction")
        .hasMessageContaining("tls.keystore");
  }

  @Test
  void tlsFilesNeedAnSslBroker() {
    assertThatThrownBy(
            () ->
                SimulatorConfig.load(
                    new String[] {"--broker", "tcp://h:1", "--tls.keystore", "c/{deviceId}.p12"},
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not ssl://");
  }

  @Test
  void theRateSetsEachDevicesInterval() {
    SimulatorConfig c =
        SimulatorConfig.load(
            new String[] {"--devices", "300", "--rate", "150", "--broker", "ssl://broker"},
            Map.of());
    assertThat(c.intervalMillis()).isEqualTo(2000);
    assertThat(c.tls).isTrue();
    assertThat(c.port).isEqualTo(8883);
    assertThat(c.deviceId(7)).isEqualTo("sim-0007");
  }

  @Test
  void aBareAnomaliesFlagMeansTrue() {
    String[] args = SimulatorMain.withFlagValues(new String[] {"--anomalies", "--devices", "3"});
    assertThat(SimulatorConfig.load(args, Map.of()).anomalies).isTrue();
    assertThat(SimulatorMain.withFlagValues(new String[] {"--anomalies"}))
        .containsExactly("--anomalies", "true");
  }

  @Test
  void theReadmeTableMatchesTheDeclarations() {
    assertThat(
            io.fleetpulse.config.ReadmeTable.differences(
                java.nio.file.Path.of("README.md"), "simulator", SimulatorConfig.OPTIONS))
        .isEmpty();
  }
}
