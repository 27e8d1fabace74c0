package dev.brisk.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Applies a {@link CheckpointPolicy} to a model by wrapping blocks in {@link Checkpointed} in place. Only children
 * of a {@link Sequential} can be swapped (other modules hold their children in final fields and call them
 * directly), so the policy acts on a <em>block list</em>:
 * <ul>
 *   <li>{@link #apply(Sequential, CheckpointPolicy)}: the given Sequential (e.g. a GPT's {@code blocks});</li>
 *   <li>{@link #apply(Module, CheckpointPolicy)}: the model itself when it is a Sequential (a layer stack);
 *       otherwise every Sequential inside it registered under the name {@code blocks} or whose children are all
 *       {@link TransformerBlock}s. A model with none of these is an error naming the fix.</li>
 * </ul>
 * Wrapping keeps every name (the wrapper is transparent), so state dicts, optimizer state keyed by parameter names
 * and checkpoints are unchanged. Already-checkpointed children are left alone, so applying twice is harmless.
 */
public final class Checkpointing {

    private Checkpointing() {
    }

    /** Wraps the selected children of {@code blocks}; returns their names in {@code blocks} ("0", "2", …). */
    public static List<String> apply(Sequential blocks, CheckpointPolicy policy) {
        Objects.requireNonNull(blocks, "blocks");
        Objects.requireNonNull(policy, "policy");
        List<String> wrapped = new ArrayList<>();
        int n = blocks.size();
        for (int i = 0; i < n; i++) {
            Module m = blocks.get(i);
            if (policy.selects(i, n) && !(m instanceof Checkpointed)) {
                blocks.replace(i, new Checkpointed(m));
                wrapped.add(Integer.toString(i));
            }
        }
        return wrapped;
    }

    /**
     * Wraps the selected blocks of every block list of {@code model} (see the class comment); returns the
     * hierarchical names of the wrapped blocks, e.g. {@code blocks.1}.
     */
    public static List<String> apply(Module model, CheckpointPolicy policy) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(policy, "policy");
        if (policy instanceof CheckpointPolicy.None) {
            return List.of();
        }
        if (model instanceof Sequential s) {
            return apply(s, policy);
        }
        List<String> wrapped = new ArrayList<>();
        boolean found = false;
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof Sequential s && isBlockList(e.getKey(), s)) {
                found = true;
                String prefix = e.getKey().isEmpty() ? "" : e.getKey() + ".";
                apply(s, policy).forEach(name -> wrapped.add(prefix + name));
            }
        }
        if (!found) {
            throw new IllegalArgumentException("memory.checkpoint=" + policy + ": " + model.getClass().getSimpleName()
                    + " has no block list (a Sequential named 'blocks' or of TransformerBlocks); pass the Sequential"
                    + " to checkpoint to Checkpointing.apply(Sequential, policy), or wrap a module in Checkpointed");
        }
        return wrapped;
    }

    private static boolean isBlockList(String path, Sequential s) {
        String last = path.substring(path.lastIndexOf('.') + 1);
        if (last.equals("blocks")) {
            return true;
        }
        return s.layers().stream().allMatch(m -> m instanceof TransformerBlock
                || m instanceof Checkpointed c && c.module() instanceof TransformerBlock);
    }
}
