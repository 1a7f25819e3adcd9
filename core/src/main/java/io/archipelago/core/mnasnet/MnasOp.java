package io.archipelago.core.mnasnet;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The ConvOp choice of a MnasNet block (Tan et al., CVPR 2019, figure 4), in token order.
 *
 * <ul>
 *   <li>{@code conv}: a regular k x k convolution from the layer's input to its output filters,
 *       BN, ReLU (and squeeze-and-excitation on its output, when chosen).</li>
 *   <li>{@code sep}: a depthwise-separable convolution, as the TPU code's MBConv with expansion 1:
 *       depthwise k x k, BN, ReLU, [SE], pointwise 1x1 projection, BN (linear).</li>
 *   <li>{@code mb3}, {@code mb6}: MobileNetV2's inverted bottleneck with expansion 3 or 6: 1x1
 *       expansion, BN, ReLU, depthwise k x k, BN, ReLU, [SE], 1x1 projection, BN (linear).</li>
 * </ul>
 */
public enum MnasOp {
    CONV("conv", 0),
    SEPCONV("sep", 1),
    MBCONV3("mb3", 3),
    MBCONV6("mb6", 6);

    private static final MnasOp[] VALUES = values();
    private final String token;
    private final int expansion;

    MnasOp(String token, int expansion) {
        this.token = token;
        this.expansion = expansion;
    }

    /** The name used in architecture strings, e.g. {@code mb6}. */
    public String token() {
        return token;
    }

    /** Whether the op is an inverted bottleneck with a 1x1 expansion before its depthwise conv. */
    public boolean expands() {
        return expansion > 1;
    }

    /** The MBConv expansion ratio (1 for {@code sep}; 0 for {@code conv}, which has no depthwise stage). */
    public int expansion() {
        return expansion;
    }

    public static MnasOp ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    /** @return the op, or null when {@code token} names none */
    static MnasOp ofToken(String token) {
        for (MnasOp op : VALUES) {
            if (op.token.equals(token)) {
                return op;
            }
        }
        return null;
    }

    static String tokens() {
        return Arrays.stream(VALUES).map(MnasOp::token).collect(Collectors.joining(", "));
    }
}
