package dev.brisk.nn;

import dev.brisk.tensor.Autocast;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Activation checkpointing of one module (Chen et al. 2016; PyTorch's {@code torch.utils.checkpoint}): the wrapped
 * module's forward runs without recording, so none of its intermediate activations are kept; only its input is.
 * Backward re-runs the forward with recording on and back-propagates through that recomputed graph. Memory: the
 * block's saved activations shrink to its input; compute: one extra forward of the block per step.
 *
 * <p><b>Same results as the plain module.</b> The recompute sees what the first forward saw, so gradients are
 * bit-identical to the un-checkpointed run:
 * <ul>
 *   <li>every buffer of the subtree (dropout's {@code rng_state}, batch norm's running statistics and
 *       {@code num_batches_tracked}) is copied before the forward; the recompute runs from that copy, so dropout
 *       draws the same mask and batch norm normalises the same batch, and afterwards the buffers are put back to
 *       what they were before the recompute, so running statistics are updated exactly once per step;</li>
 *   <li>the train/eval mode of every module and the {@link Autocast} type are those of the forward;</li>
 *   <li>the recomputed output must have the forward's shape and dtype, else backward fails (a module that is not
 *       a function of its input, parameters and buffers cannot be checkpointed).</li>
 * </ul>
 *
 * <p><b>Gradients and hooks.</b> The recorded op's inputs are the block's input and its trainable parameters. The
 * inner backward uses {@link Graph#gradients}, which neither accumulates into {@code grad()} nor fires hooks; the
 * parameters' gradients are returned to the enclosing backward, which accumulates them and fires each parameter's
 * grad-ready hooks exactly once, when every op that used it (this block included) has run. Difference from the
 * plain run: a trainable parameter the block did not use in this forward still counts as an input here, so its
 * hook fires (with no gradient added) where the plain run would not fire it. A parameter used more than once
 * inside the block has its in-block gradients summed before being added to an existing {@code grad()} (gradient
 * accumulation), which may differ from the plain run in the last bit.
 *
 * <p><b>Names.</b> The wrapper is transparent: its state dict, parameters and {@code namedModules()} are those of the
 * wrapped module, under the wrapped module's own name, so a checkpointed model loads a plain model's checkpoint and
 * the other way round. {@link #toString()} shows the wrapper.
 *
 * <p><b>Memory accounting.</b> {@link Graph#savedActivationBytes} before backward counts only the block's input;
 * during backward, the recomputed graph of one block at a time is alive on top of that
 * ({@link #lastRecomputeBytes()}). The buffer copies (small: running statistics, RNG states) are held until backward.
 */
public final class Checkpointed extends Module {

    private final Module module;
    private long lastRecomputeBytes;

    public Checkpointed(Module module) {
        Objects.requireNonNull(module, "Checkpointed: module");
        if (module instanceof Checkpointed) {
            throw new IllegalArgumentException("Checkpointed: the module is already checkpointed; wrap it once");
        }
        this.module = registerModule("module", module);
        makeTransparent();
    }

    /** The wrapped module. */
    public Module module() {
        return module;
    }

    /** Bytes the last recompute's graph held for backward (the extra peak during backward), 0 before any. */
    public long lastRecomputeBytes() {
        return lastRecomputeBytes;
    }

    @Override
    public Tensor forward(Tensor input) {
        List<Tensor> params = module.parameters().stream().filter(Tensor::requiresGrad).toList();
        if (!GradMode.isEnabled() || !(input.requiresGrad() || !params.isEmpty())) {
            return module.forward(input); // nothing would be recorded anyway
        }
        Snapshot before = Snapshot.of(module);
        DType autocast = Autocast.active();
        Tensor raw;
        try (var _ = GradMode.noGrad()) {
            raw = module.forward(input);
        }
        // a fresh tensor object carries the node: raw may be the input itself (identity in eval mode)
        Tensor out = raw.detach();
        int[] shape = out.shape();
        DType dtype = out.dtype();
        Tensor[] inputs = new Tensor[1 + params.size()];
        inputs[0] = input;
        for (int i = 0; i < params.size(); i++) {
            inputs[1 + i] = params.get(i);
        }
        // saved: only the input; parameters are not activations, and nothing inside the block is kept
        return Graph.recordSaving(out, "checkpoint",
                g -> recompute(g, input, params, before, autocast, shape, dtype), new Tensor[] {input}, inputs);
    }

    /**
     * Backward of {@code out = module(input)}: re-run {@code module} on a detached copy of {@code input} with the
     * forward's buffers, modes and autocast, back-propagate {@code g} through it, and return
     * {@code [∂L/∂input, ∂L/∂p₁, …]} (null where none) for the enclosing backward to accumulate.
     */
    private Tensor[] recompute(Tensor g, Tensor input, List<Tensor> params, Snapshot before, DType autocast,
                               int[] shape, DType dtype) {
        Snapshot now = Snapshot.of(module);
        before.restore();
        try (var _ = GradMode.enableGrad(); var _ = Autocast.enable(autocast == null ? DType.F32 : autocast)) {
            Tensor x = input.detach();
            boolean inputGrad = input.requiresGrad();
            if (inputGrad) {
                x.requiresGrad(true);
            }
            Tensor y = module.forward(x);
            if (!Arrays.equals(y.shape(), shape) || y.dtype() != dtype) {
                throw new IllegalStateException("Checkpointed(" + module.getClass().getSimpleName() + "): the "
                        + "recomputed output is " + y.dtype() + " " + Shapes.format(y.shape()) + " but the forward "
                        + "gave " + dtype + " " + Shapes.format(shape) + "; a checkpointed module must be a function "
                        + "of its input, parameters and buffers");
            }
            List<Tensor> wrt = new ArrayList<>(params.size() + 1);
            if (inputGrad) {
                wrt.add(x);
            }
            wrt.addAll(params);
            Tensor[] grads = new Tensor[wrt.size()];
            if (y.requiresGrad()) {
                lastRecomputeBytes = Graph.savedActivationBytes(y);
                grads = Graph.gradients(y, g, wrt.toArray(Tensor[]::new));
            }
            Tensor[] out = new Tensor[1 + params.size()];
            int k = 0;
            if (inputGrad) {
                out[0] = grads[k++];
            }
            for (int i = 0; i < params.size(); i++) {
                out[1 + i] = grads[k++];
            }
            return out;
        } finally {
            now.restore();
        }
    }

    /** Copies of a subtree's buffers and the train/eval mode of each of its modules, restorable in place. */
    private record Snapshot(List<Tensor> buffers, List<Tensor> copies, List<Module> modules, boolean[] training) {

        static Snapshot of(Module root) {
            List<Tensor> buffers = root.buffers();
            List<Tensor> copies = new ArrayList<>(buffers.size());
            try (var _ = GradMode.noGrad()) {
                buffers.forEach(b -> copies.add(b.copy()));
            }
            List<Module> modules = new ArrayList<>(root.namedModules().values());
            boolean[] training = new boolean[modules.size()];
            for (int i = 0; i < training.length; i++) {
                training[i] = modules.get(i).isTraining();
            }
            return new Snapshot(buffers, copies, modules, training);
        }

        void restore() {
            try (var _ = GradMode.noGrad()) {
                for (int i = 0; i < buffers.size(); i++) {
                    buffers.get(i).copyFrom(copies.get(i));
                }
            }
            // parents before children (namedModules order): each train() sets a subtree, descendants then override
            for (int i = 0; i < training.length; i++) {
                if (modules.get(i).isTraining() != training[i]) {
                    modules.get(i).train(training[i]);
                }
            }
        }
    }
}
