package dev.brisk.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The row iterator behind every elementwise op: it must visit every element exactly once, at the right storage
 * offset for each operand, merge dims only where all operands allow it, and give the same result when split
 * over the pool.
 */
class StridedLoopTest {

    /** Visits every element through the loop, recording for operand 0's flat offset the offset of operand 1. */
    private static int[] mapping(int[] shape, int[] s0, int[] s1, int base0, int base1, int size0) {
        StridedLoop loop = StridedLoop.of(shape, s0, s1);
        int i0 = loop.innerStride(0);
        int i1 = loop.innerStride(1);
        int[] map = new int[size0];
        java.util.Arrays.fill(map, -1);
        AtomicIntegerArray hits = new AtomicIntegerArray(size0);
        loop.run(new int[] {base0, base1}, (off, n) -> {
            for (int i = 0; i < n; i++) {
                int p = off[0] + i * i0;
                hits.incrementAndGet(p);
                map[p] = off[1] + i * i1;
            }
        });
        for (int p = 0; p < size0; p++) {
            if (p >= base0 && hits.get(p) != 1) {
                throw new AssertionError("offset " + p + " visited " + hits.get(p) + " times");
            }
        }
        return map;
    }

    @Test
    void visitsEveryElementAtTheRightOffsets() {
        int[][] shapes = {{1}, {7}, {3, 5}, {2, 1, 4}, {4, 3, 2, 5}, {1, 1, 1}, {33, 17}, {2, 129, 3}};
        for (int[] shape : shapes) {
            int n = TestSupport.numel(shape);
            int[] cont = Shapes.contiguousStrides(shape);
            // operand 1: the same shape stored with dims reversed (a transposed layout), offset 5
            int r = shape.length;
            int[] rev = new int[r];
            for (int d = 0; d < r; d++) {
                rev[d] = shape[r - 1 - d];
            }
            int[] revStrides = Shapes.contiguousStrides(rev);
            int[] s1 = new int[r];
            for (int d = 0; d < r; d++) {
                s1[d] = revStrides[r - 1 - d];
            }
            int[] map = mapping(shape, cont, s1, 0, 5, n);
            for (int p = 0; p < n; p++) {
                int[] idx = TestSupport.unravel(p, shape);
                int want = 5;
                for (int d = 0; d < r; d++) {
                    want += idx[d] * s1[d];
                }
                assertEquals(want, map[p], "shape " + java.util.Arrays.toString(shape) + " element " + p);
            }
            // operand 1 broadcast over the last dim (stride 0) and over the first
            int[] b1 = cont.clone();
            b1[r - 1] = 0;
            int[] mapB = mapping(shape, cont, b1, 0, 0, n);
            for (int p = 0; p < n; p++) {
                int[] idx = TestSupport.unravel(p, shape);
                int want = 0;
                for (int d = 0; d < r - 1; d++) {
                    want += idx[d] * cont[d];
                }
                assertEquals(want, mapB[p], "broadcast last, element " + p);
            }
        }
    }

    @Test
    void mergesContiguousDimsIntoOneRun() {
        int[] shape = {4, 3, 5};
        StridedLoop l = StridedLoop.of(shape, Shapes.contiguousStrides(shape), Shapes.contiguousStrides(shape));
        assertEquals(60, l.inner(), "a contiguous tensor is one run");
        // (B,C,H,W) · (1,C,1,1): runs of H·W with the per-channel operand at stride 0
        int[] nchw = {2, 3, 4, 5};
        int[] chan = {0, 1, 0, 0};
        StridedLoop c = StridedLoop.of(nchw, Shapes.contiguousStrides(nchw), chan);
        assertEquals(20, c.inner());
        assertEquals(0, c.innerStride(1));
        // a transposed operand prevents merging
        StridedLoop t = StridedLoop.of(new int[] {3, 4}, new int[] {4, 1}, new int[] {1, 3});
        assertEquals(4, t.inner());
        assertEquals(3, t.innerStride(1));
        // size-1 dims are dropped whatever their stride
        StridedLoop one = StridedLoop.of(new int[] {3, 1, 4}, new int[] {4, 99, 1}, new int[] {4, 7, 1});
        assertEquals(12, one.inner());
        StridedLoop scalar = StridedLoop.of(new int[0], new int[0], new int[0]);
        assertEquals(1, scalar.inner());
        AtomicLong count = new AtomicLong();
        scalar.run(new int[] {3, 4}, (off, n) -> count.addAndGet(n * 1000L + off[0] * 10L + off[1]));
        assertEquals(1034, count.get());
        AtomicLong none = new AtomicLong();
        StridedLoop.of(new int[] {0, 5}, new int[] {5, 1}).run(new int[] {0}, (off, n) -> none.incrementAndGet());
        assertEquals(0, none.get(), "an empty shape runs nothing");
    }

    @Test
    void parallelSplitMatchesSerial() {
        int saved = Parallel.threads();
        try {
            // many short rows of a transposed operand: total above the threshold, split into tasks
            int[] shape = {StridedLoop.PARALLEL_MIN_ELEMENTS / 8, 10};
            int n = TestSupport.numel(shape);
            for (int threads : new int[] {1, 3}) {
                Parallel.setThreads(threads);
                int[] map = mapping(shape, Shapes.contiguousStrides(shape), new int[] {1, shape[0]}, 0, 0, n);
                for (int p = 0; p < n; p++) {
                    int i = p / 10;
                    int j = p % 10;
                    if (map[p] != j * shape[0] + i) {
                        throw new AssertionError("threads " + threads + " element " + p + " -> " + map[p]);
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
