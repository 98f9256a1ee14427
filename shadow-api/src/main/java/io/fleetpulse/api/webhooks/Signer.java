package io.fleetpulse.api.webhooks;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookSigningException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;

/**
 * Standard Webhooks signatures through the specification's reference library: {@code v1,} + base64
 * HMAC-SHA256 of {@code id.timestamp.body}, one per secret, space-separated.
 */
public final class Signer {

  private static final String PREFIX = "whsec_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Signer() {}

  /** A new secret: {@code whsec_} and 32 random bytes in base64. */
  public static String newSecret() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** Why {@code secret} is not a usable secret, or null. */
  public static String problem(String secret) {
    if (secret == null || !secret.startsWith(PREFIX)) {
      return "secret must be 'whsec_' followed by the base64 key";
    }
    try {
      byte[] key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
      if (key.length < 24 || key.length > 64) {
        return "the secret's key must be 24 to 64 bytes";
      }
    } catch (IllegalArgumentException e) {
      return "the secret's key is not base64";
    }
    return null;
  }

  /** The {@code webhook-signature} header value for one request. */
  public static String signature(
      List<String> secrets, String msgId, long timestampSeconds, String body) {
    StringJoiner all = new StringJoiner(" ");
    for (String secret : secrets) {
      try {
        all.add(new Webhook(secret).sign(msgId, timestampSeconds, body));
      } catch (WebhookSigningException e) {
        throw new IllegalStateException("cannot sign a webhook: " + e.getMessage(), e);
      }
    }
    return all.toString();
  }
}
