package io.archipelago.predictors.gcn;

import io.archipelago.core.space.GraphEncoding;
import java.util.List;

/**
 * Graphs stacked for batched graph convolution: all nodes in one {@code [nodes, labels]} feature
 * matrix (graph g owns rows {@code offset[g] .. offset[g+1]-1}), and two sparse propagation
 * matrices over those rows. Row j of {@code forward} averages node j with its predecessors
 * ({@code I + Aᵀ}, rows normalised), row j of {@code backward} node j with its successors
 * ({@code I + A}, rows normalised): the two directions of Wen et al.'s neural predictor.
 * Graphs may differ in size; no padding is needed.
 */
public final class GraphBatch {
    final int graphs;
    final int nodes;
    final int labels;
    final int[] offset;
    final float[] features;
    final Propagation forward;
    final Propagation backward;

    /** A sparse row-normalised matrix in compressed-row form. */
    record Propagation(int[] start, int[] column, float[] weight) {

        /**
         * {@code out[:, shift .. shift+width) += P · h[rows, width]}, where {@code out} rows are
         * {@code stride} wide (so both directions can fill one concatenated matrix).
         */
        void apply(float[] h, int width, float[] out, int stride, int shift) {
            int rows = start.length - 1;
            for (int j = 0; j < rows; j++) {
                int to = j * stride + shift;
                for (int k = start[j]; k < start[j + 1]; k++) {
                    float w = weight[k];
                    int from = column[k] * width;
                    for (int c = 0; c < width; c++) {
                        out[to + c] += w * h[from + c];
                    }
                }
            }
        }

        /** The transpose of {@link #apply}: {@code out[rows, width] += Pᵀ · g[:, shift .. shift+width)}. */
        void applyTransposed(float[] g, int stride, int shift, float[] out, int width) {
            int rows = start.length - 1;
            for (int j = 0; j < rows; j++) {
                int from = j * stride + shift;
                for (int k = start[j]; k < start[j + 1]; k++) {
                    float w = weight[k];
                    int to = column[k] * width;
                    for (int c = 0; c < width; c++) {
                        out[to + c] += w * g[from + c];
                    }
                }
            }
        }
    }

    private GraphBatch(int[] offset, int labels, float[] features, Propagation forward, Propagation backward) {
        this.graphs = offset.length - 1;
        this.nodes = offset[graphs];
        this.labels = labels;
        this.offset = offset;
        this.features = features;
        this.forward = forward;
        this.backward = backward;
    }

    /**
     * @param labels the node-feature width every graph must have
     * @throws IllegalArgumentException when a graph's features are not {@code labels} wide or its
     *     adjacency is not square over its nodes
     */
    public static GraphBatch of(List<GraphEncoding> graphs, int labels) {
        int[] offset = new int[graphs.size() + 1];
        int edges = 0;
        for (int g = 0; g < graphs.size(); g++) {
            GraphEncoding graph = graphs.get(g);
            int n = graph.nodes();
            if (graph.features().length != n) {
                throw new IllegalArgumentException(
                        "graph " + g + " has " + n + " nodes but " + graph.features().length + " feature rows");
            }
            offset[g + 1] = offset[g] + n;
            for (int[] row : graph.adjacency()) {
                if (row.length != n) {
                    throw new IllegalArgumentException("graph " + g + " has a non-square adjacency matrix");
                }
                for (int a : row) {
                    edges += a != 0 ? 1 : 0;
                }
            }
        }
        int total = offset[graphs.size()];
        float[] features = new float[total * labels];
        int[] forwardStart = new int[total + 1];
        int[] backwardStart = new int[total + 1];
        int[] forwardColumn = new int[total + edges];
        int[] backwardColumn = new int[total + edges];
        float[] forwardWeight = new float[total + edges];
        float[] backwardWeight = new float[total + edges];
        int f = 0;
        int b = 0;
        for (int g = 0; g < graphs.size(); g++) {
            GraphEncoding graph = graphs.get(g);
            int[][] adjacency = graph.adjacency();
            int n = graph.nodes();
            for (int j = 0; j < n; j++) {
                int row = offset[g] + j;
                double[] values = graph.features()[j];
                if (values.length != labels) {
                    throw new IllegalArgumentException(
                            "graph " + g + " has " + values.length + " node features, expected " + labels);
                }
                for (int l = 0; l < labels; l++) {
                    features[row * labels + l] = (float) values[l];
                }
                int in = 1;
                int out = 1;
                for (int i = 0; i < n; i++) {
                    in += adjacency[i][j] != 0 && i != j ? 1 : 0;
                    out += adjacency[j][i] != 0 && i != j ? 1 : 0;
                }
                for (int i = 0; i < n; i++) {
                    if (i == j || adjacency[i][j] != 0) {
                        forwardColumn[f] = offset[g] + i;
                        forwardWeight[f++] = 1f / in;
                    }
                    if (i == j || adjacency[j][i] != 0) {
                        backwardColumn[b] = offset[g] + i;
                        backwardWeight[b++] = 1f / out;
                    }
                }
                forwardStart[row + 1] = f;
                backwardStart[row + 1] = b;
            }
        }
        return new GraphBatch(
                offset,
                labels,
                features,
                new Propagation(forwardStart, forwardColumn, forwardWeight),
                new Propagation(backwardStart, backwardColumn, backwardWeight));
    }

    /** Number of graphs. */
    public int size() {
        return graphs;
    }
}
