package io.archipelago.core.mnasnet;

import io.archipelago.core.space.GraphEncoding;
import java.util.ArrayList;
import java.util.List;

/**
 * A MnasNet architecture as the node-labelled DAG graph predictors read, in the other spaces'
 * convention (ops as nodes, node 0 the input, the last node the output): node 0 is the stem,
 * then one node per layer of the 7 blocks in order, labelled by its op, kernel and
 * squeeze-and-excitation ({@code mb6-k5-se}, {@code sep-k3}: 16 labels), then the head. Each
 * node feeds the next; a layer with a residual is also bypassed: the node before it feeds the
 * node after it, as its input reaches the addition. So a block's depth is the number of its
 * nodes, and skip ops appear only where they change the network.
 *
 * <p>Filter sizes are not in the graph: one-hot node labels have no place for them (16 x 17
 * filter values would be mostly unseen labels). Predictors that need them read the tokens.
 */
final class MnasGraph {
    static final List<String> LABELS;

    static {
        List<String> labels = new ArrayList<>(List.of("input", "output"));
        for (MnasOp op : MnasOp.values()) {
            for (int kernel : MnasSkeleton.KERNELS) {
                labels.add(label(op, kernel, false));
                labels.add(label(op, kernel, true));
            }
        }
        LABELS = List.copyOf(labels);
    }

    private MnasGraph() {}

    static String label(MnasOp op, int kernel, boolean squeezeExcite) {
        return op.token() + "-k" + kernel + (squeezeExcite ? "-se" : "");
    }

    static GraphEncoding of(MnasArch arch) {
        List<MnasLayer> layers = MnasNetSize.STANDARD.layers(arch);
        int n = layers.size() + 2;
        int[][] adjacency = new int[n][n];
        double[][] features = new double[n][LABELS.size()];
        features[0][0] = 1;
        features[n - 1][1] = 1;
        for (int i = 0; i < layers.size(); i++) {
            MnasLayer layer = layers.get(i);
            int node = i + 1;
            features[node][LABELS.indexOf(label(layer.op(), layer.kernel(), layer.seReduced() > 0))] = 1;
            adjacency[node - 1][node] = 1;
            if (layer.residual()) {
                adjacency[node - 1][node + 1] = 1;
            }
        }
        adjacency[n - 2][n - 1] = 1;
        return new GraphEncoding(adjacency, features, LABELS);
    }
}
