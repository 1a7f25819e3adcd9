package io.archipelago.models.supernet;

import io.archipelago.core.nb201.Nb201Cell;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Evaluates cells with a supernet's inherited weights: accuracy and mean loss on fixed
 * {@link EvalImages}, batch norm on each batch's statistics. Deterministic, and safe to call from
 * several threads at once (each call borrows its own {@link Workspace}; the weights are only
 * read), so evaluator slots of one JVM can share one supernet; nothing may train it meanwhile.
 */
public final class SupernetEvaluator implements AutoCloseable {
    private final SposSupernet net;
    private final ConcurrentLinkedDeque<Workspace> idle = new ConcurrentLinkedDeque<>();
    private final List<Workspace> all = new ArrayList<>();
    private volatile boolean closed;

    public SupernetEvaluator(SposSupernet net) {
        this.net = net;
    }

    public SposSupernet supernet() {
        return net;
    }

    public Evaluation evaluate(Nb201Cell cell, EvalImages images) {
        if (images.images().imageSize() != net.shape().height()
                || images.images().classes() != net.shape().classes()) {
            throw new IllegalArgumentException("images of " + images.images().imageSize() + "px in "
                    + images.images().classes() + " classes for a supernet of " + net.shape());
        }
        Workspace ws = borrow();
        try {
            long correct = 0;
            double lossSum = 0;
            int s = images.images().imageSize();
            int[] right = new int[1];
            for (int b = 0; b < images.batchCount(); b++) {
                int[] idx = images.batch(b);
                Act x = ws.act(idx.length, 3, s, s);
                images.images().gather(idx, x, null);
                double[] logits = new SupernetTrace(net, ws, false).forward(cell, x);
                ws.reset();
                lossSum += idx.length
                        * SupernetTrace.crossEntropy(
                                logits, images.images().labels(idx), net.shape().classes(), null, right);
                correct += right[0];
            }
            int n = images.size();
            return new Evaluation(cell, correct / (double) n, lossSum / n, n, net.childParameterCount(cell));
        } finally {
            ws.reset();
            idle.push(ws);
        }
    }

    private Workspace borrow() {
        if (closed) {
            throw new IllegalStateException("evaluator closed");
        }
        Workspace ws = idle.poll();
        if (ws == null) {
            ws = new Workspace(net.precision());
            synchronized (all) {
                all.add(ws);
            }
        }
        return ws;
    }

    /** Frees the workspaces' device buffers; call when no evaluation is running. */
    @Override
    public void close() {
        closed = true;
        synchronized (all) {
            all.forEach(Workspace::close);
            all.clear();
        }
        idle.clear();
    }
}
