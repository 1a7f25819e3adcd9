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
            int units = (int) mask.size(1);
            // one bulk copy: element-wise access to an INDArray costs microseconds per element
            float[] m = mask.dup('c').data().asFloat();
            for (int i = 0; i < n; i++) {
                int row = i * units;
                for (int u = 0; u < units; u++) {
                    if (m[row + u] > 0) {
                        patterns[i].set(offset + u);
                    }
                }
            }
            offset += units;
        }
        Set<BitSet> distinct = new HashSet<>();
        for (BitSet p : patterns) {
            distinct.add(p);
        }
        return distinct.size();
    }
}
