package io.fleetpulse.api.webhooks;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Refuses webhook receivers on loopback, link-local, private, unique-local, multicast or wildcard
 * addresses (a webhook URL is user input that the service calls from inside the network), unless
 * the URL's host is allow-listed. Checked on create/update and again before every request, since a
 * name may resolve differently later.
 */
public final class SsrfGuard {

  private final List<String> allowed;

  public SsrfGuard(List<String> allowed) {
    this.allowed = List.copyOf(allowed);
  }

  /** Lower case, without IPv6 brackets: the form hosts are compared in. */
  static String normalize(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h;
  }

  /**
   * Why {@code url} may not be called, or null when it may.
   *
   * @param url an absolute http(s) URL
   */
  public String refusal(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return "the URL must be http or https";
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      return "the URL has no host";
    }
    if (url.getUserInfo() != null) {
      return "the URL must not carry credentials";
    }
    String host = normalize(url.getHost());
    if (allowed.contains(host)) {
      return null;
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return "the host '" + host + "' does not resolve";
    }
    for (InetAddress a : addresses) {
      if (allowed.contains(normalize(a.getHostAddress()))) {
        continue;
      }
      String why = internal(a);
      if (why != null) {
        return "the host '"
            + host
            + "' is "
            + why
            + " ("
            + a.getHostAddress()
            + "); allow it in webhooks.allow-private-hosts if it is meant";
      }
    }
    return null;
  }

  private static String internal(InetAddress a) {
    if (a.isLoopbackAddress()) {
      return "a loopback address";
    }
    if (a.isLinkLocalAddress()) {
      return "a link-local address";
    }
    if (a.isSiteLocalAddress()) {
      return "a private address";
    }
    if (a.isAnyLocalAddress()) {
      return "a wildcard address";
    }
    if (a.isMulticastAddress()) {
      return "a multicast address";
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address && (b[0] & 0xfe) == 0xfc) {
      return "a unique-local address";
    }
    if (b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64) {
      return "a carrier-grade NAT address";
    }
    return null;
  }
}
