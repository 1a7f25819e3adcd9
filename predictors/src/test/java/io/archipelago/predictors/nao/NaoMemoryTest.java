package io.archipelago.predictors.nao;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.predictors.SyntheticCells;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fits keep no memory: a long NAO search refits hundreds of times in one process. The issue's
 * figure (200 full fits, at most 300 MB of growth) comes from {@link NaoProbe}; this is its short
 * form, with a bar that one leaking fit per 10 MB would already break.
 */
class NaoMemoryTest {
    private static final int FITS = 30;

    @Test
    void residentMemoryStaysFlatOverManyFits() {
        assumeTrue(ResidentMemory.available(), "needs Linux's /proc/self/status");
        NaoPredictor<Nb201Cell> predictor =
                new NaoPredictor<>(Nb201Space.INSTANCE, NaoSettings.DEFAULTS.withEpochs(20));
        List<Nb201Cell> cells = SyntheticCells.sample(100, 3);
        double[] targets = SyntheticCells.convolutions(cells);
        predictor.fit(cells, targets, 0);
        double baseline = ResidentMemory.megabytes();
        for (int seed = 1; seed <= FITS; seed++) {
            predictor.fit(cells, targets, seed);
        }
        double growth = ResidentMemory.megabytes() - baseline;
        assertTrue(growth < 100, "resident memory grew " + growth + " MB over " + FITS + " fits");
    }
}
