package io.archipelago.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A search in this JVM whose evaluator is {@code worker:KIND}, started in the background with its
 * own gateway: the tests' workers dial {@link #port} with the token written to {@link #tokenFile}.
 */
final class WorkerSearch {
    final int port;
    final Path tokenFile;
    final CompletableFuture<CliTest.Run> run;

    private WorkerSearch(int port, Path tokenFile, CompletableFuture<CliTest.Run> run) {
        this.port = port;
        this.tokenFile = tokenFile;
        this.run = run;
    }

    /** @param args the rest of the search's command line (metric, budget, --out, ...) */
    static WorkerSearch start(Path tmp, String token, String kind, String... args) throws IOException {
        Path tokenFile = Files.writeString(tmp.resolve("token-" + kind), token + "\n");
        int port = freePort();
        List<String> line = new ArrayList<>(List.of(
                "search",
                "--evaluator",
                "worker:" + kind,
                "--quiet",
                "--worker-port",
                Integer.toString(port),
                "--worker-token-file",
                tokenFile.toString()));
        line.addAll(List.of(args));
        return new WorkerSearch(
                port, tokenFile, CompletableFuture.supplyAsync(() -> CliTest.run(line.toArray(String[]::new))));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** evaluations.csv's rows, by column name. */
    static List<ObjectNode> rows(Path csv) throws IOException {
        try (var it = new CsvMapper()
                .readerFor(ObjectNode.class)
                .with(CsvSchema.emptySchema().withHeader())
                .<ObjectNode>readValues(csv.toFile())) {
            return it.readAll();
        }
    }
}
