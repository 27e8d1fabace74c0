package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

/**
 * Quantization-aware training (section {@code quant}): with {@code qat: true} the Linear and Conv2d layers of a
 * layer-stack model compute with fake-quantized int8 weights (per output channel) and inputs (per tensor, range
 * observed during the first {@code observer_steps} optimizer steps, then frozen), so the trained weights lose little
 * when {@code brisk quantize} converts them. Implemented in {@code brisk-compress}.
 *
 * @param qat           {@code quant.qat}: default false
 * @param observerSteps {@code quant.observer_steps}: steps during which activation ranges are observed, ≥ 0;
 *                      default 200
 */
public record QuantConfig(boolean qat, long observerSteps) {

    public QuantConfig {
        check(observerSteps >= 0, "quant.observer_steps", "must be ≥ 0, got " + observerSteps);
    }

    public static QuantConfig defaults() {
        return new QuantConfig(false, 200);
    }
}
