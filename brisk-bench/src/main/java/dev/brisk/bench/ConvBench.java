package dev.brisk.bench;

import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.PoolKernels;
import dev.brisk.tensor.functional.Conv;
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
 * The convolutions and max-pools of the {@code cnn} workload (batch 64, see BENCHMARKS.md) on the active
 * backend: conv forward, input gradient and weight gradient, and 2×2 max-pool forward and backward.
 *
 * <p>Napkin math. A conv pass costs 2·N·O·OH·OW·C·KH·KW FLOPs (forward, data grad and weight grad alike):
 * <pre>
 *   conv1  x (64, 1, 28, 28)  W (32, 1, 3, 3)   -> (64, 32, 26, 26)   2·64·32·676·9    =  24.9 MFLOP
 *   conv2  x (64, 32, 13, 13) W (64, 32, 3, 3)  -> (64, 64, 11, 11)   2·64·64·121·288  = 285.5 MFLOP
 * </pre>
 * GFLOP/s = MFLOP / (µs/op) · 1000 ÷ 1000, i.e. MFLOP / ms. Per image, conv2 is a GEMM of (64 × 288)·(288 × 121),
 * conv1 of (32 × 9)·(9 × 676): k = 9 leaves the FMA pipes mostly waiting on loads and stores of C, so conv1
 * cannot reach the GEMM rate and is bounded by writing its 5.5 MB output. The limit to compare with is the GEMM
 * n = 1024 rate measured in the same run ({@code ./brisk bench gemm --n 1024}).
 * Max-pool 2×2/2: pool1 reads (64, 32, 26, 26) = 5.5 MB and writes 1.4 MB of values + 1.4 MB of indices;
 * pool2 reads (64, 64, 11, 11) = 2 MB. Bytes moved / time is the figure of merit there.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar brisk-bench/target/brisk-jmh.jar ConvBench -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBench {

    /** conv1 or conv2 of the cnn workload. */
    @Param({"conv1", "conv2"})
    public String layer;

    @Param({"cpu"})
    public String backend;

    private static final int[] ONE = {1};
    private static final int[] ZERO = {0};

    private Tensor x, w, b, gOut;
    private int[] xShape, wShape;
    // max-pool after the conv: on (64, O, OH, OW), 2x2 stride 2
    private PoolKernels pool;
    private float[] pIn, pOut, pGrad, pDx;
    private int[] pArg;
    private int planes, ph, pw, poh, pow;

    @Setup
    public void setup() {
        Kernels.use(backend);
        Rng rng = new Rng(42);
        int n = 64;
        int c, h, o;
        switch (layer) {
            case "conv1" -> { c = 1; h = 28; o = 32; }
            case "conv2" -> { c = 32; h = 13; o = 64; }
            default -> throw new IllegalArgumentException("layer must be conv1 or conv2, got " + layer);
        }
        xShape = new int[] {n, c, h, h};
        wShape = new int[] {o, c, 3, 3};
        x = Tensor.randn(rng, xShape);
        w = Tensor.randn(rng, wShape);
        b = Tensor.randn(rng, o);
        gOut = Tensor.randn(rng, n, o, h - 2, h - 2);
        pool = Kernels.get().pooling();
        planes = n * o;
        ph = pw = h - 2;
        poh = pow = ph / 2;
        pIn = gOut.toFloatArray();
        pOut = new float[planes * poh * pow];
        pArg = new int[pOut.length];
        pGrad = new float[pOut.length];
        java.util.Arrays.fill(pGrad, 1f);
        pDx = new float[pIn.length];
        poolForward();
    }

    @Benchmark
    public Tensor convForward() {
        try (var s = GradMode.noGrad()) {
            return Conv.conv2d(x, w, b, ONE, ZERO, ONE, 1);
        }
    }

    @Benchmark
    public Tensor convBackwardData() {
        return Conv.conv2dInputGrad(xShape, w, gOut, ONE, ZERO, ONE, 1);
    }

    @Benchmark
    public Tensor convBackwardWeight() {
        return Conv.conv2dWeightGrad(x, wShape, gOut, ONE, ZERO, ONE, 1);
    }

    @Benchmark
    public float[] poolForward() {
        pool.maxPool2d(pIn, 0, planes, ph, pw, 2, 2, 2, 2, 0, 0, 1, 1, pOut, 0, poh, pow, pArg, 0);
        return pOut;
    }

    @Benchmark
    public float[] poolBackward() {
        java.util.Arrays.fill(pDx, 0f); // part of the op: autograd hands the kernel a zeroed dx
        pool.maxPool2dBackward(pGrad, 0, pArg, 0, planes, poh, pow, pDx, 0, ph, pw);
        return pDx;
    }
}
