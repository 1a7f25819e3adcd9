package io.archipelago.core.space;

import java.util.List;

/**
 * An architecture as a node-labelled DAG: {@code adjacency[i][j] == 1} when node i feeds node j
 * (nodes are topologically ordered), and {@code features[i]} one-hot over {@code labels}.
 */
public record GraphEncoding(int[][] adjacency, double[][] features, List<String> labels) {

    public int nodes() {
        return adjacency.length;
    }
}
