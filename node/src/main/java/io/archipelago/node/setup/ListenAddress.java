package io.archipelago.node.setup;

/** Where a server of the node listens, from an option's {@code [HOST:]PORT} ({@code [::1]:8558} for IPv6). */
public record ListenAddress(String host, int port) {

    /**
     * @param option the option's name, for the message
     * @param example a valid value, for the message
     * @param defaultHost the host when the value names none
     */
    public static ListenAddress parse(String option, String text, String defaultHost, String example) {
        String value = text.trim();
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? defaultHost : value.substring(0, colon);
        String portText = colon < 0 ? value : value.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isEmpty() || port < 0 || port > 65535) {
            throw new IllegalArgumentException(
                    option + " must be [HOST:]PORT with PORT in 0..65535 (e.g. " + example + "), got '" + text + "'");
        }
        return new ListenAddress(host, port);
    }

    /** Whether it names every interface rather than one. */
    public boolean wildcard() {
        return host.equals("0.0.0.0") || host.equals("::");
    }
}
