package io.archipelago.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Squeeze-and-excitation against its definition and finite differences, in double precision. */
class SqueezeExciteTest {
    private static DataType previous;

    @BeforeAll
    static void doublePrecision() {
        previous = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
    }

    private static INDArray input() {
        return Nd4j.randn(new SplittableRandom(4).nextLong(), new long[] {3, 4, 5, 5})
                .castTo(DataType.DOUBLE);
    }

    @Test
    void scalesEachChannelByItsGate() {
        SqueezeExcite se = new SqueezeExcite("se", 4, 2, new SplittableRandom(1));
        List<Parameter> params = new java.util.ArrayList<>();
        se.collectParameters(params);
        assertEquals(
                List.of("se.reduce.weight", "se.reduce.bias", "se.expand.weight", "se.expand.bias"),
                params.stream().map(Parameter::name).toList());
        assertEquals(
                4 * 2 + 2 + 2 * 4 + 4,
                params.stream().mapToLong(Parameter::size).sum());
        INDArray x = input();
        INDArray y = se.forward(x, Pass.inference(Pass.BatchNorm.RUNNING, 3));
        INDArray w1 = params.get(0).value(), b1 = params.get(1).value();
        INDArray w2 = params.get(2).value(), b2 = params.get(3).value();
        for (int n = 0; n < 3; n++) {
            double[] hidden = new double[2];
            for (int r = 0; r < 2; r++) {
                double z = b1.getDouble(r);
                for (int c = 0; c < 4; c++) {
                    z += w1.getDouble(r, c)
                            * x.get(NDArrayIndex.point(n), NDArrayIndex.point(c))
                                    .meanNumber()
                                    .doubleValue();
                }
                hidden[r] = Math.max(0, z);
            }
            for (int c = 0; c < 4; c++) {
                double e = b2.getDouble(c) + w2.getDouble(c, 0) * hidden[0] + w2.getDouble(c, 1) * hidden[1];
                double gate = 1 / (1 + Math.exp(-e));
                assertEquals(gate * x.getDouble(n, c, 2, 3), y.getDouble(n, c, 2, 3), 1e-12);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new SqueezeExcite("se", 4, 0, new SplittableRandom(1)));
    }

    /**
     * Samples do not interact in SE: in both modes cotangent k's gradient is d(sum of sample k's
     * outputs), checked by central differences, and the input cotangent lives on sample k alone.
     */
    @ParameterizedTest
    @EnumSource(Pass.BatchNorm.class)
    void perCotangentGradientsMatchFiniteDifferences(Pass.BatchNorm mode) {
        SqueezeExcite se = new SqueezeExcite("se", 4, 2, new SplittableRandom(2));
        INDArray x = input();
        int batch = 3;
        Map<String, INDArray> grads = new HashMap<>();
        Pass pass = Pass.withGradients(mode, batch, (p, g) -> grads.put(p.name(), g.dup()));
        INDArray y = se.forward(x, pass);
        int m = pass.samplesPerCotangent();
        INDArray dy = Nd4j.zeros(DataType.DOUBLE, batch * m, 4, 5, 5);
        for (int k = 0; k < batch; k++) {
            dy.get(NDArrayIndex.point((long) k * m + (m == 1 ? 0 : k))).assign(1);
        }
        INDArray dx = se.backward(dy, pass);
        assertArrayEquals(new long[] {batch * m, 4, 5, 5}, dx.shape());
        double h = 1e-6;
        List<Parameter> params = new java.util.ArrayList<>();
        se.collectParameters(params);
        for (Parameter p : params) {
            INDArray flat = p.value().reshape(p.size());
            for (int i = 0; i < p.size(); i++) {
                double saved = flat.getDouble(i);
                flat.putScalar(i, saved + h);
                INDArray plus = se.forward(x, Pass.inference(mode, batch)).sum(1, 2, 3);
                flat.putScalar(i, saved - h);
                INDArray minus = se.forward(x, Pass.inference(mode, batch)).sum(1, 2, 3);
                flat.putScalar(i, saved);
                for (int k = 0; k < batch; k++) {
                    double numeric = (plus.getDouble(k) - minus.getDouble(k)) / (2 * h);
                    assertEquals(numeric, grads.get(p.name()).getDouble(k, i), 1e-7, p.name() + "[" + i + "] " + k);
                }
            }
        }
        INDArray flatX = x.reshape(x.length());
        for (int i = 0; i < x.length(); i += 7) {
            double saved = flatX.getDouble(i);
            flatX.putScalar(i, saved + h);
            INDArray plus = se.forward(x, Pass.inference(mode, batch)).sum(1, 2, 3);
            flatX.putScalar(i, saved - h);
            INDArray minus = se.forward(x, Pass.inference(mode, batch)).sum(1, 2, 3);
            flatX.putScalar(i, saved);
            int sample = (int) (i / (4 * 25));
            long within = i % (4 * 25);
            for (int k = 0; k < batch; k++) {
                double numeric = (plus.getDouble(k) - minus.getDouble(k)) / (2 * h);
                long row = m == 1 ? (k == sample ? k : -1) : (long) k * m + sample;
                double analytic = row < 0
                        ? 0
                        : dx.get(NDArrayIndex.point(row)).reshape(100).getDouble(within);
                assertEquals(numeric, analytic, 1e-7, "input " + i + " cotangent " + k);
            }
        }
    }
}
