package dev.brisk.nn.init;

/** The nonlinearity that follows a layer, for the recommended initialisation gain (PyTorch's calculate_gain). */
public enum Nonlinearity {
    /** gain 1 */
    LINEAR,
    /** gain 1 (convolutions are linear) */
    CONV,
    /** gain 1 */
    SIGMOID,
    /** gain 5/3 */
    TANH,
    /** gain √2 */
    RELU,
    /** gain √(2 / (1 + slope²)), slope the negative slope (0.01 when unspecified) */
    LEAKY_RELU,
    /** gain 3/4 */
    SELU;

    /** The gain; {@code param} is the negative slope for LEAKY_RELU and ignored otherwise. */
    public double gain(double param) {
        return switch (this) {
            case LINEAR, CONV, SIGMOID -> 1.0;
            case TANH -> 5.0 / 3.0;
            case RELU -> Math.sqrt(2.0);
            case LEAKY_RELU -> Math.sqrt(2.0 / (1.0 + param * param));
            case SELU -> 0.75;
        };
    }

    public double gain() {
        return gain(this == LEAKY_RELU ? 0.01 : 0.0);
    }
}
