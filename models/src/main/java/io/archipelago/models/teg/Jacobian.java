package io.archipelago.models.teg;

import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Pass;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-sample gradients of a network at a batch, as blocks: for each parameter, the {@code [B, size]}
 * rows of the Jacobian J of each sample's summed logits. Kernels are accumulated block by block,
 * in double precision, so J is never assembled into one matrix.
 */
public final class Jacobian {
    private final Map<String, INDArray> blocks;
    private final int batch;

    private Jacobian(Map<String, INDArray> blocks, int batch) {
        this.blocks = blocks;
        this.batch = batch;
    }

    /** One forward and one backward pass over {@code images}, keeping J's blocks. */
    public static Jacobian of(Layer net, INDArray images, Pass.BatchNorm mode) {
        Map<String, INDArray> blocks = new LinkedHashMap<>();
        backward(net, images, mode, (name, block) -> blocks.merge(name, block, INDArray::addi));
        return new Jacobian(blocks, (int) images.size(0));
    }

    /**
     * The NTK between another batch and this one, {@code J_other J_this^T} ({@code [B_other, B_this]}),
     * without keeping the other batch's Jacobian.
     */
    public double[][] crossKernel(Layer net, INDArray otherImages, Pass.BatchNorm mode) {
        Map<String, INDArray> other = new LinkedHashMap<>();
        backward(net, otherImages, mode, (name, block) -> other.merge(name, block, INDArray::addi));
        INDArray kernel = null;
        for (Map.Entry<String, INDArray> e : other.entrySet()) {
            INDArray mine = blocks.get(e.getKey());
            if (mine == null) {
                continue; // a parameter with no gradient here contributes zero
            }
            INDArray product = e.getValue()
                    .castTo(DataType.DOUBLE)
                    .mmul(mine.castTo(DataType.DOUBLE).transpose());
            kernel = kernel == null ? product : kernel.addi(product);
        }
        return kernel == null ? new double[(int) otherImages.size(0)][batch] : kernel.toDoubleMatrix();
    }

    /** The NTK of this batch, {@code J J^T} ({@code [B, B]}). */
    public double[][] kernel() {
        INDArray kernel = null;
        for (INDArray block : blocks.values()) {
            INDArray b = block.castTo(DataType.DOUBLE);
            INDArray product = b.mmul(b.transpose());
            kernel = kernel == null ? product : kernel.addi(product);
        }
        return kernel == null ? new double[batch][batch] : kernel.toDoubleMatrix();
    }

    public long columns() {
        long n = 0;
        for (INDArray block : blocks.values()) {
            n += block.size(1);
        }
        return n;
    }

    private static void backward(Layer net, INDArray images, Pass.BatchNorm mode, BiConsumer<String, INDArray> sink) {
        Pass pass = Pass.withGradients(
                mode, (int) images.size(0), (parameter, perCotangent) -> sink.accept(parameter.name(), perCotangent));
        INDArray outputs = net.forward(images, pass);
        net.backward(pass.summedOutputCotangents(outputs.size(1)), pass);
    }
}
