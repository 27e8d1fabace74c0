package dev.brisk.nn.memory;

import dev.brisk.nn.Checkpointed;
import dev.brisk.nn.Module;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The activations a step keeps for backward, in total and per layer, measured on the recorded graph of the loss
 * right before backward (when they peak: backward frees them op by op).
 *
 * <p>Total: the distinct storages that recorded ops saved, excluding the storage of every parameter of the model
 * (an op may save a view of one, e.g. {@code weight.t()}). A saved view keeps its whole storage alive, so the whole
 * storage is counted. {@link Graph#savedActivationBytes}, which does not know the model, is larger by the parameter
 * storages ops saved views of (a Linear's {@code weight.t()}).
 *
 * <p>Per layer, from the graph alone (modules have no forward hooks): each recorded op is charged to a layer, and
 * each saved storage to the first op, in forward order, that saved it. An op that takes a trainable parameter,
 * directly or through a view of it ({@code weight.t()}), belongs to the module that registered the parameter (a
 * {@link Checkpointed} block counts as one layer, under its own name); an op without one (activation, dropout,
 * residual add, attention softmax) belongs to the layer of the latest op, in forward order, that computed one of its
 * inputs, i.e. the nearest preceding layer; ops before any layer are charged to {@code (input)}. So a row is "what this layer and the parameter-free ops after it keep for
 * backward". Frozen parameters are not graph inputs, so a frozen layer's ops fall to the preceding layer. The rows
 * sum to the total.
 */
public record ActivationProfile(Usage total, List<Layer> layers) {

    /** One layer's share: its hierarchical name, module class, bytes saved by its ops and how many ops. */
    public record Layer(String name, String kind, Usage saved, int ops) {
    }

    public ActivationProfile {
        layers = List.copyOf(layers);
    }

    /** No activations (nothing recorded, e.g. measured under no-grad). */
    public static final ActivationProfile NONE = new ActivationProfile(Usage.NONE, List.of());

    /** Profiles the graph under {@code loss}, attributing ops to the layers of {@code model}. Call before backward. */
    public static ActivationProfile measure(Module model, Tensor loss) {
        Map<Tensor, String> owner = new IdentityHashMap<>();
        Map<String, String> kinds = new LinkedHashMap<>();
        collectOwners(model, "", owner, kinds);
        List<Graph.Recorded> ops = Graph.recorded(loss);
        String[] layerOf = new String[ops.size()];
        boolean[] parameterView = new boolean[ops.size()]; // computed from parameters alone, e.g. weight.t()
        Map<String, Usage.Tally> tallies = new LinkedHashMap<>();
        Map<String, int[]> counts = new LinkedHashMap<>();
        Usage.Tally total = new Usage.Tally();
        model.parameters().forEach(total::exclude);
        ops.forEach(op -> op.leaves().forEach(total::exclude));
        for (int i = 0; i < ops.size(); i++) {
            Graph.Recorded op = ops.get(i);
            String layer = null;
            for (Tensor leaf : op.leaves()) {
                layer = owner.get(leaf);
                if (layer != null) {
                    break;
                }
            }
            parameterView[i] = layer != null && op.parents().length == 0;
            if (layer == null) { // the layer of a parameter view it takes, else the nearest preceding layer
                int latest = -1;
                int view = -1;
                for (int p : op.parents()) {
                    latest = Math.max(latest, p);
                    if (parameterView[p]) {
                        view = p;
                    }
                }
                layer = view >= 0 ? layerOf[view] : latest >= 0 ? layerOf[latest] : INPUT;
            }
            layerOf[i] = layer;
            counts.computeIfAbsent(layer, k -> new int[1])[0]++;
            Usage.Tally t = tallies.computeIfAbsent(layer, k -> new Usage.Tally());
            for (Tensor s : op.saved()) {
                if (total.addStorage(s)) {
                    t.add(s.storage().dtype(), s.storage().byteSize());
                }
            }
        }
        List<Layer> layers = new ArrayList<>();
        tallies.forEach((name, t) -> layers.add(new Layer(name, kinds.getOrDefault(name, ""), t.usage(),
                counts.get(name)[0])));
        layers.sort(Comparator.comparingLong((Layer l) -> l.saved().bytes()).reversed());
        return new ActivationProfile(total.usage(), layers);
    }

    private static final String INPUT = "(input)";

    /** Maps each parameter to the name of the module that registered it (a checkpointed block: the block). */
    private static void collectOwners(Module m, String path, Map<Tensor, String> owner, Map<String, String> kinds) {
        String name = path.isEmpty() ? "(model)" : path;
        if (m instanceof Checkpointed c) {
            kinds.put(name, "Checkpointed(" + c.module().getClass().getSimpleName() + ")");
            c.parameters().forEach(p -> owner.putIfAbsent(p, name));
            return;
        }
        kinds.putIfAbsent(name, m.getClass().getSimpleName());
        m.namedParameters().forEach((pname, p) -> {
            if (pname.indexOf('.') < 0) {
                owner.putIfAbsent(p, name);
            }
        });
        m.namedChildren().forEach((child, c) -> collectOwners(c, path.isEmpty() ? child : path + "." + child,
                owner, kinds));
    }
}
