package io.fleetpulse.api.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The configured API keys with their roles. Only SHA-256 hashes are kept, so that a heap dump or a
 * log line never shows a key.
 */
public final class ApiKeys {

  private static final String HASHED = "sha256:";

  private final Map<String, Role> roleByHash;

  private ApiKeys(Map<String, Role> roleByHash) {
    this.roleByHash = Map.copyOf(roleByHash);
  }

  /**
   * Parses {@code KEY=ROLE[,KEY=ROLE...]}; a key given as {@code sha256:HEX} is taken as the hash.
   *
   * @throws IllegalArgumentException naming the entry by position, never by its key
   */
  public static ApiKeys parse(String text) {
    Map<String, Role> roles = new HashMap<>();
    String[] entries = text.split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].strip();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.lastIndexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        throw new IllegalArgumentException(
            "entry " + (i + 1) + " is not KEY=ROLE (roles: reader, operator, admin)");
      }
      String key = entry.substring(0, eq).strip();
      String roleName = entry.substring(eq + 1).strip();
      Role role;
      try {
        role = Role.valueOf(roleName.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "entry " + (i + 1) + " has role '" + roleName + "'; roles: reader, operator, admin", e);
      }
      String hash;
      if (key.startsWith(HASHED)) {
        hash = key.substring(HASHED.length()).toLowerCase(Locale.ROOT);
        if (!hash.matches("[0-9a-f]{64}")) {
          throw new IllegalArgumentException(
              "entry " + (i + 1) + ": a sha256: key needs 64 hex characters");
        }
      } else {
        hash = hash(key);
      }
      if (roles.put(hash, role) != null) {
        throw new IllegalArgumentException("entry " + (i + 1) + " repeats an earlier key");
      }
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("no API key is configured");
    }
    return new ApiKeys(roles);
  }

  /** The role of {@code key}, or null when it is not a configured key. */
  public Role roleOf(String key) {
    if (key == null || key.isEmpty()) {
      return null;
    }
    return roleByHash.get(hash(key));
  }

  /** The hex SHA-256 of {@code key}, as {@code sha256:} entries give it. */
  public static String hash(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform is required to provide SHA-256.
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
