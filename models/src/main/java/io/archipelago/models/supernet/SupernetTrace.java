package io.archipelago.models.supernet;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One forward pass of a batch through a {@link SposSupernet} for one cell, remembering what the
 * backward pass needs, and that backward pass: the summed gradients of a loss given the gradient
 * of the logits. Everything lives in the caller's {@link Workspace}, which the caller resets after
 * the pass; one trace per thread at a time.
 *
 * <p>Hand-written "lean" layers rather than {@code nn.Layer}: those compute per-cotangent
 * gradients (for NTK indicators) from ND4J ops, which measured 20-50 times slower per batch-norm
 * or ReLU than the fused Java loops of {@link Kernels} here, and cache their state in the layer
 * objects, which would forbid sharing the weights between evaluating threads.
 */
final class SupernetTrace {
    private final SposSupernet net;
    private final Workspace ws;
    private final boolean keep;
    private final List<Object> blocks = new ArrayList<>(); // ConvBn (stem), CellTrace, ReductionTrace
    private HeadTrace head;

    SupernetTrace(SposSupernet net, Workspace ws, boolean forBackward) {
        if (ws.precision() != net.precision()) {
            throw new IllegalArgumentException(
                    "workspace of " + ws.precision() + " for a " + net.precision() + " supernet");
        }
        this.net = net;
        this.ws = ws;
        this.keep = forBackward;
    }

    // ------------------------------------------------------------------ units

    /** [ReLU] - conv - [BN]: the state one needs for its backward. */
    private final class ConvBn {
        final Weight conv;
        final int stride;
        final int pad;
        final boolean relu;
        final Weight gamma; // null: BN without affine parameters
        final Weight beta;
        final boolean bn;
        Act input;
        INDArray deviceInput;
        Act xhat;
        double[] invStd;

        ConvBn(Weight conv, int stride, boolean relu, boolean bn, Weight gamma, Weight beta) {
            this.conv = conv;
            this.stride = stride;
            this.pad = conv.shape()[2] / 2;
            this.relu = relu;
            this.bn = bn;
            this.gamma = gamma;
            this.beta = beta;
        }

        /** The output; with an affine-free BN it is also x-hat, which backward reads: callers must not write into it. */
        Act forward(Act x) {
            int[] ws4 = conv.shape();
            int co = ws4[0], k = ws4[2];
            int ho = (x.h + 2 * pad - k) / stride + 1;
            int wo = (x.w + 2 * pad - k) / stride + 1;
            input = x;
            deviceInput = ws.device(x.n, x.c, x.h, x.w);
            Kernels.toDevice(x, deviceInput, relu, ws);
            INDArray out = ws.device(x.n, co, ho, wo);
            DeviceConv.forward(deviceInput, conv.device, out, stride, pad);
            Act z = ws.act(x.n, co, ho, wo);
            Kernels.fromDevice(out, z);
            ws.giveBack(out);
            if (!keep || stride == 1) { // stride-1 backward rebuilds its inputs from the heap (see backward)
                ws.giveBack(deviceInput);
                deviceInput = null;
            }
            if (!bn) {
                return z;
            }
            invStd = new double[co];
            if (gamma == null) {
                Kernels.bnForward(z, z, z, null, null, invStd);
                xhat = z;
                return z;
            }
            Act y = ws.actLike(z);
            Kernels.bnForward(z, z, y, values(gamma), values(beta), invStd);
            xhat = z;
            return y;
        }

        /** @return the gradient of the input, or null when {@code needInput} is false */
        Act backward(Act dy, Gradients grads, boolean needInput) {
            Act dz = dy;
            if (bn) {
                dz = ws.actLike(dy);
                double[] dGamma = gamma == null ? null : new double[dy.c];
                double[] dBeta = gamma == null ? null : new double[dy.c];
                Kernels.bnBackward(dy, xhat, invStd, gamma == null ? null : values(gamma), dz, dGamma, dBeta);
                if (gamma != null) {
                    grads.set(gamma, dGamma);
                    grads.set(beta, dBeta);
                }
            }
            Act dx = stride == 1 ? splitBackward(dz, grads, needInput) : fusedBackward(dz, grads, needInput);
            if (dx != null && relu) {
                Kernels.reluMask(dx, input);
            }
            return dx;
        }

        /** Strided convs: libnd4j's conv2d_bp on the input kept from the forward pass. */
        private Act fusedBackward(Act dz, Gradients grads, boolean needInput) {
            INDArray deviceDy = ws.device(dz.n, dz.c, dz.h, dz.w);
            Kernels.toDevice(dz, deviceDy, false, ws);
            INDArray deviceDx = ws.device(input.n, input.c, input.h, input.w);
            int[] s = conv.shape();
            INDArray deviceDw = ws.device(s[0], s[1], s[2], s[3]);
            DeviceConv.backward(deviceInput, conv.device, deviceDy, stride, pad, deviceDx, deviceDw);
            if (conv.f != null) {
                float[] g = new float[conv.size()];
                deviceDw.data().asNioFloat().get(0, g, 0, g.length);
                grads.setFloats(conv, g);
            } else {
                double[] g = new double[conv.size()];
                deviceDw.data().asNioDouble().get(0, g, 0, g.length);
                grads.setDoubles(conv, g);
            }
            Act dx = null;
            if (needInput) {
                dx = ws.actLike(input);
                Kernels.fromDevice(deviceDx, dx);
            }
            ws.giveBack(deviceDy);
            ws.giveBack(deviceDx);
            ws.giveBack(deviceDw);
            ws.giveBack(deviceInput);
            deviceInput = null;
            return dx;
        }

        /** Stride 1: two forward convs ({@link DeviceConv#inputGradient}, {@link DeviceConv#weightGradient}). */
        private Act splitBackward(Act dz, Gradients grads, boolean needInput) {
            int[] s = conv.shape();
            int co = s[0], ci = s[1], k = s[2];
            Act dx = null;
            if (needInput) {
                INDArray deviceDy = ws.device(dz.n, dz.c, dz.h, dz.w);
                Kernels.toDevice(dz, deviceDy, false, ws);
                INDArray flipped = ws.device(ci, co, k, k);
                flipTranspose(conv, flipped);
                INDArray deviceDx = ws.device(input.n, input.c, input.h, input.w);
                DeviceConv.inputGradient(deviceDy, flipped, deviceDx, pad);
                dx = ws.actLike(input);
                Kernels.fromDevice(deviceDx, dx);
                ws.giveBack(deviceDy);
                ws.giveBack(flipped);
                ws.giveBack(deviceDx);
            }
            INDArray inputT = ws.device(input.c, input.n, input.h, input.w);
            Kernels.toDeviceSwapped(input, inputT, relu, ws);
            INDArray dyT = ws.device(dz.c, dz.n, dz.h, dz.w);
            Kernels.toDeviceSwapped(dz, dyT, false, ws);
            INDArray dwT = ws.device(ci, co, k, k);
            DeviceConv.weightGradient(inputT, dyT, dwT, pad);
            int kk = k * k;
            if (conv.f != null) {
                float[] t = new float[conv.size()];
                dwT.data().asNioFloat().get(0, t, 0, t.length);
                float[] g = new float[t.length];
                for (int i = 0; i < ci; i++) {
                    for (int o = 0; o < co; o++) {
                        System.arraycopy(t, (i * co + o) * kk, g, (o * ci + i) * kk, kk);
                    }
                }
                grads.setFloats(conv, g);
            } else {
                double[] t = new double[conv.size()];
                dwT.data().asNioDouble().get(0, t, 0, t.length);
                double[] g = new double[t.length];
                for (int i = 0; i < ci; i++) {
                    for (int o = 0; o < co; o++) {
                        System.arraycopy(t, (i * co + o) * kk, g, (o * ci + i) * kk, kk);
                    }
                }
                grads.setDoubles(conv, g);
            }
            ws.giveBack(inputT);
            ws.giveBack(dyT);
            ws.giveBack(dwT);
            return dx;
        }
    }

    /** {@code out[i][o][u][v] = w[o][i][k-1-u][k-1-v]}: the kernel of the input gradient. */
    private static void flipTranspose(Weight w, INDArray out) {
        int[] s = w.shape();
        int co = s[0], ci = s[1], k = s[2], kk = k * k;
        int n = w.size();
        if (w.f != null) {
            float[] t = new float[n];
            for (int o = 0; o < co; o++) {
                for (int i = 0; i < ci; i++) {
                    for (int u = 0; u < kk; u++) {
                        t[(i * co + o) * kk + (kk - 1 - u)] = w.f[(o * ci + i) * kk + u];
                    }
                }
            }
            out.data().asNioFloat().put(0, t, 0, n);
        } else {
            double[] t = new double[n];
            for (int o = 0; o < co; o++) {
                for (int i = 0; i < ci; i++) {
                    for (int u = 0; u < kk; u++) {
                        t[(i * co + o) * kk + (kk - 1 - u)] = w.d[(o * ci + i) * kk + u];
                    }
                }
            }
            out.data().asNioDouble().put(0, t, 0, n);
        }
    }

    private static Object values(Weight w) {
        return w.f != null ? w.f : w.d;
    }

    private final class CellTrace {
        final Nb201Cell cell;
        final int[] live;
        final ConvBn[] convs = new ConvBn[Nb201Cell.EDGES];
        final int position;
        Act input;

        CellTrace(Nb201Cell cell, int[] live, int position) {
            this.cell = cell;
            this.live = live;
            this.position = position;
        }

        boolean dead() {
            return live.length == 0;
        }

        Act forward(Act x) {
            input = x;
            if (dead()) {
                return ws.zeros(x.n, x.c, x.h, x.w); // no path: the reference's zeros_like(x), cut from the graph
            }
            Act[] nodes = new Act[4];
            boolean[] owned = new boolean[4];
            nodes[0] = x;
            for (int e : live) {
                Act src = nodes[Nb201Cell.from(e)];
                Act h;
                boolean fresh;
                switch (cell.op(e)) {
                    case SKIP_CONNECT -> {
                        h = src;
                        fresh = false;
                    }
                    case AVG_POOL_3X3 -> {
                        h = ws.actLike(src);
                        Kernels.avgPool3(src, h, ws);
                        fresh = true;
                    }
                    case NOR_CONV_1X1, NOR_CONV_3X3 -> {
                        Weight w = net.cellOps[position][
                                2 * e + (cell.op(e) == Nb201Op.NOR_CONV_1X1 ? SposSupernet.CONV1 : SposSupernet.CONV3)];
                        convs[e] = new ConvBn(w, 1, true, true, null, null);
                        h = convs[e].forward(src);
                        fresh = false; // it is also x-hat
                    }
                    default -> throw new IllegalStateException("none on a live edge");
                }
                accumulate(nodes, owned, Nb201Cell.to(e), h, fresh);
            }
            return nodes[3];
        }

        /** @return the input gradient; never called on a dead cell */
        Act backward(Act dy, Gradients grads) {
            Act[] g = new Act[4];
            boolean[] owned = new boolean[4];
            g[3] = dy;
            for (int k = live.length - 1; k >= 0; k--) {
                int e = live[k];
                Act gt = g[Nb201Cell.to(e)];
                Act dh;
                boolean fresh;
                switch (cell.op(e)) {
                    case SKIP_CONNECT -> {
                        dh = gt;
                        fresh = false;
                    }
                    case AVG_POOL_3X3 -> {
                        dh = ws.actLike(gt);
                        Kernels.avgPool3Backward(gt, dh, ws);
                        fresh = true;
                    }
                    default -> {
                        dh = convs[e].backward(gt, grads, true);
                        fresh = true;
                    }
                }
                accumulate(g, owned, Nb201Cell.from(e), dh, fresh);
            }
            return g[0];
        }
    }

    /** nodes[j] += h without writing into arrays that others still read. */
    private void accumulate(Act[] nodes, boolean[] owned, int j, Act h, boolean fresh) {
        if (nodes[j] == null) {
            nodes[j] = h;
            owned[j] = fresh;
        } else if (owned[j]) {
            Kernels.addInPlace(nodes[j], h);
        } else {
            Act sum = ws.actLike(h);
            Kernels.add(nodes[j], h, sum);
            nodes[j] = sum;
            owned[j] = true;
        }
    }

    private final class ReductionTrace {
        final ConvBn a;
        final ConvBn b;
        final ConvBn shortcut;
        Act input;
        Act pooled;

        ReductionTrace(Weight[] r) {
            a = new ConvBn(r[0], 2, true, true, r[1], r[2]);
            b = new ConvBn(r[3], 1, true, true, r[4], r[5]);
            shortcut = new ConvBn(r[6], 1, false, false, null, null);
        }

        Act forward(Act x) {
            input = x;
            Act out = b.forward(a.forward(x)); // affine BN: a fresh output, not x-hat
            pooled = ws.act(x.n, x.c, x.h / 2, x.w / 2);
            Kernels.avgPool2(x, pooled);
            Act s = shortcut.forward(pooled);
            if (!s.sameShape(out)) {
                throw new IllegalStateException("reduction: residual " + out + " vs shortcut " + s);
            }
            Kernels.addInPlace(out, s);
            return out;
        }

        Act backward(Act dy, Gradients grads) {
            Act dx = a.backward(b.backward(dy, grads, true), grads, true);
            Act dPooled = shortcut.backward(dy, grads, true);
            Act fromShortcut = ws.actLike(input);
            Kernels.avgPool2Backward(dPooled, fromShortcut);
            Kernels.addInPlace(dx, fromShortcut);
            return dx;
        }
    }

    private final class HeadTrace {
        Act input;
        Act xhat;
        Act y;
        double[] invStd;
        double[] features; // [n, c]

        double[] forward(Act x) {
            input = x;
            xhat = ws.actLike(x);
            y = ws.actLike(x);
            invStd = new double[x.c];
            Kernels.bnForward(x, xhat, y, values(net.lastGamma), values(net.lastBeta), invStd);
            features = Kernels.reluMean(y);
            int n = x.n, c = x.c, classes = net.fcBias.size();
            double[] logits = new double[n * classes];
            for (int b = 0; b < n; b++) {
                for (int o = 0; o < classes; o++) {
                    double s = net.fcBias.get(o);
                    for (int i = 0; i < c; i++) {
                        s += features[b * c + i] * net.fcWeight.get(o * c + i);
                    }
                    logits[b * classes + o] = s;
                }
            }
            return logits;
        }

        Act backward(double[] dLogits, Gradients grads) {
            int n = input.n, c = input.c, classes = net.fcBias.size();
            double[] dW = new double[classes * c];
            double[] dB = new double[classes];
            double[] dFeatures = new double[n * c];
            for (int b = 0; b < n; b++) {
                for (int o = 0; o < classes; o++) {
                    double g = dLogits[b * classes + o];
                    dB[o] += g;
                    for (int i = 0; i < c; i++) {
                        dW[o * c + i] += g * features[b * c + i];
                        dFeatures[b * c + i] += g * net.fcWeight.get(o * c + i);
                    }
                }
            }
            grads.set(net.fcWeight, dW);
            grads.set(net.fcBias, dB);
            Act dy = ws.actLike(y);
            Kernels.reluMeanBackward(y, dFeatures, dy);
            double[] dGamma = new double[c];
            double[] dBeta = new double[c];
            Kernels.bnBackward(dy, xhat, invStd, values(net.lastGamma), dy, dGamma, dBeta);
            grads.set(net.lastGamma, dGamma);
            grads.set(net.lastBeta, dBeta);
            return dy;
        }
    }

    // ------------------------------------------------------------------ the pass

    /** Logits {@code [n * classes]} (row-major) of {@code images} {@code [n, inputChannels, H, W]}. */
    double[] forward(Nb201Cell cell, Act images) {
        var s = net.shape();
        if (images.c != s.inputChannels() || images.h != s.height() || images.w != s.width()) {
            throw new IllegalArgumentException("images " + images + " for a supernet of " + s);
        }
        if (images.isFloat() != (net.precision() == Precision.FLOAT)) {
            throw new IllegalArgumentException("images " + images + " for a " + net.precision() + " supernet");
        }
        blocks.clear();
        int[] live = SposSupernet.liveEdges(cell);
        ConvBn stem = new ConvBn(net.stemConv, 1, false, true, net.stemGamma, net.stemBeta);
        blocks.add(stem);
        Act x = stem.forward(images);
        int n = s.cellsPerStage();
        for (int stage = 0; stage < 3; stage++) {
            if (stage > 0) {
                ReductionTrace r = new ReductionTrace(net.reductions[stage - 1]);
                blocks.add(r);
                x = r.forward(x);
            }
            for (int i = 0; i < n; i++) {
                CellTrace t = new CellTrace(cell, live, stage * n + i);
                blocks.add(t);
                x = t.forward(x);
            }
        }
        head = new HeadTrace();
        return head.forward(x);
    }

    /**
     * Backward of the last {@link #forward} from the gradient of the logits: every weight reached
     * gets its summed gradient; weights not reached get none.
     */
    Gradients backward(double[] dLogits) {
        if (!keep) {
            throw new IllegalStateException("trace made for inference only");
        }
        Gradients grads = new Gradients(net.weights().size());
        Act g = head.backward(dLogits, grads);
        for (int i = blocks.size() - 1; i >= 0 && g != null; i--) {
            Object block = blocks.get(i);
            if (block instanceof CellTrace t) {
                g = t.dead() ? null : t.backward(g, grads); // a dead cell cuts the graph
            } else if (block instanceof ReductionTrace r) {
                g = r.backward(g, grads);
            } else {
                ((ConvBn) block).backward(g, grads, false);
                g = null;
            }
        }
        return grads;
    }

    /**
     * Mean cross-entropy of {@code logits} against {@code labels}, its gradient written into
     * {@code dLogits} when not null, and the number of correct argmax predictions.
     */
    static double crossEntropy(double[] logits, int[] labels, int classes, double[] dLogits, int[] correct) {
        int n = labels.length;
        double loss = 0;
        int right = 0;
        for (int b = 0; b < n; b++) {
            int o = b * classes;
            double max = Double.NEGATIVE_INFINITY;
            int arg = 0;
            for (int k = 0; k < classes; k++) {
                if (logits[o + k] > max) {
                    max = logits[o + k];
                    arg = k;
                }
            }
            if (arg == labels[b]) {
                right++;
            }
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                sum += Math.exp(logits[o + k] - max);
            }
            double logSum = max + Math.log(sum);
            loss += logSum - logits[o + labels[b]];
            if (dLogits != null) {
                for (int k = 0; k < classes; k++) {
                    double p = Math.exp(logits[o + k] - logSum);
                    dLogits[o + k] = (p - (k == labels[b] ? 1 : 0)) / n;
                }
            }
        }
        if (correct != null) {
            correct[0] = right;
        }
        return loss / n;
    }
}
