package io.fleetpulse.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void aFullBucketLetsTheBurstThroughThenSaysHowLongToWait() {
    TokenBucket bucket = new TokenBucket(2, 3, 0);
    assertThat(bucket.take(0)).isZero();
    assertThat(bucket.take(0)).isZero();
    assertThat(bucket.take(0)).isZero();
    assertThat(bucket.take(0)).isEqualTo(SECOND / 2);
    // A refusal takes nothing: the wait shrinks with time.
    assertThat(bucket.take(SECOND / 4)).isEqualTo(SECOND / 4);
    assertThat(bucket.take(SECOND / 2)).isZero();
  }

  @Test
  void itRefillsAtTheRateUpToTheBurstOnly() {
    TokenBucket bucket = new TokenBucket(10, 2, 0);
    bucket.take(0);
    bucket.take(0);
    long later = 100 * SECOND;
    assertThat(bucket.take(later)).isZero();
    assertThat(bucket.take(later)).isZero();
    assertThat(bucket.take(later)).isPositive();
  }

  @Test
  void limitsParseAsRateAndBurst() {
    assertThat(RateLimits.Limit.parse("100/200")).isEqualTo(new RateLimits.Limit(100, 200));
    assertThat(RateLimits.Limit.parse("0.5")).isEqualTo(new RateLimits.Limit(0.5, 1));
    assertThat(RateLimits.Limit.parse("0")).isEqualTo(RateLimits.Limit.NONE);
    assertThat(RateLimits.Limit.parse("5/0")).isNull();
    assertThat(RateLimits.Limit.parse("fast")).isNull();
  }

  @Test
  void aKeysOwnLimitIsFoundByItsIdAndNeverNeedsTheKey() {
    String id = RateLimits.keyId("s3cret");
    RateLimits limits =
        new RateLimits(
            java.util.Map.of(Role.READER, new RateLimits.Limit(1, 1)),
            RateLimits.parseKeyLimits("sha256:" + ApiKeys.hash("s3cret") + "=0"));
    assertThat(id).hasSize(12).isEqualTo(ApiKeys.hash("s3cret").substring(0, 12));
    assertThat(limits.limitOf(id, Role.READER)).isEqualTo(RateLimits.Limit.NONE);
    assertThat(limits.limitOf("000000000000", Role.READER)).isEqualTo(new RateLimits.Limit(1, 1));
    for (int i = 0; i < 100; i++) {
      assertThat(limits.acquire(id, Role.READER)).isZero();
    }
    assertThat(limits.acquire("000000000000", Role.READER)).isZero();
    assertThat(limits.acquire("000000000000", Role.READER)).isEqualTo(1);
  }
}
