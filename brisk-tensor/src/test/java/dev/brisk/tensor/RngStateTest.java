package dev.brisk.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RngStateTest {

    @Test
    void sameSequenceAsTheJdksSplitMix64() {
        Rng r = new Rng(7);
        SplittableRandom s = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            assertEquals(s.nextLong(), r.nextLong());
            assertEquals(s.nextInt(1 + i * 37), r.nextInt(1 + i * 37));
            assertEquals(s.nextDouble(), r.nextDouble());
        }
        Rng rs = r.split();
        SplittableRandom ss = s.split();
        for (int i = 0; i < 100; i++) {
            assertEquals(ss.nextLong(), rs.nextLong());
        }
    }

    @Test
    void restoredStateContinuesTheSameStream() {
        Rng r = new Rng(123);
        for (int i = 0; i < 17; i++) {
            r.nextGaussian();
        }
        Rng copy = Rng.fromState(r.state());
        for (int i = 0; i < 100; i++) {
            assertEquals(r.nextLong(), copy.nextLong());
        }
        assertThrows(IllegalArgumentException.class, () -> Rng.fromState(new long[] {1, 2}));
    }
}
