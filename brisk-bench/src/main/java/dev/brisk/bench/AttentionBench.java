package dev.brisk.bench;

import dev.brisk.cpu.ops.VectorCausalSoftmax;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.SoftmaxKernels;
import dev.brisk.tensor.functional.Attention;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Causal scaled dot-product attention on the {@code transformer} workload's shape, (B, H, T, hs) =
 * (32, 4, 64, 32), on the active backend; plus the fused attention softmax alone, vector against the scalar
 * default of {@link SoftmaxKernels}.
 *
 * <p>Napkin math. Each of the six GEMMs (q·kᵀ and P·v forward; dv = Pᵀ·g, dP = g·vᵀ, dq = dS·k, dk = dSᵀ·q
 * backward) is 128 products of 64×64×32 or 64×32×64: 2·128·64·64·32 = 33.6 MFLOP, so forward is 67 MFLOP and
 * forward + backward 201 MFLOP: ~1.3 ms at 150 GFLOP/s, ~0.7 ms at the 2-core ~300 GFLOP/s of big GEMMs (tiny
 * matrices reach less). The softmax touches B·H·T·T = 524,288 scores (2 MiB): forward reads S and writes P,
 * backward reads P and dP and writes dS; half of each causal row is skipped. At ~0.1–0.2 ns per element
 * (EXP-bound forward) that is ~50–100 µs per direction, i.e. the GEMMs should dominate.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar brisk-bench/target/brisk-jmh.jar AttentionBench -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AttentionBench {

    private static final int B = 32;
    private static final int H = 4;
    private static final int T = 64;
    private static final int HS = 32;
    private static final float SCALE = (float) (1 / Math.sqrt(HS));

    private Tensor q, k, v, grad;
    private float[] scores, probs, dProbs, dScores;
    private SoftmaxKernels scalarDefault;

    @Setup
    public void setup() {
        Rng rng = new Rng(42);
        q = Tensor.randn(rng, B, H, T, HS).requiresGrad(true);
        k = Tensor.randn(rng, B, H, T, HS).requiresGrad(true);
        v = Tensor.randn(rng, B, H, T, HS).requiresGrad(true);
        grad = Tensor.randn(rng, B, H, T, HS);
        SplittableRandom r = new SplittableRandom(1);
        scores = new float[B * H * T * T];
        dProbs = new float[scores.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) r.nextGaussian() * 4;
            dProbs[i] = (float) r.nextGaussian();
        }
        probs = new float[scores.length];
        dScores = new float[scores.length];
        scalarDefault = (log, x, xOff, rows, cols, out, outOff) -> {
            throw new UnsupportedOperationException("only the default attention methods are benchmarked");
        };
        VectorCausalSoftmax.forward(scores, 0, B * H, T, T, SCALE, true, probs, 0);   // backward benches read P
        System.out.println("backend " + Kernels.get().summary());
    }

    /** Forward only (no graph recorded). */
    @Benchmark
    public Tensor forward() {
        try (var s = dev.brisk.tensor.GradMode.noGrad()) {
            return Attention.scaledDotProduct(q, k, v, true, SCALE);
        }
    }

    /** Forward + backward into q, k, v (the gradients are replaced, not accumulated, each call). */
    @Benchmark
    public Tensor forwardBackward() {
        q.zeroGrad();
        k.zeroGrad();
        v.zeroGrad();
        Attention.scaledDotProduct(q, k, v, true, SCALE).backward(grad);
        return q.grad();
    }

    @Benchmark
    public float[] softmaxVector() {
        VectorCausalSoftmax.forward(scores, 0, B * H, T, T, SCALE, true, probs, 0);
        return probs;
    }

    @Benchmark
    public float[] softmaxScalarDefault() {
        scalarDefault.attentionSoftmax(scores, 0, B * H, T, T, SCALE, true, probs, 0);
        return probs;
    }

    @Benchmark
    public float[] softmaxBackwardVector() {
        VectorCausalSoftmax.backward(probs, 0, dProbs, 0, B * H, T, T, SCALE, true, dScores, 0);
        return dScores;
    }

    @Benchmark
    public float[] softmaxBackwardScalarDefault() {
        scalarDefault.attentionSoftmaxBackward(probs, 0, dProbs, 0, B * H, T, T, SCALE, true, dScores, 0);
        return dScores;
    }
}
