package dev.brisk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.tensor.DTypes;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.backend.GemmKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The {@code gemm} workload: C = A·B on the active backend for square n ∈ {256, 512, 1024, 2048} and the MLP
 * training shapes with their Aᵀ·B and A·Bᵀ layouts. Each shape is warmed up (JIT, pool), then timed call by call;
 * the rate is 2mnk over the median call time.
 */
final class GemmWorkload {

    record Shape(int m, int n, int k, boolean transA, boolean transB) {
        String label() {
            String layout = (transA ? "T" : "N") + (transB ? "T" : "N");
            return m + "x" + k + "x" + n + " " + layout;
        }

        double flops() {
            return 2.0 * m * n * k;
        }
    }

    private final String precision;
    private final Integer squareN;
    private final Integer steps;
    private final double seconds;

    GemmWorkload(String precision, Integer squareN, Integer steps, double seconds) {
        if (precision.equals("fp16")) {
            throw new UsageException("gemm: --precision fp16 is not supported (fp16 is a storage type in Brisk; "
                    + "GEMM runs fp32 or bf16 operands)");
        }
        if (squareN != null && (squareN < 1 || squareN > 16384)) {
            throw new UsageException("--n must be between 1 and 16384, got " + squareN);
        }
        this.precision = precision;
        this.squareN = squareN;
        this.steps = steps;
        this.seconds = seconds;
    }

    static List<Shape> standardShapes() {
        List<Shape> s = new ArrayList<>();
        for (int n : new int[] {256, 512, 1024, 2048}) {
            s.add(new Shape(n, n, n, false, false));
        }
        for (int[] mkn : new int[][] {{128, 784, 512}, {128, 512, 512}}) {
            s.add(new Shape(mkn[0], mkn[2], mkn[1], false, false));
            s.add(new Shape(mkn[0], mkn[2], mkn[1], true, false));
            s.add(new Shape(mkn[0], mkn[2], mkn[1], false, true));
        }
        return s;
    }

    ObjectNode run() {
        List<Shape> shapes = squareN != null ? List.of(new Shape(squareN, squareN, squareN, false, false))
                : standardShapes();
        double perShape = Math.max(1.0, seconds / shapes.size());
        GemmKernels g = Kernels.get().gemm();
        boolean bf16 = precision.equals("bf16");
        System.out.printf(Locale.ROOT, "gemm  backend=%s  threads=%d  precision=%s%n",
                Kernels.get().summary(), Parallel.threads(), precision);
        System.out.printf(Locale.ROOT, "%-20s %10s %10s%n", "shape (m x k x n)", "median ms", "GFLOP/s");
        ObjectMapper om = new ObjectMapper();
        ArrayNode results = om.createArrayNode();
        Double headline = null;
        Rng rng = new Rng(42);
        boolean first = true;
        for (Shape s : shapes) {
            float[] a = new float[s.m * s.k];
            float[] b = new float[s.k * s.n];
            float[] c = new float[s.m * s.n];
            rng.fillUniform(a, -1, 1);
            rng.fillUniform(b, -1, 1);
            short[] a16 = bf16 ? toBf16(a) : null;
            short[] b16 = bf16 ? toBf16(b) : null;
            int lda = s.transA ? s.m : s.k;
            int ldb = s.transB ? s.k : s.n;
            Runnable call = bf16
                    ? () -> g.bf16gemm(s.transA, s.transB, s.m, s.n, s.k, 1f, a16, 0, lda, b16, 0, ldb, 0f, c, 0, s.n)
                    : () -> g.sgemm(s.transA, s.transB, s.m, s.n, s.k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, s.n);
            warmUp(call, first ? 2.0 : 0.5);
            first = false;
            double ms = medianMillis(call, perShape);
            double gflops = s.flops() / (ms * 1e6);
            System.out.printf(Locale.ROOT, "%-20s %10.3f %10.1f%n", s.label(), ms, gflops);
            ObjectNode r = results.addObject();
            r.put("shape", s.label());
            r.put("gflops", round1(gflops));
            r.put("median_ms", ms);
            if (s.m == 1024 && s.n == 1024 && s.k == 1024 || squareN != null) {
                headline = gflops;
            }
        }
        ObjectNode out = om.createObjectNode();
        out.put("data", "synthetic");
        out.put("gflops", round1(headline != null ? headline : results.get(0).get("gflops").asDouble()));
        out.set("results", results);
        return out;
    }

    private static void warmUp(Runnable call, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int calls = 0;
        while (calls < 3 || System.nanoTime() < end) {
            call.run();
            calls++;
        }
    }

    private double medianMillis(Runnable call, double perShapeSeconds) {
        List<Long> times = new ArrayList<>();
        long end = System.nanoTime() + (long) (perShapeSeconds * 1e9);
        while (steps != null ? times.size() < steps : (times.size() < 5 || System.nanoTime() < end)) {
            long t0 = System.nanoTime();
            call.run();
            times.add(System.nanoTime() - t0);
        }
        long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted[sorted.length / 2] / 1e6;
    }

    private static short[] toBf16(float[] f) {
        short[] s = new short[f.length];
        DTypes.toBf16(f, 0, s, 0, f.length);
        return s;
    }

    /** One decimal for real rates; three significant digits for the tiny ones of cold or toy runs. */
    private static double round1(double v) {
        return v >= 10 ? Math.round(v * 10) / 10.0 : Math.round(v * 1000) / 1000.0;
    }

    @Override
    public String toString() {
        return "gemm " + precision + " " + Arrays.toString(new Object[] {squareN, steps});
    }
}
