package dev.brisk.data.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SamplerTest {

    @Test
    void sequential() {
        assertArrayEquals(new int[] {0, 1, 2, 3}, Sampler.sequential().indices(4, 9, 3));
    }

    @Test
    void withoutReplacementIsAPermutationPerEpoch() {
        int[] e0 = Sampler.shuffled().indices(100, 5, 0), e1 = Sampler.shuffled().indices(100, 5, 1);
        assertArrayEquals(IntStream.range(0, 100).toArray(), Arrays.stream(e0).sorted().toArray());
        assertFalse(Arrays.equals(e0, e1));
        assertArrayEquals(e0, Sampler.shuffled().indices(100, 5, 0));
        int[] part = Sampler.random(false, 30).indices(100, 5, 0);
        assertEquals(30, Arrays.stream(part).distinct().count());
        assertThrows(IllegalArgumentException.class, () -> Sampler.random(false, 101).indices(100, 5, 0));
    }

    @Test
    void withReplacementRepeatsAndIsUniform() {
        int[] draws = Sampler.random(true, 50_000).indices(10, 1, 0);
        int[] counts = new int[10];
        for (int i : draws) {
            counts[i]++;
        }
        for (int c : counts) {
            assertEquals(5_000, c, 300); // ±4.5σ of a binomial(50000, 0.1)
        }
        int[] small = Sampler.random(true, 20).indices(10, 1, 0);
        assertTrue(Arrays.stream(small).distinct().count() < 20); // 20 draws from 10 must repeat
    }

    @Test
    void weightedWithReplacementFollowsTheWeights() {
        double[] w = {1, 0, 3, 6};
        int[] draws = Sampler.weighted(w, 100_000, true).indices(4, 2, 0);
        int[] counts = new int[4];
        for (int i : draws) {
            counts[i]++;
        }
        assertEquals(0, counts[1]);
        assertEquals(10_000, counts[0], 450); // σ ≈ 95
        assertEquals(30_000, counts[2], 700); // σ ≈ 145
        assertEquals(60_000, counts[3], 800); // σ ≈ 155
    }

    @Test
    void weightedWithoutReplacementIsDistinctAndFavoursHeavyItems() {
        double[] w = new double[100];
        Arrays.fill(w, 1);
        w[7] = 1000;
        int first7 = 0;
        for (int epoch = 0; epoch < 200; epoch++) {
            int[] s = Sampler.weighted(w, 10, false).indices(100, 3, epoch);
            assertEquals(10, Arrays.stream(s).distinct().count());
            first7 += s[0] == 7 ? 1 : 0;
        }
        assertTrue(first7 > 180, "item 7 has 1000/1099 of the weight, drawn first " + first7 + "/200 times");
        assertThrows(IllegalArgumentException.class, () -> Sampler.weighted(new double[] {1, 0}, 2, false));
        assertThrows(IllegalArgumentException.class, () -> Sampler.weighted(new double[] {1, -1}, 1, true));
        assertThrows(IllegalArgumentException.class, () -> Sampler.weighted(new double[] {1, 1}, 1, true)
                .indices(3, 0, 0));
    }

    @Test
    void distributedShardsAreDisjointCoveringPaddedAndReshuffled() {
        int n = 10, world = 4; // ⌈10/4⌉ = 3 per rank, 2 padding entries
        Set<Integer> union = new HashSet<>();
        int total = 0;
        int[][] shards = new int[world][];
        for (int r = 0; r < world; r++) {
            shards[r] = Sampler.distributed(r, world, true).indices(n, 11, 0);
            assertEquals(3, shards[r].length);
            for (int i : shards[r]) {
                union.add(i);
            }
            total += shards[r].length;
        }
        assertEquals(n, union.size()); // covering
        assertEquals(12, total); // padded to equal length: exactly 2 duplicates
        int[] epoch1 = Sampler.distributed(0, world, true).indices(n, 11, 1);
        assertFalse(Arrays.equals(shards[0], epoch1)); // reshuffled
        // without padding the shards are disjoint
        Set<Integer> seen = new HashSet<>();
        for (int r = 0; r < 5; r++) {
            for (int i : Sampler.distributed(r, 5, true).indices(n, 11, 2)) {
                assertTrue(seen.add(i), "index " + i + " in two shards");
            }
        }
        assertArrayEquals(new int[] {1, 5, 9}, Sampler.distributed(1, 4, false).indices(n, 0, 0));
        assertArrayEquals(new int[] {3, 7, 1}, Sampler.distributed(3, 4, false).indices(n, 0, 0)); // 11 % 10 wraps
        assertThrows(IllegalArgumentException.class, () -> Sampler.distributed(4, 4, true));
    }
}
