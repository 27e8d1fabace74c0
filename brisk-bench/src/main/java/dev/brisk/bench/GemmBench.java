package dev.brisk.bench;

import dev.brisk.cpu.gemm.CpuGemm;
import dev.brisk.tensor.DTypes;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.GemmKernels;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pure-Java GEMM ({@link CpuGemm}) on square and MLP-training shapes, fp32 and bf16, 1 and 2 threads.
 *
 * <p>Napkin math. One product is {@code 2·m·n·k} FLOPs (n = 1024: 2.15 GFLOP; 128×784·784×512: 103 MFLOP).
 * FP32 peak = cores × GHz × 2 FMA pipes × 16 lanes × 2 FLOPs per FMA; on a 2-core Zen 5 with full-width
 * AVX-512 at ~3.4 GHz that is about 220 GFLOP/s per core, 440 for two. The micro-kernel alone, on cache-resident
 * panels, reaches ~95% of one core's peak; end to end, packing (touching every A and B element once per
 * block) and the edges of a 12 × 32 tile grid cost the rest. Data: square n = 1024 operands are 4 MB each, so
 * B is packed in (KC = 256, NC) blocks that live in L2/L3 while A blocks of (MC = 384, KC) live in L2.
 *
 * <p>The {@code gflops} column is the result: JMH reports it as a rate ("ops/s" of the counter, i.e. GFLOP/s).
 * {@code shape} is {@code MxNxK:LAYOUT}, LAYOUT ∈ {NN, TN (Aᵀ·B), NT (A·Bᵀ)}. Run, e.g.:
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar brisk-bench/target/brisk-jmh.jar GemmBench -p threads=2
 * </pre>
 * Warm-up is long on purpose: C2 needs seconds on a busy 2-core machine to compile the vector kernels, and
 * until then they run in C1 code without Vector API intrinsics.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
@State(Scope.Benchmark)
public class GemmBench {

    @Param({"256x256x256:NN", "512x512x512:NN", "1024x1024x1024:NN", "2048x2048x2048:NN",
        "128x512x784:NN", "128x512x784:TN", "128x512x784:NT",
        "128x512x512:NN", "128x512x512:TN", "128x512x512:NT"})
    public String shape;

    @Param({"f32", "bf16"})
    public String dtype;

    @Param({"2", "1"})
    public int threads;

    private final GemmKernels gemm = new CpuGemm();
    private int m, n, k, lda, ldb;
    private boolean transA, transB;
    private float[] a, b, c;
    private short[] ah, bh;
    private int savedThreads;

    /** Counts GFLOPs done, so JMH prints GFLOP/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflops;
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("[x:]");
        m = Integer.parseInt(dims[0]);
        n = Integer.parseInt(dims[1]);
        k = Integer.parseInt(dims[2]);
        transA = dims[3].charAt(0) == 'T';
        transB = dims[3].charAt(1) == 'T';
        lda = transA ? m : k;   // A stored (k, m) when transposed
        ldb = transB ? k : n;   // B stored (n, k) when transposed
        SplittableRandom rnd = new SplittableRandom(42);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (rnd.nextDouble() - 0.5);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (rnd.nextDouble() - 0.5);
        }
        ah = new short[a.length];
        bh = new short[b.length];
        DTypes.toBf16(a, 0, ah, 0, a.length);
        DTypes.toBf16(b, 0, bh, 0, b.length);
        savedThreads = Parallel.threads();
        Parallel.setThreads(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Parallel.setThreads(savedThreads);
    }

    @Benchmark
    public float[] gemm(Flops flops) {
        if (dtype.equals("bf16")) {
            gemm.bf16gemm(transA, transB, m, n, k, 1f, ah, 0, lda, bh, 0, ldb, 0f, c, 0, n);
        } else {
            gemm.sgemm(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
        }
        flops.gflops += 2e-9 * m * n * k;
        return c;
    }
}
