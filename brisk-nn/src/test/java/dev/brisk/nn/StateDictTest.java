package dev.brisk.nn;

import static dev.brisk.nn.NnTesting.assertThrowsWith;
import static dev.brisk.nn.NnTesting.input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateDictTest {

    static Sequential cnn(long seed) {
        Rng rng = new Rng(seed);
        return new Sequential(new Conv2d(1, 3, 3, 1, 1, rng), new BatchNorm2d(3), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(12, 2, rng));
    }

    @Test
    void roundTripGivesIdenticalOutputs() {
        Sequential a = cnn(1);
        a.forward(input(1, 4, 1, 4, 4)); // move the running stats away from their initial values
        a.eval();
        Sequential b = cnn(2);
        b.eval();
        Tensor x = input(2, 3, 1, 4, 4);
        assertFalse(Arrays.equals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray()));
        LinkedHashMap<String, Tensor> state = a.stateDict();
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "5.weight", "5.bias"), List.copyOf(state.keySet()));
        Tensor bWeight = ((Conv2d) b.get(0)).weight();
        Module.LoadResult r = b.loadStateDict(state, true);
        assertEquals(List.of(), r.missingKeys());
        assertEquals(List.of(), r.unexpectedKeys());
        assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
        assertSame(bWeight, ((Conv2d) b.get(0)).weight(), "loading copies into the existing tensors");
        assertEquals(1, ((BatchNorm2d) b.get(1)).numBatchesTracked().getLong());
        // the loaded values are copies: training b further leaves a alone
        float before = state.get("0.weight").getFloat(0, 0, 0, 0);
        bWeight.set(123, 0, 0, 0, 0);
        assertEquals(before, ((Conv2d) a.get(0)).weight().getFloat(0, 0, 0, 0));
    }

    @Test
    void stateDictSharesStorageWithTheModule() {
        Linear lin = new Linear(2, 2, new Rng(1));
        Tensor w = lin.stateDict().get("weight");
        w.set(7, 1, 1);
        assertEquals(7f, lin.weight().getFloat(1, 1));
        assertFalse(w.requiresGrad());
    }

    @Test
    void errorsListEveryProblemAndLoadNothing() {
        Sequential model = cnn(1);
        float[] conv0 = ((Conv2d) model.get(0)).weight().toFloatArray();
        LinkedHashMap<String, Tensor> state = cnn(2).stateDict();
        state.remove("1.running_var");
        state.put("5.weight", Tensor.zeros(12, 2));
        state.put("6.weight", Tensor.zeros(3));
        assertThrowsWith(IllegalArgumentException.class, () -> model.loadStateDict(state, true),
                "loadStateDict into Sequential", "3 problem(s)", "nothing was loaded",
                "shape mismatch for 5.weight: expected shape [2,12], got [12,2]",
                "missing key 1.running_var (shape [3])",
                "unexpected key 6.weight (shape [3])", "strict=false");
        // "0.weight" was fine, but nothing is loaded when anything is wrong
        assertArrayEquals(conv0, ((Conv2d) model.get(0)).weight().toFloatArray());
        // a shape mismatch is an error even when not strict
        assertThrowsWith(IllegalArgumentException.class, () -> model.loadStateDict(state, false), "1 problem(s)",
                "5.weight");
    }

    @Test
    void nonStrictReportsMissingAndUnexpected() {
        Sequential model = cnn(1);
        LinkedHashMap<String, Tensor> state = cnn(2).stateDict();
        Tensor src = state.get("0.weight");
        state.remove("5.bias");
        state.put("extra.thing", Tensor.zeros(1));
        Module.LoadResult r = model.loadStateDict(state, false);
        assertEquals(List.of("5.bias"), r.missingKeys());
        assertEquals(List.of("extra.thing"), r.unexpectedKeys());
        assertArrayEquals(src.toFloatArray(), ((Conv2d) model.get(0)).weight().toFloatArray());
        assertThrowsWith(IllegalArgumentException.class, () -> model.loadStateDict(state, true),
                "missing key 5.bias", "unexpected key extra.thing");
    }
}
