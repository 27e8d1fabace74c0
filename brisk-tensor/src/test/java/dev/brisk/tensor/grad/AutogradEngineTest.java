package dev.brisk.tensor.grad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Semantics of the tape: accumulation, freeing, no-grad, detach, leaves, hooks. Expected values by hand. */
class AutogradEngineTest {

    @Test
    void chainRuleByHand() {
        // y = sum((a*b + a)^2), a = [1, 2], b = [3, -1]: u = a*b + a = [4, 0]; dy/da = 2u*(b+1) = [32, 0];
        // dy/db = 2u*a = [8, 0]
        Tensor a = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {3, -1}, 2).requiresGrad(true);
        Tensor y = a.mul(b).add(a).pow(2f).sum();
        assertEquals(16f, y.item());
        y.backward();
        assertArrayEquals(new float[] {32, 0}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {8, 0}, b.grad().toFloatArray());
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilCleared() {
        Tensor w = Tensor.of(new float[] {2}, 1).requiresGrad(true);
        w.mul(3f).sum().backward();
        w.mul(3f).sum().backward();
        assertArrayEquals(new float[] {6}, w.grad().toFloatArray());
        w.zeroGrad();
        assertNull(w.grad());
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        Tensor x = Tensor.of(new float[] {3}, 1).requiresGrad(true);
        x.mul(x).add(x).sum().backward(); // d/dx (x² + x) = 2x + 1 = 7
        assertArrayEquals(new float[] {7}, x.grad().toFloatArray());
    }

    @Test
    void secondBackwardThroughAFreedGraphFailsClearly() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor y = x.exp().sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
    }

    @Test
    void retainedGraphAllowsASecondBackward() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor y = x.mul(2f).sum();
        y.backward(Tensor.scalar(1f), true);
        y.backward();
        assertArrayEquals(new float[] {4, 4}, x.grad().toFloatArray());
    }

    @Test
    void nonScalarBackwardNeedsAGradient() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor y = x.mul(2f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("shape [2]"), e.getMessage());
        y.backward(Tensor.of(new float[] {1, 10}, 2));
        assertArrayEquals(new float[] {2, 20}, x.grad().toFloatArray());
    }

    @Test
    void noGradAndDetachRecordNothing() {
        Tensor x = Tensor.of(new float[] {1}, 1).requiresGrad(true);
        try (var s = GradMode.noGrad()) {
            Tensor y = x.mul(2f);
            assertFalse(y.requiresGrad());
            assertTrue(y.isLeaf());
        }
        assertTrue(GradMode.isEnabled());
        Tensor d = x.mul(2f).detach();
        assertFalse(d.requiresGrad());
        assertThrows(IllegalStateException.class, () -> d.mul(1f).backward());
        Tensor y = x.mul(2f);
        assertFalse(y.isLeaf());
        assertNotNull(y.gradFn());
        assertEquals("mul", y.gradFn().op());
        assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
    }

    @Test
    void gradReadyHookFiresOnceWhenTheLeafIsFinalBeforeBackwardEnds() {
        // w1 is used early in the forward (so late in backward), w2 late; w2 must be reported first,
        // each exactly once, with its final gradient.
        Tensor w1 = Tensor.of(new float[] {2}, 1).requiresGrad(true);
        Tensor w2 = Tensor.of(new float[] {5}, 1).requiresGrad(true);
        List<String> events = new ArrayList<>();
        w1.registerGradReadyHook(t -> events.add("w1=" + t.grad().item()));
        w2.registerGradReadyHook(t -> events.add("w2=" + t.grad().item()));
        Tensor h = w1.mul(3f);          // h = 6
        Tensor y = h.mul(w2).add(h);     // y = h·w2 + h ; dy/dw2 = h = 6, dy/dw1 = 3(w2 + 1) = 18
        y.sum().backward();
        assertEquals(List.of("w2=6.0", "w1=18.0"), events);
    }

    @Test
    void integerLeavesCannotRequireGrad() {
        assertThrows(IllegalArgumentException.class,
                () -> Tensor.ofLongs(new long[] {1}, 1).requiresGrad(true));
    }
}
