package dev.brisk.bench;

import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.backend.Backend;
import dev.brisk.tensor.backend.OptimizerKernels;
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
 * One fused AdamW update over 1M parameters through a backend's {@link OptimizerKernels}: {@code cpu} (Vector API,
 * split over the intra-op pool) against {@code reference} (scalar, double), plus the global-norm pass used by
 * gradient clipping.
 *
 * <p>Napkin math. AdamW reads p, g, m, v and writes p, m, v: 7 × 4 B = 28 B per parameter, 28 MB per step for
 * 1M parameters, for ~15 flops per parameter (15 MFLOP: nothing). The 16 MB working set exceeds L2 and most of
 * L3, so the step is DRAM-bound: at ~10–20 GB/s for two cores of a shared VM, 1.4–2.8 ms; at 100 GB/s (a full
 * server socket) 0.28 ms. Report {@code 28e6 / time} as GB/s and compare with a STREAM triad on the same machine.
 * The norm pass reads 4 MB: ~0.2–0.4 ms at the same bandwidth. The reference computes in double with a
 * division and a square root per element, so it is compute-bound and several times slower.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar brisk-bench/target/brisk-jmh.jar OptimizerBench -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class OptimizerBench {

    /** Bytes moved by one AdamW step per parameter: read p, g, m, v; write p, m, v. */
    public static final int ADAMW_BYTES_PER_PARAM = 28;

    @Param({"cpu", "reference"})
    public String backend;

    @Param({"1048576"})
    public int n;

    private OptimizerKernels kernels;
    private float[] p;
    private float[] g;
    private float[] m;
    private float[] v;

    @Setup
    public void setup() {
        Backend b = Kernels.discovered().stream().filter(k -> k.name().equals(backend)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no backend " + backend));
        kernels = b.optimizers().orElseThrow(() -> new IllegalArgumentException(backend + " has no optimizer kernels"));
        SplittableRandom r = new SplittableRandom(42);
        p = new float[n];
        g = new float[n];
        m = new float[n];
        v = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) r.nextGaussian();
            g[i] = (float) (1e-2 * r.nextGaussian());
        }
    }

    /** AdamW at step 10 (bias corrections 1 − 0.9^10, 1 − 0.999^10), lr 1e-3, decay 0.01. */
    @Benchmark
    public float adamwStep() {
        kernels.adam(p, 0, g, 0, m, v, 0, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true, 0.6513216f, 0.009955120f);
        return p[0];
    }

    /** Σ g² for global-norm clipping: reads 4 B per parameter. */
    @Benchmark
    public double gradNorm() {
        return kernels.sumOfSquares(g, 0, n);
    }
}
