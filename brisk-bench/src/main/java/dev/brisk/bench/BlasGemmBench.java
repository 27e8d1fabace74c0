package dev.brisk.bench;

import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.backend.GemmKernels;
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
 * {@code C = A·B} (fp32, row-major, beta = 0) through a backend's GEMM, by default {@code blas}: OpenBLAS's
 * {@code cblas_sgemm} called through FFM on heap arrays. Compare with the same library called from C to see
 * the FFM overhead, and with {@code -p backend=cpu} for the pure-Java kernel.
 *
 * <p>Napkin math: 2·m·n·k flops; GFLOP/s = 2·m·n·k / (µs/op · 1000). n = 256 is 33.6 MFLOP (~0.2 ms at
 * 150 GFLOP/s), so a ~10 ns downcall is noise; the limit is the kernel's FMA throughput (per Zen 5 core: two
 * 512-bit FMA pipes, 64 fp32 flops/cycle). Shapes: square n, plus (128×784)·(784×512) and (128×512)·(512×512),
 * the first two layers of an MNIST MLP at batch 128.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -jar brisk-bench/target/brisk-jmh.jar \
 *        BlasGemmBench -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class BlasGemmBench {

    /** "n" for n×n·n×n, or "MxKxN" for (M×K)·(K×N). */
    @Param({"256", "512", "1024", "2048", "128x784x512", "128x512x512"})
    public String shape;

    @Param({"blas"})
    public String backend;

    private GemmKernels gemm;
    private int m, n, k;
    private float[] a, b, c;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        if (p.length == 1) {
            m = n = k = Integer.parseInt(p[0]);
        } else if (p.length == 3) {
            m = Integer.parseInt(p[0]);
            k = Integer.parseInt(p[1]);
            n = Integer.parseInt(p[2]);
        } else {
            throw new IllegalArgumentException("shape must be \"n\" or \"MxKxN\", got " + shape);
        }
        gemm = Kernels.use(backend).gemm();
        SplittableRandom rnd = new SplittableRandom(42);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) rnd.nextDouble(-1, 1);
        }
    }

    @Benchmark
    public float[] sgemm() {
        gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        return c;
    }
}
