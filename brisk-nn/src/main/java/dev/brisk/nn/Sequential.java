package dev.brisk.nn;

import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Applies its children in order, {@code x -> m_{n−1}(…m_1(m_0(x)))}; the children are named "0", "1", .... */
public final class Sequential extends Module {

    private final List<Module> layers;

    public Sequential(Module... layers) {
        this(List.of(layers));
    }

    public Sequential(List<? extends Module> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("Sequential: needs at least one module");
        }
        this.layers = new ArrayList<>(List.copyOf(layers)); // mutable only through replace()
        for (int i = 0; i < this.layers.size(); i++) {
            registerModule(Integer.toString(i), this.layers.get(i));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Module m : layers) {
            y = m.forward(y);
        }
        return y;
    }

    public Module get(int index) {
        return layers.get(index);
    }

    public int size() {
        return layers.size();
    }

    public List<Module> layers() {
        return Collections.unmodifiableList(layers);
    }

    /** Swaps child {@code index} for {@code module} under the same name (package use: {@link Checkpointing}). */
    void replace(int index, Module module) {
        replaceModule(Integer.toString(index), module);
        layers.set(index, module);
    }
}
