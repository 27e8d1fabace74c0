package dev.brisk.nn.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.nn.BatchNorm2d;
import dev.brisk.nn.CheckpointPolicy;
import dev.brisk.nn.Checkpointing;
import dev.brisk.nn.Conv2d;
import dev.brisk.nn.Flatten;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.NnTesting;
import dev.brisk.nn.ReLU;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.loss.Losses;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every expected size below is computed by hand from the shapes (F32 = 4 bytes), never by the code under test. */
class MemoryReportTest {

    private static final int B = 8;

    /** What Adam keeps: exp_avg and exp_avg_sq, one F32 tensor each per parameter (a stand-in for its state dict). */
    private static Map<String, Tensor> adamLikeState(Module model) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        model.namedParameters().forEach((n, p) -> {
            state.put(n + ".exp_avg", Tensor.zeros(p.shape()));
            state.put(n + ".exp_avg_sq", Tensor.zeros(p.shape()));
        });
        return state;
    }

    private static Map<String, Long> rows(ActivationProfile a) {
        return a.layers().stream().collect(Collectors.toMap(ActivationProfile.Layer::name, l -> l.saved().bytes()));
    }

    private static long rowSum(ActivationProfile a) {
        return a.layers().stream().mapToLong(l -> l.saved().bytes()).sum();
    }

    @Test
    void mlpSizesMatchHandComputation() {
        // Linear(10, 20) → ReLU → Linear(20, 5): 10·20 + 20 + 20·5 + 5 = 325 parameters = 1300 bytes
        Sequential mlp = new Sequential(new Linear(10, 20, new Rng(1)), new ReLU(), new Linear(20, 5, new Rng(2)));
        Tensor x = NnTesting.input(1, B, 10);
        Tensor y = mlp.forward(x);
        Tensor loss = y.mul(y).sum();
        ActivationProfile acts = ActivationProfile.measure(mlp, loss);
        // saved for backward, by hand:
        //   layer 0: its matmul keeps x (B, 10) = 320; the ReLU keeps its input, layer 0's output (B, 20) = 640
        //   layer 2: its matmul keeps the ReLU's output (B, 20) = 640; the loss's y·y keeps y (B, 5) = 160
        //   the weights (matmul saves weight.t(), a view of the parameter) are not activations
        assertEquals(Map.of("0", 320L + 640, "2", 640L + 160), rows(acts));
        assertEquals(1760, acts.total().bytes());
        assertEquals(Map.of(DType.F32, 1760L), acts.total().byDtype());
        // the model-blind graph count agrees: weights saved as views of parameters are not activations
        assertEquals(1760, Graph.savedActivationBytes(loss));
        assertEquals("Linear", acts.layers().get(0).kind());

        MemoryReport before = MemoryReport.of(mlp, adamLikeState(mlp), acts);
        assertEquals(1300, before.parameters().bytes());
        assertEquals(1300, before.gradients().bytes(), "F32 gradients backward will allocate");
        assertEquals(2 * 1300, before.optimizerState().bytes(), "Adam: 2 × params × 4 bytes");
        loss.backward();
        MemoryReport after = MemoryReport.of(mlp, adamLikeState(mlp), acts).withDataLoader(4096);
        assertEquals(1300, after.gradients().bytes(), "the gradients that exist");
        assertEquals(1300 + 1300 + 2600 + 1760 + 4096, after.totalBytes());

        String json = after.toJson(10);
        assertTrue(json.contains("\"optimizer_state\":{\"bytes\":2600,\"by_dtype\":{\"F32\":2600}}"), json);
        assertTrue(json.contains("\"workspace_bytes\":null,\"data_loader_bytes\":4096"), json);
        assertTrue(json.contains("{\"layer\":\"0\",\"kind\":\"Linear\",\"bytes\":960,\"ops\":"), json);
        String text = after.toText(5);
        assertTrue(text.contains("optimizer state") && text.contains("2.5 KiB") && text.contains("not measured"),
                text);
    }

    @Test
    void cnnSizesMatchHandComputation() {
        // conv 1→4, 3×3: 36 + 4; BatchNorm2d(4): 4 + 4; Linear(4·6·6 = 144, 3): 432 + 3 → 483 parameters
        Rng rng = new Rng(3);
        Sequential cnn = new Sequential(new Conv2d(1, 4, 3, 1, 0, rng), new BatchNorm2d(4), new ReLU(), new Flatten(),
                new Linear(144, 3, rng));
        Tensor x = NnTesting.input(2, B, 1, 8, 8);
        Tensor loss = Losses.crossEntropy(cnn.forward(x), Tensor.ofLongs(new long[] {0, 1, 2, 0, 1, 2, 0, 1}, B));
        ActivationProfile acts = ActivationProfile.measure(cnn, loss);
        MemoryReport r = MemoryReport.of(cnn, adamLikeState(cnn), acts);
        assertEquals(483 * 4, r.parameters().bytes());
        assertEquals(483 * 4, r.gradients().bytes());
        assertEquals(2 * 483 * 4, r.optimizerState().bytes());
        // the graph count leaves out weights saved as views or reshapes of parameters too
        assertEquals(acts.total().bytes(), Graph.savedActivationBytes(loss));
        assertEquals(acts.total().bytes(), rowSum(acts), "rows add up to the total");
        Map<String, Long> rows = rows(acts);
        assertTrue(rows.keySet().stream().allMatch(n -> n.equals("0") || n.equals("1") || n.equals("4")),
                "ReLU and Flatten are charged to the layer before them: " + rows);
        // the Linear's matmul keeps its input, the flattened ReLU output (B, 144)
        assertTrue(rows.get("4") >= (long) B * 144 * 4, rows.toString());
        // the conv keeps at least its input (B, 1, 8, 8) or something as large (its im2col columns are larger)
        assertTrue(rows.get("0") >= (long) B * 64 * 4, rows.toString());
    }

    @Test
    void checkpointedBlocksAreOneRowEachAndKeepOnlyTheirInputs() {
        Rng rng = new Rng(4);
        Sequential model = new Sequential(new Sequential(new Linear(10, 64, rng), new ReLU(), new Linear(64, 10, rng)),
                new Linear(10, 5, rng));
        Checkpointing.apply(model, CheckpointPolicy.parse("blocks"));
        Tensor x = NnTesting.input(3, B, 10);
        Tensor y = model.forward(x);
        ActivationProfile acts = ActivationProfile.measure(model, y.mul(y).sum());
        // block 0 keeps x (B, 10) = 320; block 1 keeps block 0's output (B, 10) = 320; y·y keeps y (B, 5) = 160
        assertEquals(Map.of("0", 320L, "1", 320L + 160), rows(acts));
        assertEquals("Checkpointed(Sequential)", acts.layers().stream().filter(l -> l.name().equals("0"))
                .findFirst().orElseThrow().kind());
    }

    @Test
    void byDtypeAndSharedStoragesAreCountedOnce() {
        Linear lin = new Linear(4, 4, new Rng(5)); // 16 + 4 = 20 parameters
        Map<String, Tensor> state = new LinkedHashMap<>();
        Tensor m = Tensor.zeros(4, 4).to(DType.BF16); // 16 × 2 bytes
        state.put("weight.exp_avg", m);
        state.put("weight.alias", m.reshape(16)); // same storage: counted once
        state.put("bias.exp_avg", Tensor.zeros(4));
        MemoryReport r = MemoryReport.of(lin, state, ActivationProfile.NONE);
        assertEquals(Map.of(DType.BF16, 32L, DType.F32, 16L), r.optimizerState().byDtype());
        assertEquals(48, r.optimizerState().bytes());
        assertEquals(Map.of(DType.BF16, 32L, DType.F32, 80L + 80 + 16), r.byDtype().byDtype());
        lin.requiresGrad(false);
        assertEquals(0, MemoryReport.of(lin, Map.of(), ActivationProfile.NONE).gradients().bytes(),
                "frozen parameters get no gradient");
        assertThrows(IllegalArgumentException.class, () -> r.withWorkspace(-2));
        assertThrows(IllegalArgumentException.class, () -> new Usage(5, Map.of(DType.F32, 4L)));
    }
}
