package dev.brisk.bench;

import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.backend.Backend;
import dev.brisk.tensor.backend.NormKernels;
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
 * Norm kernels through a backend's {@link NormKernels}: {@code cpu} (Vector API, both cores) against
 * {@code reference} (scalar, double sums).
 *
 * <p>Napkin math. Layer norm on the transformer's (B·T, C) = (32·64, 128) activations: x, y, g, dx are 1 MiB
 * each. Forward moves ≥ 2 MiB (read x, write y) and does ~7 flops per element (1.8 MFLOP: nothing); backward
 * moves ≥ 3 MiB (read g and x, write dx). The blocks fit in L2+L3, so the floor is cache bandwidth: at
 * ~50–100 GB/s for two cores, ~20–40 µs forward and ~30–60 µs backward. Per row of 128 the vector code runs
 * 8 vectors per pass and 2 horizontal reductions, so reduction latency (~10–15 cycles each), not bandwidth, is
 * the single-row limit; rows overlap in the out-of-order core. Batch norm on the CNN's first conv output
 * (64, 32, 26, 26) = 1.38 M floats (5.3 MiB): stats read x twice, the affine pass reads x and writes y, backward
 * reads g and x twice and writes dx: ~27 MiB per forward+backward, L3/DRAM bound.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar brisk-bench/target/brisk-jmh.jar NormBench -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class NormBench {

    @Param({"cpu", "reference"})
    public String backend;

    private static final int ROWS = 32 * 64;
    private static final int N = 128;
    private static final int BN_N = 64;
    private static final int BN_C = 32;
    private static final int BN_INNER = 26 * 26;

    private NormKernels norms;
    private float[] x, g, y, dx, gamma, beta, dgamma, dbeta, mean, rstd;
    private float[] bx, bg, by, bdx, bmean, bvar, brstd, bscale, bgamma, bbeta, bdgamma, bdbeta;

    @Setup
    public void setup() {
        Backend b = Kernels.discovered().stream().filter(k -> k.name().equals(backend)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no backend " + backend));
        norms = b.norms().orElseThrow();
        SplittableRandom r = new SplittableRandom(42);
        x = random(r, ROWS * N);
        g = random(r, ROWS * N);
        y = new float[ROWS * N];
        dx = new float[ROWS * N];
        gamma = random(r, N);
        beta = random(r, N);
        dgamma = new float[N];
        dbeta = new float[N];
        mean = new float[ROWS];
        rstd = new float[ROWS];
        int bnSize = BN_N * BN_C * BN_INNER;
        bx = random(r, bnSize);
        bg = random(r, bnSize);
        by = new float[bnSize];
        bdx = new float[bnSize];
        bmean = new float[BN_C];
        bvar = new float[BN_C];
        brstd = new float[BN_C];
        bscale = new float[BN_C];
        bgamma = random(r, BN_C);
        bbeta = random(r, BN_C);
        bdgamma = new float[BN_C];
        bdbeta = new float[BN_C];
        norms.layerNorm(x, 0, ROWS, N, gamma, beta, 1e-5f, y, 0, mean, rstd);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** (2048, 128): y, mean, rstd. */
    @Benchmark
    public float[] layerNormForward() {
        norms.layerNorm(x, 0, ROWS, N, gamma, beta, 1e-5f, y, 0, mean, rstd);
        return y;
    }

    /** (2048, 128): dx, dγ, dβ. */
    @Benchmark
    public float[] layerNormBackward() {
        norms.layerNormBackward(g, 0, x, 0, ROWS, N, gamma, mean, rstd, dx, 0, dgamma, dbeta);
        return dx;
    }

    /** (64, 32, 26, 26), training: batch stats, affine, then the backward. */
    @Benchmark
    public float[] batchNorm2dForwardBackward() {
        norms.channelStats(bx, 0, BN_N, BN_C, BN_INNER, bmean, bvar);
        for (int c = 0; c < BN_C; c++) {
            brstd[c] = (float) (1 / Math.sqrt(bvar[c] + 1e-5));
            bscale[c] = bgamma[c] * brstd[c];
        }
        norms.channelAffine(bx, 0, BN_N, BN_C, BN_INNER, bmean, bscale, bbeta, by, 0);
        norms.batchNormBackward(true, bg, 0, bx, 0, BN_N, BN_C, BN_INNER, bmean, brstd, bgamma, bdx, 0, bdgamma,
                bdbeta);
        return bdx;
    }
}
