package dev.brisk.compress.quant;

import dev.brisk.nn.Conv2d;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.Sequential;
import dev.brisk.train.StepResult;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainerCallback;
import java.util.ArrayList;
import java.util.List;

/**
 * Quantization-aware training of a layer stack: {@link #prepare} swaps every Linear and Conv2d for its fake-quant
 * twin ({@link QatLinear}, {@link QatConv2d}) over the same parameter tensors; as a {@link TrainerCallback} it
 * freezes every activation observer once {@code observerSteps} optimizer steps have run.
 */
public final class Qat implements TrainerCallback {

    private final Sequential model;
    private final List<ActivationObserver> observers;
    private final long observerSteps;

    private Qat(Sequential model, List<ActivationObserver> observers, long observerSteps) {
        this.model = model;
        this.observers = List.copyOf(observers);
        this.observerSteps = observerSteps;
    }

    /** A new stack over the same parameters with fake-quantized Linear and Conv2d layers. */
    public static Qat prepare(Sequential model, long observerSteps) {
        List<Module> layers = new ArrayList<>();
        List<ActivationObserver> observers = new ArrayList<>();
        for (Module m : model.layers()) {
            switch (m) {
                case Linear l -> {
                    QatLinear q = new QatLinear(l);
                    observers.add(q.observer());
                    layers.add(q);
                }
                case Conv2d c -> {
                    QatConv2d q = new QatConv2d(c);
                    observers.add(q.observer());
                    layers.add(q);
                }
                default -> layers.add(m);
            }
        }
        if (observers.isEmpty()) {
            throw new IllegalArgumentException("quant.qat: the model has no linear or conv2d layer to quantize");
        }
        Sequential out = new Sequential(layers);
        out.train(model.isTraining());
        Qat qat = new Qat(out, observers, observerSteps);
        if (observerSteps == 0) {
            qat.freeze();
        }
        return qat;
    }

    /** The stack to train. */
    public Sequential model() {
        return model;
    }

    public List<ActivationObserver> observers() {
        return observers;
    }

    private void freeze() {
        observers.forEach(ActivationObserver::freeze);
    }

    @Override
    public void afterStep(Trainer trainer, StepResult result) {
        if (result.step() >= observerSteps) {
            freeze();
        }
    }
}
