package dev.brisk.bench;

import dev.brisk.cpu.ops.VectorElementwise;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.backend.ElementwiseKernels;
import dev.brisk.tensor.backend.UnaryOp;
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
 * Elementwise kernels: {@code cpu} ({@link VectorElementwise}) against the scalar {@code reference}, with a
 * plain {@code System.arraycopy} of the same length as the memory ceiling.
 *
 * <p>Napkin math: ADD moves 12 bytes per float (two reads, one write), ADD with a broadcast operand and the
 * unary ops 8 bytes, copy 8 bytes. GB/s = bytes·n / (ns/op). At n = 4096 everything is in L1/L2 (48 KiB) and
 * the limit is the core: 2 loads + 1 store of 64 bytes per cycle, so ADD ≈ 0.1 ns per float. At n = 2²⁰
 * (4 MiB per array, 8–12 MiB per op) the data sits in L3 and the copy measures the ceiling; ADD should reach
 * ~copy GB/s. EXP and GELU are compute-bound: SVML exp ≈ 0.17 ns/float on one core, GELU_TANH is exp plus ~10
 * flops and a division.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar brisk-bench/target/brisk-jmh.jar ElementwiseBench -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ElementwiseBench {

    @Param({"4096", "1048576"})
    public int n;

    @Param({"cpu", "reference"})
    public String impl;

    /** Intra-op threads (the pool is shared, so this is set per trial). */
    @Param({"2"})
    public int threads;

    private ElementwiseKernels kernels;
    private float[] a, b, out;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        kernels = switch (impl) {
            case "cpu" -> new VectorElementwise();
            case "reference" -> new ReferenceBackend().elementwise().orElseThrow();
            default -> throw new IllegalArgumentException("impl must be cpu or reference, got " + impl);
        };
        SplittableRandom r = new SplittableRandom(42);
        a = new float[n];
        b = new float[n];
        out = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 8 - 4);
            b[i] = (float) (r.nextDouble() * 8 - 4);
        }
    }

    /** The ceiling: 8 bytes per float moved by the JDK's own copy loop. */
    @Benchmark
    public float[] copy() {
        System.arraycopy(a, 0, out, 0, n);
        return out;
    }

    @Benchmark
    public float[] add() {
        kernels.binary(BinaryOp.ADD, a, 0, 1, b, 0, 1, out, 0, n);
        return out;
    }

    /** b broadcast (stride 0), as for a bias add. */
    @Benchmark
    public float[] addBroadcast() {
        kernels.binary(BinaryOp.ADD, a, 0, 1, b, 0, 0, out, 0, n);
        return out;
    }

    @Benchmark
    public float[] exp() {
        kernels.unary(UnaryOp.EXP, a, 0, out, 0, n);
        return out;
    }

    @Benchmark
    public float[] geluTanh() {
        kernels.unary(UnaryOp.GELU_TANH, a, 0, out, 0, n);
        return out;
    }
}
