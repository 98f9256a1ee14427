package io.fleetpulse.common;

import java.nio.charset.StandardCharsets;

/** UTF-8 for headers and keys, null-safe both ways. */
public final class Utf8 {

  private Utf8() {}

  /** The UTF-8 bytes of {@code text}, or null for null. */
  public static byte[] bytes(String text) {
    return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code bytes} decoded as UTF-8 (invalid sequences replaced), or null for null. */
  public static String string(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
