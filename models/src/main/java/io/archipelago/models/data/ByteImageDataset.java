package io.archipelago.models.data;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Images held as unsigned bytes, [n, C, H, W] row-major, normalised on the way out through one
 * 256-entry lookup table per channel. Shared by {@link FashionMnist} and {@link Cifar10Binary}.
 */
public abstract class ByteImageDataset implements ImageDataset {
    private final String name;
    private final int classes;
    private final InputShape nativeShape;
    private final int count;
    private final byte[] pixels;
    private final byte[] labels;
    private final float[][] lut;

    /**
     * @param pixels  count·C·H·W bytes, image after image, channel planes row-major
     * @param labels  count bytes, each in [0, classes)
     * @param mean    per channel mean of pixel/255
     * @param std     per channel standard deviation of pixel/255
     */
    ByteImageDataset(
            String name, int classes, InputShape nativeShape, byte[] pixels, byte[] labels, float[] mean, float[] std) {
        this.name = Objects.requireNonNull(name);
        this.classes = classes;
        this.nativeShape = Objects.requireNonNull(nativeShape);
        this.count = labels.length;
        if ((long) count * nativeShape.pixels() != pixels.length) {
            throw new IllegalArgumentException(
                    pixels.length + " pixel bytes do not make " + count + " images of " + nativeShape);
        }
        if (mean.length != nativeShape.channels() || std.length != nativeShape.channels()) {
            throw new IllegalArgumentException("need one mean and std per channel");
        }
        this.pixels = pixels;
        this.labels = labels;
        this.lut = new float[mean.length][256];
        for (int c = 0; c < mean.length; c++) {
            for (int b = 0; b < 256; b++) {
                // as torch: float32 x/255, then (x - mean)/std in float32
                float x = (float) b / 255f;
                lut[c][b] = (x - mean[c]) / std[c];
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int classes() {
        return classes;
    }

    /** The shape of the images as stored (e.g. 1×28×28 for Fashion-MNIST). */
    public InputShape nativeShape() {
        return nativeShape;
    }

    /** The label of image {@code index}. */
    public int label(int index) {
        Objects.checkIndex(index, count);
        return labels[index] & 0xFF;
    }

    /** The raw byte (0–255) of one pixel as stored. */
    public int rawPixel(int index, int channel, int y, int x) {
        Objects.checkIndex(index, count);
        Objects.checkIndex(channel, nativeShape.channels());
        Objects.checkIndex(y, nativeShape.height());
        Objects.checkIndex(x, nativeShape.width());
        int h = nativeShape.height();
        int w = nativeShape.width();
        return pixels[(int) (((long) index * nativeShape.channels() + channel) * h * w) + y * w + x] & 0xFF;
    }

    @Override
    public Batch batch(int[] indices, InputShape shape) {
        Objects.requireNonNull(indices, "indices");
        Objects.requireNonNull(shape, "shape");
        int c0 = nativeShape.channels();
        int h0 = nativeShape.height();
        int w0 = nativeShape.width();
        int ct = shape.channels();
        int ht = shape.height();
        int wt = shape.width();
        if (ct != c0 && c0 != 1 && ct != 1) {
            throw new IllegalArgumentException("cannot adapt " + name + " images of " + nativeShape + " to " + shape
                    + ": need the same channels, 1 source channel or 1 target channel");
        }
        // target row ty reads source row ty - offY (centre pad when larger, centre crop when smaller)
        int offY = ht >= h0 ? (ht - h0) / 2 : -((h0 - ht) / 2);
        int offX = wt >= w0 ? (wt - w0) / 2 : -((w0 - wt) / 2);
        int plane0 = h0 * w0;
        int planeT = ht * wt;
        float[] out = new float[Math.multiplyExact(indices.length, shape.pixels())];
        int[] batchLabels = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int index = Objects.checkIndex(indices[k], count);
            batchLabels[k] = labels[index] & 0xFF;
            long imageBase = (long) index * c0 * plane0;
            int outImage = k * ct * planeT;
            if (ct == c0 || c0 == 1) {
                for (int tc = 0; tc < ct; tc++) {
                    int outPlane = outImage + tc * planeT;
                    if (c0 == 1 && tc > 0) {
                        System.arraycopy(out, outImage, out, outPlane, planeT);
                        continue;
                    }
                    int sc = c0 == 1 ? 0 : tc;
                    copyPlane(
                            out,
                            outPlane,
                            (int) (imageBase + (long) sc * plane0),
                            lut[sc],
                            h0,
                            w0,
                            ht,
                            wt,
                            offY,
                            offX,
                            1f);
                }
            } else { // several channels into one: average of the normalised channels
                float weight = 1f / c0;
                for (int sc = 0; sc < c0; sc++) {
                    copyPlane(
                            out,
                            outImage,
                            (int) (imageBase + (long) sc * plane0),
                            lut[sc],
                            h0,
                            w0,
                            ht,
                            wt,
                            offY,
                            offX,
                            weight);
                }
            }
        }
        INDArray images = Nd4j.createFromArray(out).reshape('c', shape.batchShape(indices.length));
        return new Batch(images, batchLabels);
    }

    /** Adds weight·lut[pixel] of one source plane into one target plane (zeros stay outside). */
    private void copyPlane(
            float[] out,
            int outPlane,
            int srcPlane,
            float[] table,
            int h0,
            int w0,
            int ht,
            int wt,
            int offY,
            int offX,
            float weight) {
        int yFrom = Math.max(0, offY);
        int yTo = Math.min(ht, h0 + offY);
        int xFrom = Math.max(0, offX);
        int xTo = Math.min(wt, w0 + offX);
        for (int ty = yFrom; ty < yTo; ty++) {
            int src = srcPlane + (ty - offY) * w0 - offX;
            int dst = outPlane + ty * wt;
            if (weight == 1f) {
                for (int tx = xFrom; tx < xTo; tx++) {
                    out[dst + tx] = table[pixels[src + tx] & 0xFF];
                }
            } else {
                for (int tx = xFrom; tx < xTo; tx++) {
                    out[dst + tx] += weight * table[pixels[src + tx] & 0xFF];
                }
            }
        }
    }

    @Override
    public String toString() {
        return name + "[" + count + " × " + nativeShape + ", " + classes + " classes]";
    }
}
