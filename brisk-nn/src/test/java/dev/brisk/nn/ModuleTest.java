package dev.brisk.nn;

import static dev.brisk.nn.NnTesting.assertThrowsWith;
import static dev.brisk.nn.NnTesting.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleTest {

    /** A tiny GPT: token embedding, a stack of blocks, final norm, and a head tied to the embedding. */
    static final class TinyGpt extends Module {
        final Embedding wte;
        final Sequential blocks;
        final LayerNorm lnF;

        TinyGpt(int vocab, int dim, int layers, Rng rng) {
            wte = registerModule("wte", new Embedding(vocab, dim, rng));
            List<Module> bs = new ArrayList<>();
            for (int i = 0; i < layers; i++) {
                bs.add(new TransformerBlock(dim, 2, true, rng));
            }
            blocks = registerModule("blocks", new Sequential(bs));
            lnF = registerModule("ln_f", new LayerNorm(dim));
            registerBuffer("step", Tensor.zeros(1));
            describe("vocab=" + vocab);
        }

        @Override
        public Tensor forward(Tensor tokens) {
            // (B, T) -> (B, T, V), the head shares the embedding matrix
            return lnF.forward(blocks.forward(wte.forward(tokens))).matmul(wte.weight().t());
        }
    }

    @Test
    void hierarchicalNamesFollowTheTree() {
        TinyGpt gpt = new TinyGpt(11, 4, 2, new Rng(1));
        List<String> names = new ArrayList<>(gpt.namedParameters().keySet());
        assertEquals(List.of("wte.weight",
                "blocks.0.ln1.weight", "blocks.0.ln1.bias", "blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias",
                "blocks.0.attn.proj.weight", "blocks.0.attn.proj.bias", "blocks.0.ln2.weight", "blocks.0.ln2.bias",
                "blocks.0.mlp.0.weight", "blocks.0.mlp.0.bias", "blocks.0.mlp.2.weight", "blocks.0.mlp.2.bias",
                "blocks.1.ln1.weight", "blocks.1.ln1.bias", "blocks.1.attn.qkv.weight", "blocks.1.attn.qkv.bias",
                "blocks.1.attn.proj.weight", "blocks.1.attn.proj.bias", "blocks.1.ln2.weight", "blocks.1.ln2.bias",
                "blocks.1.mlp.0.weight", "blocks.1.mlp.0.bias", "blocks.1.mlp.2.weight", "blocks.1.mlp.2.bias",
                "ln_f.weight", "ln_f.bias"), names);
        assertEquals(List.of("step"), new ArrayList<>(gpt.namedBuffers().keySet()));
        assertSame(gpt.wte.weight(), gpt.namedParameters().get("wte.weight"));
        assertTrue(gpt.namedModules().containsKey("blocks.1.attn.qkv"));
        assertEquals("", gpt.namedModules().firstEntry().getKey());
        // per block: 2·(4 + 4) (ln1, ln2) + 4·12 + 12 + 4·4 + 4 (attn) + 4·16 + 16 + 16·4 + 4 (mlp) = 244
        assertEquals(11 * 4 + 2 * 244 + 8, gpt.numParameters());
        assertEquals(List.of(11, 3, 11).toString(),
                java.util.Arrays.toString(gpt.forward(Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1,
                    2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0}, 11, 3)).shape()));
    }

    @Test
    void tiedParametersAreListedOnceButSavedUnderEachName() {
        Rng rng = new Rng(1);
        Linear a = new Linear(3, 3, rng);
        Sequential s = new Sequential(a, new ReLU(), a);
        assertEquals(2, s.parameters().size());
        assertEquals(12, s.numParameters());
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), new ArrayList<>(s.stateDict().keySet()));
    }

    @Test
    void trainAndEvalPropagate() {
        TinyGpt gpt = new TinyGpt(5, 4, 1, new Rng(1));
        assertTrue(gpt.namedModules().values().stream().allMatch(Module::isTraining));
        assertSame(gpt, gpt.eval());
        assertTrue(gpt.namedModules().values().stream().noneMatch(Module::isTraining));
        gpt.blocks.train();
        assertFalse(gpt.isTraining());
        assertTrue(gpt.namedModules().get("blocks.0.mlp.1").isTraining());
    }

    @Test
    void freezingApplyAndZeroGrad() {
        Rng rng = new Rng(2);
        Linear a = new Linear(3, 4, rng);
        Linear b = new Linear(4, 2, rng);
        Sequential net = new Sequential(a, new Tanh(), b);
        a.requiresGrad(false);
        assertEquals(10, net.numTrainableParameters());
        assertEquals(26, net.numParameters());
        net.forward(input(1, 5, 3)).sum().backward();
        assertNull(a.weight().grad(), "a frozen layer gets no gradient");
        assertNotNull(b.weight().grad());
        net.zeroGrad();
        assertNull(b.weight().grad());
        List<String> order = new ArrayList<>();
        net.apply(m -> order.add(m.kind()));
        assertEquals(List.of("Linear", "Tanh", "Linear", "Sequential"), order);
        net.apply(m -> m.requiresGrad(true));
        assertTrue(a.weight().requiresGrad());
    }

    @Test
    void toStringIsATree() {
        Sequential net = new Sequential(new Linear(4, 8, new Rng(1)), new ReLU(),
                new Residual(new Sequential(new LayerNorm(8), new Dropout(0.1f, new Rng(2)))));
        assertEquals("""
                Sequential(
                  (0): Linear(in_features=4, out_features=8, bias=true)
                  (1): ReLU()
                  (2): Residual(
                    (fn): Sequential(
                      (0): LayerNorm([8], eps=1.0E-5, elementwise_affine=true)
                      (1): Dropout(p=0.1)
                    )
                  )
                )""", net.toString());
    }

    @Test
    void registrationRejectsBadNames() {
        class Bad extends Module {
            final String which;

            Bad(String which) {
                this.which = which;
                registerParameter("w", Tensor.zeros(2));
                switch (which) {
                    case "dot" -> registerParameter("a.b", Tensor.zeros(1));
                    case "duplicate" -> registerBuffer("w", Tensor.zeros(1));
                    case "integer" -> registerParameter("i", Tensor.ofLongs(new long[] {1}, 1));
                    case "computed" -> registerParameter("c", Tensor.ones(2).requiresGrad(true).mul(2f));
                    case "self" -> registerModule("me", this);
                    default -> { }
                }
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        assertThrowsWith(IllegalArgumentException.class, () -> new Bad("dot"), "Bad", "no '.'", "a.b");
        assertThrowsWith(IllegalArgumentException.class, () -> new Bad("duplicate"), "'w' is already registered");
        assertThrowsWith(IllegalArgumentException.class, () -> new Bad("integer"), "'i'", "floating-point", "I64");
        assertThrowsWith(IllegalArgumentException.class, () -> new Bad("computed"), "'c'", "leaf", "detach()");
        assertThrowsWith(IllegalArgumentException.class, () -> new Bad("self"), "own child");
        assertTrue(new Bad("ok").parameters().getFirst().requiresGrad());
    }
}
