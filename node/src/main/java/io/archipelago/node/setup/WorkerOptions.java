package io.archipelago.node.setup;

import io.archipelago.node.worker.WorkerGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Where a worker gateway listens and the token its workers must present: options of {@code node}
 * (role gateway) and of a local {@code search} or {@code resume} whose evaluator is
 * {@code worker:KIND}. The token comes from a file or the environment, never the command line,
 * which other users of a shared machine can read.
 */
public final class WorkerOptions {
    public static final String TOKEN_VARIABLE = "ARCHIPELAGO_WORKER_TOKEN";

    @Option(
            names = "--worker-port",
            paramLabel = "[HOST:]PORT",
            description = "Open a worker gateway: worker processes (clients/python) dial it, and their slots serve the "
                    + "worker:KIND evaluators (HOST default: this node's --host, or 127.0.0.1 for a search).")
    public String port;

    @Option(
            names = "--worker-token-file",
            paramLabel = "FILE",
            description = "The token workers must present: the first line of FILE (default: the environment variable "
                    + TOKEN_VARIABLE + ").")
    public Path tokenFile;

    @Option(
            names = "--worker-tls-cert",
            paramLabel = "FILE",
            description = "The gateway's certificate chain (PEM): with --worker-tls-key, workers must dial with TLS "
                    + "(they trust it with --tls-ca / ARCHIPELAGO_WORKER_TLS_CA).")
    public Path tlsCertificate;

    @Option(
            names = "--worker-tls-key",
            paramLabel = "FILE",
            description = "The private key of --worker-tls-cert (PKCS#8 PEM).")
    public Path tlsKey;

    /**
     * Whether a gateway was asked for.
     *
     * @throws IllegalArgumentException when a gateway's option is given without --worker-port
     */
    public boolean enabled() {
        if (port == null) {
            String orphan = tokenFile != null
                    ? "--worker-token-file"
                    : tlsCertificate != null ? "--worker-tls-cert" : tlsKey != null ? "--worker-tls-key" : null;
            if (orphan != null) {
                throw new IllegalArgumentException(
                        orphan + " belongs to a worker gateway: add --worker-port [HOST:]PORT");
            }
        }
        return port != null;
    }

    /**
     * The gateway's settings.
     *
     * @param defaultHost where to listen when {@code --worker-port} names no host
     * @throws IllegalArgumentException naming the option that is wrong, or the missing token
     */
    public WorkerGateway.Settings settings(String defaultHost) {
        if (port == null) {
            throw new IllegalArgumentException(
                    "a worker:KIND evaluator needs a worker gateway: --worker-port [HOST:]PORT");
        }
        int colon = port.lastIndexOf(':');
        String host = colon < 0 ? defaultHost : port.substring(0, colon);
        String number = port.substring(colon + 1);
        int value;
        try {
            value = Integer.parseInt(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--worker-port: '" + number + "' is not a port number");
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("--worker-port: empty host in '" + port + "'");
        }
        for (Path file : java.util.Arrays.asList(tlsCertificate, tlsKey)) {
            if (file != null && !Files.isReadable(file)) {
                throw new IllegalArgumentException(
                        (file == tlsKey ? "--worker-tls-key " : "--worker-tls-cert ") + file + " cannot be read");
            }
        }
        return new WorkerGateway.Settings(
                host, value, token(), WorkerGateway.Settings.DEFAULT_HEARTBEAT, tlsCertificate, tlsKey);
    }

    private String token() {
        if (tokenFile != null) {
            List<String> lines;
            try {
                lines = Files.readAllLines(tokenFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("--worker-token-file " + tokenFile + " cannot be read ("
                        + (Files.exists(tokenFile) ? "not readable as UTF-8 text" : "no such file") + ")");
            }
            String token = lines.isEmpty() ? "" : lines.get(0).strip();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("--worker-token-file " + tokenFile + ": its first line is empty");
            }
            return token;
        }
        String token = System.getenv(TOKEN_VARIABLE);
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException(
                    "the worker gateway needs a token: --worker-token-file FILE or the environment variable "
                            + TOKEN_VARIABLE);
        }
        return token.strip();
    }
}
