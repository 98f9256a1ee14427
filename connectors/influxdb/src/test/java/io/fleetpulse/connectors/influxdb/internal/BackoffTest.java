package io.fleetpulse.connectors.influxdb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));

  @Test
  void doublesFromTheInitialDelayUpToTheMaximum() {
    assertThat(backoff.delay(1, Optional.empty())).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.delay(2, Optional.empty())).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.delay(4, Optional.empty())).isEqualTo(Duration.ofMillis(800));
    assertThat(backoff.delay(5, Optional.empty())).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.delay(60, Optional.empty())).isEqualTo(Duration.ofSeconds(1));
  }

  private final Backoff patient = new Backoff(Duration.ofMillis(100), Duration.ofMinutes(1));

  @Test
  void takesRetryAfterSecondsAsTheDelay() {
    assertThat(patient.delay(1, Optional.of("7"))).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void takesRetryAfterHttpDateAsTheTimeToWaitFor() {
    String inTenSeconds =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(10));

    assertThat(patient.delay(1, Optional.of(inTenSeconds)))
        .isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
  }

  @Test
  void aRetryAfterLongerThanTheMaximumBackoffIsCapped() {
    // Retry-After: 3600 used to park the sender (and the checkpoint waiting for it) for an hour.
    assertThat(backoff.delay(1, Optional.of("3600"))).isEqualTo(Duration.ofSeconds(1));
    String inAnHour = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusHours(1));
    assertThat(backoff.delay(1, Optional.of(inAnHour))).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void ignoresARetryAfterItCannotRead() {
    assertThat(backoff.delay(1, Optional.of("soon"))).isEqualTo(Duration.ofMillis(100));
  }
}
