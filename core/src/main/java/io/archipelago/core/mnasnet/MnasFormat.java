package io.archipelago.core.mnasnet;

import io.archipelago.core.space.ArchitectureFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The string form of a MnasNet architecture: its 7 blocks joined by {@code /}, each block
 * {@code op-kK-seR-skip-fF-lL}, e.g. MnasNet-A1's block 3 {@code mb3-k5-se0.25-id-f40-l3}:
 * <ul>
 *   <li>op: {@code conv}, {@code sep}, {@code mb3} or {@code mb6} ({@link MnasOp});</li>
 *   <li>kernel: {@code k3} or {@code k5};</li>
 *   <li>squeeze-and-excitation ratio: {@code se0} or {@code se0.25};</li>
 *   <li>skip op: {@code id} (identity residual where shapes allow) or {@code none};</li>
 *   <li>filters and layers: {@code f} and {@code l} followed by one of the block's choices, in
 *       plain decimal (see {@link MnasSkeleton}).</li>
 * </ul>
 * The fields follow the TPU repo's block strings ({@code r3_k5_s22_e3_i24_o40_se0.25}) without
 * what the skeleton fixes (strides, input filters). No spaces, so an architecture is one token in
 * files and on the command line.
 */
final class MnasFormat {
    private static final String WHAT = "MnasNet architecture";
    private static final String SE_NONE = "se0";
    private static final String SE_RATIO = "se0.25";
    private static final String SKIP_ID = "id";
    private static final String SKIP_NONE = "none";

    private MnasFormat() {}

    static String format(MnasArch arch) {
        StringBuilder out = new StringBuilder(160);
        for (int b = 0; b < MnasSkeleton.BLOCKS; b++) {
            if (b > 0) {
                out.append('/');
            }
            MnasBlock block = arch.block(b);
            out.append(block.op().token())
                    .append("-k")
                    .append(block.kernel())
                    .append('-')
                    .append(block.squeezeExcite() ? SE_RATIO : SE_NONE)
                    .append('-')
                    .append(block.identitySkip() ? SKIP_ID : SKIP_NONE)
                    .append("-f")
                    .append(block.filters())
                    .append("-l")
                    .append(block.layers());
        }
        return out.toString();
    }

    static MnasArch parse(String encoding) {
        if (encoding == null || encoding.isBlank()) {
            throw malformed(String.valueOf(encoding), "empty architecture string");
        }
        String s = encoding.strip();
        String[] texts = s.split("/", -1);
        if (texts.length != MnasSkeleton.BLOCKS) {
            throw malformed(s, "expected " + MnasSkeleton.BLOCKS + " blocks separated by '/', found " + texts.length);
        }
        List<MnasBlock> blocks = new ArrayList<>(MnasSkeleton.BLOCKS);
        for (int b = 0; b < texts.length; b++) {
            blocks.add(block(s, b, texts[b]));
        }
        return new MnasArch(blocks);
    }

    private static MnasBlock block(String s, int b, String text) {
        String where = "block " + (b + 1) + ": ";
        String[] fields = text.split("-", -1);
        if (fields.length != 6) {
            throw malformed(
                    s,
                    where + "'" + text + "' is not of the form op-kK-seR-skip-fF-lL (6 fields, found " + fields.length
                            + ")");
        }
        MnasOp op = MnasOp.ofToken(fields[0]);
        if (op == null) {
            throw malformed(s, where + "unknown op '" + fields[0] + "' (known: " + MnasOp.tokens() + ")");
        }
        int kernel = choice(s, where + "kernel", fields[1], "k", MnasSkeleton.KERNELS);
        boolean se = switch (fields[2]) {
            case SE_NONE -> false;
            case SE_RATIO -> true;
            default ->
                throw malformed(
                        s,
                        where + "squeeze-and-excitation ratio '" + fields[2] + "' is not one of " + SE_NONE + ", "
                                + SE_RATIO);
        };
        boolean skip = switch (fields[3]) {
            case SKIP_ID -> true;
            case SKIP_NONE -> false;
            default ->
                throw malformed(s, where + "skip op '" + fields[3] + "' is not one of " + SKIP_ID + ", " + SKIP_NONE);
        };
        int filters = choice(s, where + "filters", fields[4], "f", MnasSkeleton.filterChoices(b));
        int layers = choice(s, where + "layers", fields[5], "l", MnasSkeleton.layerChoices(b));
        return new MnasBlock(op, kernel, se, skip, filters, layers);
    }

    /** The choice {@code field} names exactly (so {@code f040} or {@code f٤٠} are not 40). */
    private static int choice(String s, String what, String field, String prefix, List<Integer> choices) {
        for (int choice : choices) {
            if (field.equals(prefix + choice)) {
                return choice;
            }
        }
        throw malformed(
                s,
                what + " '" + field + "' is not one of "
                        + choices.stream().map(c -> prefix + c).collect(Collectors.joining(", ")));
    }

    private static ArchitectureFormatException malformed(String arch, String problem) {
        return new ArchitectureFormatException("malformed " + WHAT + " '" + arch + "': " + problem);
    }
}
