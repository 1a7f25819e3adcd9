package io.archipelago.models.teg;

import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Pass;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * E: the number of linear regions a ReLU network cuts its input space into, estimated as TE-NAS
 * does: the count of distinct activation sign patterns (over every ReLU) among sampled inputs.
 */
public final class LinearRegions {
    private LinearRegions() {}

    public static int count(Layer net, INDArray inputs) {
        int n = (int) inputs.size(0);
        Pass pass = Pass.recordingActivations(Pass.BatchNorm.RUNNING, n);
        net.forward(inputs, pass);
        List<INDArray> masks = pass.reluPatterns();
        BitSet[] patterns = new BitSet[n];
        for (int i = 0; i < n; i++) {
            patterns[i] = new BitSet();
        }
        int offset = 0;
        for (INDArray mask : masks) {
            float[][] m = mask.toFloatMatrix();
            for (int i = 0; i < n; i++) {
                float[] row = m[i];
                for (int u = 0; u < row.length; u++) {
                    if (row[u] > 0) {
                        patterns[i].set(offset + u);
                    }
                }
            }
            offset += (int) mask.size(1);
        }
        Set<BitSet> distinct = new HashSet<>();
        for (BitSet p : patterns) {
            distinct.add(p);
        }
        return distinct.size();
    }
}
