package io.archipelago.core.darts;

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
 * The DARTS cell space (Liu et al., ICLR 2019): a normal and a reduction cell of 4 nodes, each
 * summing two of the 7 ops applied to two distinct earlier states, concatenating nodes 2..5.
 *
 * <p>{@link #parse} reads two forms:
 * <ul>
 *   <li>DARTS's own printout (genotypes.py), e.g. {@code Genotype(normal=[('sep_conv_3x3', 0),
 *       ('sep_conv_3x3', 1), ...], normal_concat=[2, 3, 4, 5], reduce=[...],
 *       reduce_concat=range(2, 6))}; whitespace and quote style are free, the concat must be nodes
 *       2..5;
 *   <li>the compact form {@link #format} writes, safe on a command line without quotes: the normal
 *       and the reduction cell separated by {@code /}, a cell's 4 nodes by {@code ,}, a node's two
 *       pairs by {@code +}, a pair as {@code op:input} with the op's short name ({@code max3, avg3,
 *       skip, sep3, sep5, dil3, dil5}; DARTS's full names are read too). DARTS-V2 is {@code
 *       sep3:0+sep3:1,sep3:0+sep3:1,sep3:1+skip:0,skip:0+dil3:2/max3:0+max3:1,skip:2+max3:1,max3:0+skip:2,skip:2+max3:1}.
 * </ul>
 *
 * <p>A genotype keeps a node's pairs in the order written. {@link #enumerate} and {@link #sample}
 * count each choice of a node's two (op, input) pairs once, writing the lower input first: {@code
 * (1 x 3 x 6 x 10 x 7^8)^2} = 1,076,746,950,455,072,400 genotypes (about 1e18, as the DARTS paper
 * counts). {@link #canonicalKey} merges pair order and isomorphic node numberings ({@link
 * DartsCanonical}).
 */
public final class DartsSpace
        implements SearchSpace<DartsGenotype>, TokenEncoding<DartsGenotype>, CostModel<DartsGenotype> {
    public static final String ID = "darts";
    public static final DartsSpace INSTANCE = new DartsSpace();

    /** Input pairs {a < b} a node can read: C(i+2, 2) for node i. */
    private static final int[][][] INPUT_PAIRS = inputPairs();
    /** Cells counted once per unordered pair choice: 1 x 3 x 6 x 10 x 7^8. */
    static final long CELLS = cells();

    private static final long SIZE = Math.multiplyExact(CELLS, CELLS);

    private DartsSpace() {}

    @Override
    public String id() {
        return ID;
    }

    /** @throws ArchitectureFormatException naming the cell, node or pair and what is wrong */
    @Override
    public DartsGenotype parse(String encoding) {
        return DartsGrammar.parse(encoding);
    }

    /** The compact form (see the class comment). */
    @Override
    public String format(DartsGenotype genotype) {
        return DartsGrammar.formatCompact(genotype);
    }

    @Override
    public String encoding() {
        return "op:in+op:in,op:in+op:in,op:in+op:in,op:in+op:in/(the same for the reduction cell): 4 nodes per cell,"
                + " each the sum of two ops on distinct inputs (0, 1 = the previous cells, j >= 2 = node j-2; node i"
                + " reads 0..i+1); ops "
                + java.util.Arrays.stream(DartsOp.values())
                        .map(op -> op.shortToken() + " (" + op.token() + ")")
                        .collect(java.util.stream.Collectors.joining(", "))
                + "; DARTS's printed Genotype(...) is read too";
    }

    /** DARTS's printed form, {@code Genotype(normal=[...], normal_concat=[2, 3, 4, 5], ...)}. */
    public String formatDarts(DartsGenotype genotype) {
        return DartsGrammar.formatDarts(genotype);
    }

    /** Uniform over the {@link #size()} genotypes: per node, two distinct inputs and two ops. */
    @Override
    public DartsGenotype sample(RandomGenerator random) {
        return new DartsGenotype(sampleCell(random), sampleCell(random));
    }

    private static DartsCell sampleCell(RandomGenerator random) {
        return cell(random.nextLong(CELLS));
    }

    /**
     * Uniform over the 120 neighbours: one pair's op changed to another (6 x 8 per cell), or one
     * pair's input changed to another that its node may read and its other pair does not (0 + 2
     * + 4 + 6 per cell). Pairs stay in place, so exactly one token of {@link #tokens} differs.
     */
    @Override
    public DartsGenotype mutate(DartsGenotype genotype, RandomGenerator random) {
        int[] tokens = tokens(genotype);
        List<int[]> moves = new ArrayList<>(120); // {position, token}
        for (int position = 0; position < tokens.length; position++) {
            for (int token = 0; token < choices(position); token++) {
                boolean input = position % 2 == 1;
                int partner = position % 4 < 2 ? position + 2 : position - 2; // the node's other pair
                if (token != tokens[position] && !(input && token == tokens[partner])) {
                    moves.add(new int[] {position, token});
                }
            }
        }
        int[] move = moves.get(random.nextInt(moves.size()));
        tokens[move[0]] = move[1];
        return fromTokens(tokens);
    }

    /** Genotypes in index order: the reduction cell varies fastest (a lazy stream; do limit it). */
    @Override
    public Stream<DartsGenotype> enumerate() {
        return LongStream.range(0, SIZE).mapToObj(i -> new DartsGenotype(cell(i / CELLS), cell(i % CELLS)));
    }

    @Override
    public long size() {
        return SIZE;
    }

    /** The compact form of both cells' {@link DartsCanonical canonical} forms. */
    @Override
    public String canonicalKey(DartsGenotype genotype) {
        return DartsGrammar.formatCompact(canonical(genotype));
    }

    /** The genotype in canonical form: equal exactly when canonical keys are. */
    public DartsGenotype canonical(DartsGenotype genotype) {
        return new DartsGenotype(
                DartsCanonical.canonical(genotype.normal()), DartsCanonical.canonical(genotype.reduce()));
    }

    @Override
    public GraphEncoding graph(DartsGenotype genotype) {
        return DartsGraph.of(canonical(genotype));
    }

    /** 32 tokens: for the normal then the reduction cell, per pair its op ordinal and its input. */
    @Override
    public int[] tokens(DartsGenotype genotype) {
        int[] tokens = new int[length()];
        System.arraycopy(genotype.normal().tokens(), 0, tokens, 0, 2 * DartsCell.PAIRS);
        System.arraycopy(genotype.reduce().tokens(), 0, tokens, 2 * DartsCell.PAIRS, 2 * DartsCell.PAIRS);
        return tokens;
    }

    /** @throws ArchitectureFormatException naming the position of a token out of range, or a node reading one input twice */
    @Override
    public DartsGenotype fromTokens(int[] tokens) {
        if (tokens.length != length()) {
            throw new ArchitectureFormatException(
                    "a DARTS token sequence has " + length() + " tokens, got " + tokens.length);
        }
        DartsCell[] cells = new DartsCell[2];
        for (int c = 0; c < 2; c++) {
            DartsOp[] ops = new DartsOp[DartsCell.PAIRS];
            int[] inputs = new int[DartsCell.PAIRS];
            for (int p = 0; p < DartsCell.PAIRS; p++) {
                int at = 2 * DartsCell.PAIRS * c + 2 * p;
                for (int position = at; position <= at + 1; position++) {
                    if (tokens[position] < 0 || tokens[position] >= choices(position)) {
                        throw new ArchitectureFormatException("token " + tokens[position] + " at position " + position
                                + " is not "
                                + (position == at
                                        ? "an op (0.." + (DartsOp.COUNT - 1) + ")"
                                        : "an input of node " + p / 2 + " (0.." + (p / 2 + 1) + ")"));
                    }
                }
                ops[p] = DartsOp.ofOrdinal(tokens[at]);
                inputs[p] = tokens[at + 1];
            }
            try {
                cells[c] = DartsCell.of(ops, inputs);
            } catch (ArchitectureFormatException e) {
                throw new ArchitectureFormatException((c == 0 ? "normal" : "reduce") + " cell " + e.getMessage());
            }
        }
        return new DartsGenotype(cells[0], cells[1]);
    }

    @Override
    public int length() {
        return 4 * DartsCell.PAIRS;
    }

    @Override
    public int vocabulary() {
        return DartsOp.COUNT;
    }

    /** Op positions (even) have 7 choices; an input position of node i has i+2. */
    @Override
    public int choices(int position) {
        if (position < 0 || position >= length()) {
            throw new IndexOutOfBoundsException("position " + position + " is not 0.." + (length() - 1));
        }
        return position % 2 == 0 ? DartsOp.COUNT : (position % (2 * DartsCell.PAIRS)) / 4 + 2;
    }

    /** Parameters and FLOPs of DARTS's CIFAR-10 network ({@link DartsCost#CIFAR}). */
    @Override
    public Map<String, Double> costs(DartsGenotype genotype) {
        return Map.of(PARAMS, (double) DartsCost.CIFAR.params(genotype), FLOPS, DartsCost.CIFAR.flops(genotype));
    }

    /** Cell number {@code index} (0 .. CELLS-1): per node, an input pair then two ops; node 3's last op varies fastest. */
    static DartsCell cell(long index) {
        DartsOp[] ops = new DartsOp[DartsCell.PAIRS];
        int[] inputs = new int[DartsCell.PAIRS];
        long rest = index;
        for (int node = DartsCell.NODES - 1; node >= 0; node--) {
            ops[2 * node + 1] = DartsOp.ofOrdinal((int) (rest % DartsOp.COUNT));
            rest /= DartsOp.COUNT;
            ops[2 * node] = DartsOp.ofOrdinal((int) (rest % DartsOp.COUNT));
            rest /= DartsOp.COUNT;
            int[][] pairs = INPUT_PAIRS[node];
            int[] pair = pairs[(int) (rest % pairs.length)];
            rest /= pairs.length;
            inputs[2 * node] = pair[0];
            inputs[2 * node + 1] = pair[1];
        }
        return DartsCell.of(ops, inputs);
    }

    private static int[][][] inputPairs() {
        int[][][] out = new int[DartsCell.NODES][][];
        for (int node = 0; node < DartsCell.NODES; node++) {
            List<int[]> pairs = new ArrayList<>();
            for (int a = 0; a <= node + 1; a++) {
                for (int b = a + 1; b <= node + 1; b++) {
                    pairs.add(new int[] {a, b});
                }
            }
            out[node] = pairs.toArray(int[][]::new);
        }
        return out;
    }

    private static long cells() {
        long n = 1;
        for (int node = 0; node < DartsCell.NODES; node++) {
            n = Math.multiplyExact(
                    n, Math.multiplyExact((long) INPUT_PAIRS[node].length, DartsOp.COUNT * DartsOp.COUNT));
        }
        return n;
    }
}
