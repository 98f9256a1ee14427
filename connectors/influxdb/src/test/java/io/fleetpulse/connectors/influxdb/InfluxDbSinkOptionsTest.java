package io.fleetpulse.connectors.influxdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class InfluxDbSinkOptionsTest {

  @Test
  void namesEverySettingThatIsWrong() {
    assertThatThrownBy(
            () ->
                InfluxDbSinkOptions.builder()
                    .batchSize(0)
                    .maxInFlightRequests(0)
                    .flushInterval(Duration.ZERO)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("url is required")
        .hasMessageContaining("database is required for the v1 API")
        .hasMessageContaining("batchSize must be at least 1")
        .hasMessageContaining("maxInFlightRequests must be at least 1")
        .hasMessageContaining("flushInterval must be positive");
  }

  @Test
  void v2NeedsABucket() {
    assertThatThrownBy(
            () -> InfluxDbSinkOptions.builder().url("http://h:8086").v2("org", null, "t").build())
        .hasMessageContaining("bucket is required for the v2 API");
  }

  @Test
  void neverShowsPasswordOrToken() {
    String shown =
        InfluxDbSinkOptions.builder()
                .url("http://h:8086")
                .v1("db")
                .username("u")
                .password("secret-password")
                .build()
                .toString()
            + InfluxDbSinkOptions.builder()
                .url("http://h:8086")
                .v2("o", "b", "secret-token")
                .build();

    assertThat(shown).doesNotContain("secret");
  }
}
