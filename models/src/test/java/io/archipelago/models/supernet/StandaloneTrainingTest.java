package io.archipelago.models.supernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import io.archipelago.models.data.FashionMnist;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One cell trained alone at tiny sizes: only its own ops learn, same seed same numbers, disjoint splits. */
class StandaloneTrainingTest {
    /** Edge 0 (0-1) conv3x3 and edge 4 (1-3) conv1x1 are its only live edges. */
    static final Nb201Cell CELL =
            SposTrainerTest.parse("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|nor_conv_1x1~1|none~2|");

    @BeforeAll
    static void oneThread() {
        NdThreads.configure(1);
    }

    @Test
    void onlyTheCellsOwnOpsChange() {
        ImageSet data = SposTrainerTest.synthetic();
        TrainingSpec spec = SposTrainerTest.spec(data, 6, 4, false);
        try (SposTrainer trainer = SposTrainer.standalone(spec, data, CELL)) {
            SposSupernet net = trainer.supernet();
            float[][] before = SposTrainerTest.weights(net);
            trainer.train(6, r -> assertEquals(CELL, r.cell()));
            for (int position = 0; position < 3; position++) {
                for (int e = 0; e < Nb201Cell.EDGES; e++) {
                    for (Nb201Op op : List.of(Nb201Op.NOR_CONV_1X1, Nb201Op.NOR_CONV_3X3)) {
                        Weight w = net.cellConv(position, e, op);
                        boolean own = (e == 0 && op == Nb201Op.NOR_CONV_3X3) || (e == 4 && op == Nb201Op.NOR_CONV_1X1);
                        boolean same = Arrays.equals(before[w.index()], w.toFloatArray());
                        assertEquals(!own, same, w.name() + (own ? " did not learn" : " was touched"));
                    }
                }
            }
            assertThrows(IllegalStateException.class, trainer::checkpoint);
        }
    }

    @Test
    void theSameSeedGivesTheSameNumbers() {
        StandaloneImages images = tiny(7);
        TrainingSpec spec = spec(images, 2, 3);
        List<StandaloneTraining.Epoch> told = new ArrayList<>();
        StandaloneTraining.Result a = StandaloneTraining.train(CELL, spec, images, told::add);
        StandaloneTraining.Result b = StandaloneTraining.train(CELL, spec, tiny(7), null);
        assertEquals(2, a.epochs().size());
        assertEquals(a.epochs(), told);
        assertArrayEquals(numbers(a), numbers(b));
        assertTrue(a.validAccuracy() >= 0 && a.validAccuracy() <= 1);
        assertEquals(a.epochs().get(1).validAccuracy(), a.validAccuracy());

        double[] other = numbers(StandaloneTraining.train(CELL, spec(images, 2, 4), images, null));
        assertTrue(!Arrays.equals(numbers(a), other), "another seed trains differently");
    }

    @Test
    void trainingImagesAreTheSupernetsAndValidationIsDisjointFromThem() {
        StandaloneImages images = tiny(7);
        assertEquals(24, images.train().size());
        assertEquals(16, images.valid().size());
        assertEquals(16, images.test().size());
        ImageSet supernets = ImageSet.sample(t10k(), 24, 7, 16, "fashion-mnist t10k");
        assertEquals(supernets.description(), images.train().description());
        assertEquals(pixels(supernets), pixels(images.train()));
        Set<List<Float>> trained = new HashSet<>(pixels(images.train()));
        for (List<Float> v : pixels(images.valid())) {
            assertTrue(!trained.contains(v), "a validation image is a training image");
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> StandaloneImages.sample(t10k(), "a", t10k(), "b", 60, 5, 10, 0, 16));
    }

    private static double[] numbers(StandaloneTraining.Result r) {
        List<Double> v = new ArrayList<>();
        for (StandaloneTraining.Epoch e : r.epochs()) {
            v.addAll(List.of(e.trainLoss(), e.trainAccuracy(), e.validAccuracy(), e.validLoss()));
        }
        v.addAll(List.of(r.testAccuracy(), r.testLoss(), (double) r.parameters()));
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static TrainingSpec spec(StandaloneImages images, int epochs, long seed) {
        ImageSet train = images.train();
        return new TrainingSpec(
                2,
                1,
                16,
                10,
                8,
                0.025,
                0.9,
                5e-4,
                TrainingSpec.stepsFor(epochs, train.size(), 8),
                train.size(),
                train.description(),
                seed,
                false);
    }

    /** 24 training, 16 validation and 16 test images of the 64 in the tiny t10k copy, at 16x16. */
    static StandaloneImages tiny(long seed) {
        return StandaloneImages.sample(
                t10k(), "fashion-mnist t10k", t10k(), "fashion-mnist t10k", 24, 16, 16, seed, 16);
    }

    static FashionMnist t10k() {
        try {
            return FashionMnist.open(Path.of(StandaloneTrainingTest.class
                            .getResource("/fashion-mnist/t10k-images-idx3-ubyte.gz")
                            .toURI())
                    .getParent());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static List<List<Float>> pixels(ImageSet set) {
        int s = set.imageSize();
        int[] all = new int[set.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        float[] f = new float[all.length * 3 * s * s];
        set.gather(all, new Act(all.length, 3, s, s, f, null), null);
        List<List<Float>> out = new ArrayList<>();
        int per = 3 * s * s;
        for (int i = 0; i < all.length; i++) {
            List<Float> img = new ArrayList<>(per);
            for (int k = 0; k < per; k++) {
                img.add(f[i * per + k]);
            }
            out.add(img);
        }
        return out;
    }
}
