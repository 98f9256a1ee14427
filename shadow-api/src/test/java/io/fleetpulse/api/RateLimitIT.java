package io.fleetpulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.api.internal.RateLimits;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rate limits per key over real HTTP, on an instance of its own with small limits: readers 5/s with
 * a burst of 3, one key limited to 1/s on its own. Each test uses keys no other test uses.
 */
class RateLimitIT extends ApiTestBase {

  private static final String R1 = "rl-reader-1";
  private static final String R2 = "rl-reader-2";
  private static final String R3 = "rl-reader-3";
  private static final String SLOW = "rl-reader-slow";
  private static ShadowApi limited;
  private static String limitedBase;

  @BeforeAll
  static void startLimited() {
    String keys = ADMIN + "=admin," + R1 + "=reader," + R2 + "=reader," + R3 + "=reader,";
    limited =
        new ShadowApi(
                config(
                    Map.of(
                        "auth.api-keys", keys + SLOW + "=reader",
                        "ratelimit.reader", "5/3",
                        "ratelimit.keys", RateLimits.keyId(SLOW) + "=1/1")))
            .start();
    limitedBase = "http://127.0.0.1:" + limited.port();
  }

  @AfterAll
  static void stopLimited() {
    if (limited != null) {
      limited.close();
    }
  }

  private static HttpResponse<String> list(String key) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(limitedBase + "/devices?limit=1"))
            .header("X-Api-Key", key)
            .timeout(Duration.ofSeconds(20))
            .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends until the first refusal (the burst is 3: at most a few pass). */
  private static HttpResponse<String> exhaust(String key) {
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = list(key);
      if (r.statusCode() == 429) {
        return r;
      }
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    throw new AssertionError("20 requests in a row were not limited");
  }

  @Test
  void overTheLimitIs429WithRetryAfterAndAProblem() {
    for (int i = 0; i < 3; i++) {
      assertThat(list(R1).statusCode()).as("request %d of the burst", i + 1).isEqualTo(200);
    }
    HttpResponse<String> refused = exhaust(R1);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(refused.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    JsonNode problem = json(refused);
    assertThat(problem.path("status").asInt()).isEqualTo(429);
    assertThat(problem.path("code").asText()).isEqualTo("rate_limited");
    assertThat(problem.path("title").asText()).isEqualTo("Too Many Requests");
    assertThat(problem.path("detail").asText()).contains("5.0 requests/s").doesNotContain(R1);
  }

  @Test
  void anotherKeyOfTheSameRoleIsUnaffected() {
    exhaust(R2);
    assertThat(list(R2).statusCode()).isEqualTo(429);
    assertThat(list(R3).statusCode()).isEqualTo(200);
    assertThat(list(ADMIN).statusCode()).isEqualTo(200);
  }

  @Test
  void afterRetryAfterTheKeyPassesAgain() {
    HttpResponse<String> refused = exhaust(SLOW);
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    long refusedAt = System.nanoTime();
    // Its own limit (1/s, burst 1), not the readers' 5/s: the next second is refused too.
    assertThat(json(refused).path("detail").asText()).contains("1.0 requests/s (burst 1)");
    await(() -> list(SLOW).statusCode() == 200, "the key to pass again");
    long waited = Duration.ofNanos(System.nanoTime() - refusedAt).toMillis();
    assertThat(waited).isLessThanOrEqualTo(retryAfter * 1000 + 500);
    assertThat(waited).isGreaterThan(300);
  }
}
