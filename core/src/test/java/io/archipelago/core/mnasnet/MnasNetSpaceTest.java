package io.archipelago.core.mnasnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.space.ArchitectureFormatException;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.proto.Architecture;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MnasNetSpaceTest {
    private static final MnasNetSpace SPACE = MnasNetSpace.INSTANCE;
    static final String A1 = "sep-k3-se0-none-f16-l1/mb6-k3-se0-id-f24-l2/mb3-k5-se0.25-id-f40-l3/mb6-k3-se0-id-f80-l4"
            + "/mb6-k3-se0.25-id-f112-l2/mb6-k5-se0.25-id-f160-l3/mb6-k3-se0-id-f320-l1";
    static final String B1 = "sep-k3-se0-none-f16-l1/mb3-k3-se0-id-f24-l3/mb3-k5-se0-id-f40-l3/mb6-k5-se0-id-f80-l3"
            + "/mb6-k3-se0-id-f96-l2/mb6-k5-se0-id-f192-l4/mb6-k3-se0-none-f320-l1";

    @Test
    void publishedNetworksAreMembersWrittenBlockByBlock() {
        assertEquals(MnasArch.MNASNET_A1, SPACE.parse(A1));
        assertEquals(MnasArch.MNASNET_B1, SPACE.parse(B1));
        assertEquals(A1, SPACE.format(MnasArch.MNASNET_A1));
        assertEquals(B1, MnasArch.MNASNET_B1.toString());
        assertEquals(A1, SPACE.format(SPACE.parse("  " + A1 + "\n")));
        MnasBlock third = MnasArch.MNASNET_A1.block(2);
        assertEquals(new MnasBlock(MnasOp.MBCONV3, 5, true, true, 40, 3), third);
        assertEquals("mnasnet", SPACE.id());
        assertEquals(List.of(3, 4, 5), MnasSkeleton.layerChoices(3));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                "'';empty architecture string",
                "sep-k3-se0-none-f16-l1;expected 7 blocks separated by '/', found 1",
                A1 + "/mb6-k3-se0-id-f320-l1;expected 7 blocks separated by '/', found 8",
                "sep-k3-se0-f16-l1/mb6-k3-se0-id-f24-l2/a/b/c/d/e;block 1: 'sep-k3-se0-f16-l1' is not of the form",
                "sep-k3-se0-none-f16-l1/mb4-k3-se0-id-f24-l2/a/b/c/d/e;block 2: unknown op 'mb4' (known: conv, sep, mb3, mb6)",
                "sep-k7-se0-none-f16-l1/b/c/d/e/f/g;block 1: kernel 'k7' is not one of k3, k5",
                "sep-k3-se0.5-none-f16-l1/b/c/d/e/f/g;block 1: squeeze-and-excitation ratio 'se0.5' is not one of se0, se0.25",
                "sep-k3-se0-skip-f16-l1/b/c/d/e/f/g;block 1: skip op 'skip' is not one of id, none",
                "sep-k3-se0-none-f32-l1/b/c/d/e/f/g;block 1: filters 'f32' is not one of f12, f16, f20",
                "sep-k3-se0-none-f016-l1/b/c/d/e/f/g;block 1: filters 'f016' is not one of",
                "sep-k3-se0-none-f16-l3/b/c/d/e/f/g;block 1: layers 'l3' is not one of l1, l2",
                "sep-k3-se0-none-f16-l0/b/c/d/e/f/g;block 1: layers 'l0' is not one of l1, l2",
                "SEP-k3-se0-none-f16-l1/b/c/d/e/f/g;block 1: unknown op 'SEP'",
                "%$#!;expected 7 blocks",
                "//////;block 1: '' is not of the form",
            })
    void parseErrorsNameTheBlockAndField(String encoding, String message) {
        ArchitectureFormatException e = assertThrows(ArchitectureFormatException.class, () -> SPACE.parse(encoding));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().contains("MnasNet architecture"), e.getMessage());
    }

    @Test
    void laterBlocksAreCheckedAgainstTheirOwnChoices() {
        String a1With100 = A1.replace("f112", "f100");
        ArchitectureFormatException e = assertThrows(ArchitectureFormatException.class, () -> SPACE.parse(a1With100));
        assertTrue(
                e.getMessage().contains("block 5: filters 'f100' is not one of f72, f96, f112, f120"), e.getMessage());
        String lastFourLayers = A1.substring(0, A1.length() - 2) + "l4";
        e = assertThrows(ArchitectureFormatException.class, () -> SPACE.parse(lastFourLayers));
        assertTrue(e.getMessage().contains("block 7: layers 'l4'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MnasArch.MNASNET_A1.with(0, MnasArch.MNASNET_A1.block(1)));
    }

    @Test
    void sizeIsTheProductOfEveryBlocksChoicesAndEnumerationIsLazyTokenOrder() {
        long expected = 1;
        for (int b = 0; b < 7; b++) {
            expected *= 4L
                    * 2
                    * 2
                    * 2
                    * MnasSkeleton.filterChoices(b).size()
                    * MnasSkeleton.layerChoices(b).size();
        }
        assertEquals(expected, SPACE.size());
        assertEquals(192L * 192 * 288 * 288 * 288 * 384 * 384, SPACE.size()); // about 1.3e17
        List<MnasArch> first = SPACE.enumerate().limit(3).toList();
        assertEquals("conv-k3-se0-none-f12-l1", SPACE.format(first.get(0)).split("/")[0]);
        assertEquals("conv-k3-se0-none-f240-l1", SPACE.format(first.get(0)).split("/")[6]);
        assertEquals("conv-k3-se0-none-f240-l2", SPACE.format(first.get(1)).split("/")[6]);
        assertEquals("conv-k3-se0-none-f320-l1", SPACE.format(first.get(2)).split("/")[6]);
        MnasArch last = MnasNetSpace.decode(SPACE.size() - 1);
        assertEquals("mb6-k5-se0.25-id-f400-l2", SPACE.format(last).split("/")[6]);
        assertEquals("mb6-k5-se0.25-id-f20-l2", SPACE.format(last).split("/")[0]);
        assertEquals(SPACE.enumerate().skip(1000).findFirst().orElseThrow(), MnasNetSpace.decode(1000));
        Set<MnasArch> distinct = new HashSet<>(SPACE.enumerate().limit(5000).toList());
        assertEquals(5000, distinct.size());
    }

    @Test
    void sampleDrawsEveryChoiceUniformlyAndRoundTrips() {
        SplittableRandom random = new SplittableRandom(7);
        int draws = 20_000;
        int[] ops = new int[4];
        int[] block6Filters = new int[4];
        for (int i = 0; i < draws; i++) {
            MnasArch arch = SPACE.sample(random);
            assertEquals(arch, SPACE.parse(SPACE.format(arch)));
            assertEquals(arch, SPACE.fromTokens(SPACE.tokens(arch)));
            ops[arch.block(3).op().ordinal()]++;
            block6Filters[MnasSkeleton.filterChoices(5).indexOf(arch.block(5).filters())]++;
        }
        for (int count : ops) {
            assertEquals(draws / 4.0, count, 5 * Math.sqrt(draws / 4.0));
        }
        for (int count : block6Filters) {
            assertEquals(draws / 4.0, count, 5 * Math.sqrt(draws / 4.0));
        }
        assertEquals(SPACE.sample(new SplittableRandom(3)), SPACE.sample(new SplittableRandom(3)));
    }

    @Test
    void mutateChangesExactlyOneChoiceAndReachesEveryNeighbour() {
        SplittableRandom random = new SplittableRandom(11);
        Set<MnasArch> neighbours = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            MnasArch arch = i % 2 == 0 ? MnasArch.MNASNET_A1 : SPACE.sample(random);
            MnasArch next = SPACE.mutate(arch, random);
            int[] before = SPACE.tokens(arch);
            int[] after = SPACE.tokens(next);
            int changed = 0;
            for (int p = 0; p < before.length; p++) {
                changed += before[p] != after[p] ? 1 : 0;
            }
            assertEquals(1, changed, SPACE.format(arch) + " -> " + SPACE.format(next));
            if (arch.equals(MnasArch.MNASNET_A1)) {
                neighbours.add(next);
            }
        }
        int expected = 0;
        for (int p = 0; p < SPACE.length(); p++) {
            expected += SPACE.choices(p) - 1;
        }
        assertEquals(7 * (3 + 1 + 1 + 1) + 2 + 2 + 2 + 2 + 3 + 3 + 2 + 1 + 2 + 2 + 2 + 2 + 2 + 1, expected);
        assertEquals(expected, neighbours.size());
    }

    @Test
    void canonicalKeyDropsOnlySkipOpsThatAddNoResidual() {
        // one-layer blocks change stride or filters: their skip op is no residual either way
        MnasArch a1NoSkipLast =
                MnasArch.MNASNET_A1.with(6, MnasArch.MNASNET_A1.block(6).withIdentitySkip(false));
        MnasArch a1SkipFirst =
                MnasArch.MNASNET_A1.with(0, MnasArch.MNASNET_A1.block(0).withIdentitySkip(true));
        assertEquals(SPACE.canonicalKey(MnasArch.MNASNET_A1), SPACE.canonicalKey(a1NoSkipLast));
        assertEquals(SPACE.canonicalKey(MnasArch.MNASNET_A1), SPACE.canonicalKey(a1SkipFirst));
        assertTrue(SPACE.canonicalKey(MnasArch.MNASNET_A1).endsWith("mb6-k3-se0-none-f320-l1"));
        assertEquals(SPACE.canonicalKey(SPACE.parse(B1)), B1);
        // two layers: the second has a residual, so the skip op matters
        MnasArch twoLast =
                MnasArch.MNASNET_A1.with(6, MnasArch.MNASNET_A1.block(6).withLayers(2));
        assertNotEquals(
                SPACE.canonicalKey(twoLast),
                SPACE.canonicalKey(twoLast.with(6, twoLast.block(6).withIdentitySkip(false))));
        assertTrue(twoLast.hasResidual(6, 1));
        assertTrue(!twoLast.hasResidual(6, 0));
        // every other choice is kept
        assertNotEquals(
                SPACE.canonicalKey(MnasArch.MNASNET_A1),
                SPACE.canonicalKey(
                        MnasArch.MNASNET_A1.with(6, MnasArch.MNASNET_A1.block(6).withSqueezeExcite(true))));
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 2000; i++) {
            MnasArch arch = SPACE.sample(random);
            MnasArch canonical = SPACE.parse(SPACE.canonicalKey(arch));
            assertEquals(SPACE.canonicalKey(arch), SPACE.canonicalKey(canonical));
            assertEquals(MnasNetSize.STANDARD.layers(arch), MnasNetSize.STANDARD.layers(canonical));
        }
    }

    /** What canonicalKey's Javadoc claims: no block's filter choices include the filters entering it. */
    @Test
    void theSkipOpMattersExactlyInBlocksOfMoreThanOneLayer() {
        for (int b = 0; b < MnasSkeleton.BLOCKS; b++) {
            List<Integer> entering = b == 0 ? List.of(MnasSkeleton.STEM_FILTERS) : MnasSkeleton.filterChoices(b - 1);
            for (int in : entering) {
                for (int filters : MnasSkeleton.filterChoices(b)) {
                    for (int layers : MnasSkeleton.layerChoices(b)) {
                        MnasArch arch = MnasArch.MNASNET_A1;
                        if (b > 0) {
                            arch = arch.with(b - 1, arch.block(b - 1).withFilters(in));
                        }
                        arch = arch.with(b, arch.block(b).withFilters(filters).withLayers(layers));
                        assertEquals(layers > 1, arch.skipMatters(b), SPACE.format(arch) + " block " + (b + 1));
                    }
                }
            }
        }
    }

    @Test
    void tokensRoundTripAndBadTokensNameThePosition() {
        assertEquals(42, SPACE.length());
        assertEquals(4, SPACE.vocabulary());
        assertArrayEquals(
                new int[] {4, 2, 2, 2, 3, 2},
                java.util.stream.IntStream.range(0, 6).map(SPACE::choices).toArray());
        assertEquals(4, SPACE.choices(28)); // block 5's filters
        int[] a1 = SPACE.tokens(MnasArch.MNASNET_A1);
        assertArrayEquals(
                new int[] {2, 1, 1, 1, 2, 1}, java.util.Arrays.copyOfRange(a1, 12, 18)); // mb3-k5-se-id-f40-l3
        assertEquals(MnasArch.MNASNET_A1, SPACE.fromTokens(a1));
        int[] bad = a1.clone();
        bad[28] = 4;
        ArchitectureFormatException e = assertThrows(ArchitectureFormatException.class, () -> SPACE.fromTokens(bad));
        assertTrue(e.getMessage().contains("position 28 is not a filters choice of block 5"), e.getMessage());
        bad[28] = -1;
        assertThrows(ArchitectureFormatException.class, () -> SPACE.fromTokens(bad));
        e = assertThrows(ArchitectureFormatException.class, () -> SPACE.fromTokens(new int[] {0}));
        assertTrue(e.getMessage().contains("42 tokens"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> SPACE.choices(42));
    }

    @Test
    void protoRoundTripAndServiceLoaderFindsTheSpace() {
        Architecture proto = SPACE.toProto(MnasArch.MNASNET_B1);
        assertEquals("mnasnet", proto.getSpace());
        assertEquals(B1, proto.getEncoding());
        assertEquals(MnasArch.MNASNET_B1, SPACE.fromProto(proto));
        assertSame(SPACE, SearchSpaces.byId("mnasnet"));
    }
}
