package dev.brisk.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.backend.UnaryOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chunked BF16 elementwise path gives exactly what widening whole tensors to F32, computing and rounding once
 * gives: same kernel, same roundings. Shapes cover broadcasting (stride-0 runs), transposed views, runs longer
 * than a chunk and than the parallel threshold, and BF16 mixed with F32 tensors and scalars.
 */
class Bf16ElementwiseTest {

    private static Tensor bf16(Rng rng, int... shape) {
        return Tensor.randn(rng, shape).to(DType.BF16);
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void binaryEqualsTheF32PathRoundedOnce(int threads) {
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Rng rng = new Rng(5);
            Tensor[][] pairs = {
                {bf16(rng, 64, 700), bf16(rng, 64, 700)},                // contiguous, one long run
                {bf16(rng, 300, 257), bf16(rng, 257)},                   // bias-style broadcast of the last dim
                {bf16(rng, 4, 6, 9, 9), bf16(rng, 1, 6, 1, 1)},          // per-channel: stride-0 runs
                {bf16(rng, 33, 65).t(), bf16(rng, 65, 33)},              // a transposed view
                {bf16(rng, 200, 300), Tensor.randn(rng, 200, 300)},      // BF16 with F32: F32 result
                {Tensor.randn(rng, 513), bf16(rng, 7, 513)},             // F32 broadcast into BF16 rows
                {bf16(rng, 2000, 40), Tensor.scalar(1.5f)},              // a scalar keeps BF16
            };
            for (Tensor[] p : pairs) {
                for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV}) {
                    DType result = ElementwiseOps.promote("op", p[0], p[1]);
                    Tensor got = ElementwiseOps.binary(op, p[0], p[1]);
                    Tensor want = ElementwiseOps.binary(op, p[0].to(DType.F32), p[1].to(DType.F32)).to(result);
                    assertEquals(result, got.dtype());
                    assertArrayEquals(want.toFloatArray(), got.toFloatArray(),
                            op + " " + p[0].dtype() + Shapes.format(p[0].shapeRef()) + " with " + p[1].dtype()
                                    + Shapes.format(p[1].shapeRef()));
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void unaryAndItsGradientEqualTheF32Path(int threads) {
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Rng rng = new Rng(6);
            Tensor[] xs = {bf16(rng, 128, 512), bf16(rng, 3, 1000), bf16(rng, 40, 70).t(), bf16(rng, 5)};
            for (Tensor x : xs) {
                for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU, UnaryOp.TANH, UnaryOp.NEG, UnaryOp.GELU_TANH}) {
                    Tensor got = ElementwiseOps.unary(op, x);
                    Tensor want = ElementwiseOps.unary(op, x.to(DType.F32)).to(DType.BF16);
                    assertEquals(DType.BF16, got.dtype());
                    assertArrayEquals(want.toFloatArray(), got.toFloatArray(), op + " " + Shapes.format(x.shapeRef()));
                    Tensor g = Tensor.randn(rng, x.shape());
                    Tensor gGot = ElementwiseGrad.unaryGrad(op, x, g);
                    Tensor gWant = ElementwiseGrad.unaryGrad(op, x.to(DType.F32), g);
                    assertEquals(DType.F32, gGot.dtype());
                    assertArrayEquals(gWant.toFloatArray(), gGot.toFloatArray(),
                            op + " gradient " + Shapes.format(x.shapeRef()));
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
