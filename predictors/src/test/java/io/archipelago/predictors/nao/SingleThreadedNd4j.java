package io.archipelago.predictors.nao;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a test class with ND4J on one thread and restores the previous settings afterwards. NAO's
 * graph is many tiny ops; on a busy 2-core machine, handing each to a second thread costs a
 * scheduler wake-up, and a fit measured 3–4× slower (far worse under heavy load) than on one.
 */
final class SingleThreadedNd4j implements BeforeAllCallback, AfterAllCallback {
    private int threads;
    private int masterThreads;
    private int blasThreads;

    @Override
    public void beforeAll(ExtensionContext context) {
        threads = Nd4j.getEnvironment().maxThreads();
        masterThreads = Nd4j.getEnvironment().maxMasterThreads();
        blasThreads = Nd4j.factory().blas().getMaxThreads();
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        Nd4j.factory().blas().setMaxThreads(1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(masterThreads);
        Nd4j.factory().blas().setMaxThreads(blasThreads);
    }
}
