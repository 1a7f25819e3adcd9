package io.archipelago.core.mnasnet;

import io.archipelago.core.space.ArchitectureFormatException;
import io.archipelago.core.space.CostModel;
import io.archipelago.core.space.GraphEncoding;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.TokenEncoding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * MnasNet's factorised hierarchical search space (Tan et al., CVPR 2019, section 4.1 and figure
 * 4): a fixed stem and head around 7 blocks with MobileNetV2's strides, each block choosing its
 * ConvOp, kernel, squeeze-and-excitation ratio, skip op, filter size and number of layers (all
 * layers of a block alike). {@link MnasSkeleton} says what each block may choose (MnasNet-A1 and
 * -B1 are members: {@link MnasArch#MNASNET_A1}, {@link MnasArch#MNASNET_B1}), {@link MnasFormat}
 * how architectures are written.
 *
 * <p>Tokens: 6 per block, {@code [op, kernel, se, skip, filters, layers]}, each the index of the
 * choice in its list (op ordinal; kernel 3, 5; SE 0, 0.25; skip none, id; the block's filter and
 * layer lists), blocks in order. The space is these 42 positions' product, about 1.3e17
 * architectures; {@link #enumerate()} walks it in token order (lexicographic), lazily.
 */
public final class MnasNetSpace implements SearchSpace<MnasArch>, TokenEncoding<MnasArch>, CostModel<MnasArch> {
    public static final String ID = "mnasnet";
    public static final MnasNetSpace INSTANCE = new MnasNetSpace();

    static final int FIELDS = 6;
    private static final int LENGTH = FIELDS * MnasSkeleton.BLOCKS;
    private static final String[] FIELD_NAMES = {"op", "kernel", "se", "skip", "filters", "layers"};
    /** Choices at each token position. */
    private static final int[] RADIX = new int[LENGTH];

    private static final long SIZE;

    static {
        long size = 1;
        for (int b = 0; b < MnasSkeleton.BLOCKS; b++) {
            int[] radix = {
                MnasOp.values().length,
                MnasSkeleton.KERNELS.size(),
                2,
                2,
                MnasSkeleton.filterChoices(b).size(),
                MnasSkeleton.layerChoices(b).size()
            };
            for (int f = 0; f < FIELDS; f++) {
                RADIX[FIELDS * b + f] = radix[f];
                size = Math.multiplyExact(size, radix[f]); // the space must stay countable in a long
            }
        }
        SIZE = size;
    }

    private MnasNetSpace() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String encoding() {
        return "7 blocks op-kK-seR-skip-fF-lL joined by /: op conv|sep|mb3|mb6, kernel k3|k5, se0|se0.25, "
                + "skip id|none, the block's filters f and layers l, e.g. MnasNet-A1's block 3 mb3-k5-se0.25-id-f40-l3";
    }

    @Override
    public MnasArch parse(String encoding) {
        return MnasFormat.parse(encoding);
    }

    @Override
    public String format(MnasArch arch) {
        return MnasFormat.format(arch);
    }

    /** Uniform over the space: every choice drawn independently and uniformly. */
    @Override
    public MnasArch sample(RandomGenerator random) {
        int[] tokens = new int[LENGTH];
        for (int p = 0; p < LENGTH; p++) {
            tokens[p] = random.nextInt(RADIX[p]);
        }
        return fromTokens(tokens);
    }

    /** Changes one uniformly chosen choice (block and field) to a different, uniformly chosen value. */
    @Override
    public MnasArch mutate(MnasArch arch, RandomGenerator random) {
        int[] tokens = tokens(arch);
        int p = random.nextInt(LENGTH);
        tokens[p] = (tokens[p] + 1 + random.nextInt(RADIX[p] - 1)) % RADIX[p];
        return fromTokens(tokens);
    }

    /** Every architecture in token order (lexicographic), decoded lazily: the space is far too big to list. */
    @Override
    public Stream<MnasArch> enumerate() {
        return LongStream.range(0, SIZE).mapToObj(MnasNetSpace::decode);
    }

    /** The architecture at position {@code index} of {@link #enumerate()}. */
    static MnasArch decode(long index) {
        int[] tokens = new int[LENGTH];
        for (int p = LENGTH - 1; p >= 0; p--) {
            tokens[p] = (int) (index % RADIX[p]);
            index /= RADIX[p];
        }
        return INSTANCE.fromTokens(tokens);
    }

    @Override
    public long size() {
        return SIZE;
    }

    /**
     * The architecture's string with the skip op of every block where it changes nothing written
     * {@code none}: a block of one layer whose layer changes stride or filters has no residual
     * either way (in this space that is every one-layer block, as no block's filter choices
     * include the filters entering it). Nothing else is normalised: every other choice changes
     * the network's function (SE, kernel and op change weights and shapes; filters and layers too).
     */
    @Override
    public String canonicalKey(MnasArch arch) {
        MnasArch canonical = arch;
        for (int b = 0; b < MnasSkeleton.BLOCKS; b++) {
            if (!arch.skipMatters(b) && arch.block(b).identitySkip()) {
                canonical = canonical.with(b, arch.block(b).withIdentitySkip(false));
            }
        }
        return format(canonical);
    }

    @Override
    public GraphEncoding graph(MnasArch arch) {
        return MnasGraph.of(arch);
    }

    @Override
    public int[] tokens(MnasArch arch) {
        int[] tokens = new int[LENGTH];
        for (int b = 0; b < MnasSkeleton.BLOCKS; b++) {
            MnasBlock block = arch.block(b);
            int p = FIELDS * b;
            tokens[p] = block.op().ordinal();
            tokens[p + 1] = MnasSkeleton.KERNELS.indexOf(block.kernel());
            tokens[p + 2] = block.squeezeExcite() ? 1 : 0;
            tokens[p + 3] = block.identitySkip() ? 1 : 0;
            tokens[p + 4] = MnasSkeleton.filterChoices(b).indexOf(block.filters());
            tokens[p + 5] = MnasSkeleton.layerChoices(b).indexOf(block.layers());
        }
        return tokens;
    }

    @Override
    public MnasArch fromTokens(int[] tokens) {
        if (tokens.length != LENGTH) {
            throw new ArchitectureFormatException(
                    "a MnasNet token sequence has " + LENGTH + " tokens, got " + tokens.length);
        }
        for (int p = 0; p < LENGTH; p++) {
            if (tokens[p] < 0 || tokens[p] >= RADIX[p]) {
                throw new ArchitectureFormatException("token " + tokens[p] + " at position " + p + " is not a "
                        + FIELD_NAMES[p % FIELDS] + " choice of block " + (p / FIELDS + 1) + " (0.." + (RADIX[p] - 1)
                        + ")");
            }
        }
        List<MnasBlock> blocks = new ArrayList<>(MnasSkeleton.BLOCKS);
        for (int b = 0; b < MnasSkeleton.BLOCKS; b++) {
            int p = FIELDS * b;
            blocks.add(new MnasBlock(
                    MnasOp.ofOrdinal(tokens[p]),
                    MnasSkeleton.KERNELS.get(tokens[p + 1]),
                    tokens[p + 2] == 1,
                    tokens[p + 3] == 1,
                    MnasSkeleton.filterChoices(b).get(tokens[p + 4]),
                    MnasSkeleton.layerChoices(b).get(tokens[p + 5])));
        }
        return new MnasArch(blocks);
    }

    @Override
    public int length() {
        return LENGTH;
    }

    /** The most choices of any position: 4 (ops; filters of blocks 5 and 6). */
    @Override
    public int vocabulary() {
        int most = 0;
        for (int r : RADIX) {
            most = Math.max(most, r);
        }
        return most;
    }

    @Override
    public int choices(int position) {
        if (position < 0 || position >= LENGTH) {
            throw new IndexOutOfBoundsException("position " + position + " is not 0.." + (LENGTH - 1));
        }
        return RADIX[position];
    }

    /**
     * Parameters and multiply-adds ({@code flops}) of the network at the published size (224x224,
     * width 1.0, 1000 classes); {@link MnasCost} counts other sizes.
     */
    @Override
    public Map<String, Double> costs(MnasArch arch) {
        return Map.of(
                PARAMS,
                (double) MnasCost.params(arch, MnasNetSize.STANDARD),
                FLOPS,
                MnasCost.flops(arch, MnasNetSize.STANDARD));
    }
}
