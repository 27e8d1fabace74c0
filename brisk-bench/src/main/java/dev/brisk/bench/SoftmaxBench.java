package dev.brisk.bench;

import dev.brisk.cpu.ops.VectorReductions;
import dev.brisk.cpu.ops.VectorSoftmax;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.ReduceOp;
import dev.brisk.tensor.backend.ReductionKernels;
import dev.brisk.tensor.backend.SoftmaxKernels;
import dev.brisk.tensor.reference.ReferenceBackend;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Row softmax and row SUM over a (rows, cols) block: {@code cpu} ({@link VectorSoftmax}, {@link VectorReductions})
 * against the scalar {@code reference}, with a copy of the block as the memory ceiling.
 *
 * <p>Napkin math: softmax reads a row three times and writes it twice, but the row (1–2 KiB) stays in L1, so
 * from memory it moves 8 bytes per element, like the copy; the arithmetic is one exp per element (SVML
 * ≈ 0.17 ns/float per core) plus max, sum and scale passes of ~0.03 ns/float each, so ~0.3 ns per element per
 * core, ≈ 10 µs for 128×512 on one core, and half that on two. SUM rows reads 4 bytes per element and is
 * load-bound (4 vector accumulators: ~2 loads of 64 bytes per cycle from L1/L2).
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar brisk-bench/target/brisk-jmh.jar SoftmaxBench -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SoftmaxBench {

    /** rows x cols */
    @Param({"128x512", "2048x256"})
    public String shape;

    @Param({"cpu", "reference"})
    public String impl;

    @Param({"2"})
    public int threads;

    private SoftmaxKernels softmax;
    private ReductionKernels reductions;
    private int rows, cols;
    private float[] x, out, sums;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        String[] p = shape.split("x");
        rows = Integer.parseInt(p[0]);
        cols = Integer.parseInt(p[1]);
        ReferenceBackend ref = new ReferenceBackend();
        switch (impl) {
            case "cpu" -> {
                softmax = new VectorSoftmax();
                reductions = new VectorReductions();
            }
            case "reference" -> {
                softmax = ref.softmax().orElseThrow();
                reductions = ref.reductions().orElseThrow();
            }
            default -> throw new IllegalArgumentException("impl must be cpu or reference, got " + impl);
        }
        SplittableRandom r = new SplittableRandom(7);
        x = new float[rows * cols];
        out = new float[rows * cols];
        sums = new float[rows];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 20 - 10);
        }
    }

    @Benchmark
    public float[] copy() {
        System.arraycopy(x, 0, out, 0, x.length);
        return out;
    }

    @Benchmark
    public float[] softmax() {
        softmax.softmax(false, x, 0, rows, cols, out, 0);
        return out;
    }

    @Benchmark
    public float[] logSoftmax() {
        softmax.softmax(true, x, 0, rows, cols, out, 0);
        return out;
    }

    /** SUM over each row: (rows, cols) → (rows). */
    @Benchmark
    public float[] sumRows() {
        reductions.reduce(ReduceOp.SUM, x, 0, rows, cols, 1, sums, 0);
        return sums;
    }
}
