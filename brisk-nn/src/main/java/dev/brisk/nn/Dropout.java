package dev.brisk.nn;

import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.Objects;

/**
 * Inverted dropout: in training each element is kept with probability {@code 1 − p} and scaled by
 * {@code 1/(1 − p)} (zeroed otherwise), so the expected value is unchanged; in evaluation it is the identity.
 *
 * <p>The mask comes from this layer's own {@link Rng}, drawn once per forward in row-major order, so two layers
 * built with equal seeds drop the same elements for the same sequence of input shapes. Give each Dropout its own
 * stream ({@code rng.split()}) when several share a model. The generator's state lives in the buffer
 * {@code rng_state}, so it is saved with the model's state dict and a resumed run drops exactly the elements an
 * uninterrupted run would have.
 */
public final class Dropout extends Module {

    private final float p;
    private final Tensor rngState; // I64 {seed, gamma} of this layer's SplitMix64 stream

    public Dropout(float p, Rng rng) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
        }
        this.p = p;
        Objects.requireNonNull(rng, "Dropout: rng");
        this.rngState = registerBuffer("rng_state", Tensor.ofLongs(rng.state(), 2));
        describe("p=" + p);
    }

    @Override
    public Tensor forward(Tensor x) {
        Checks.floating("Dropout", x);
        if (!isTraining() || p == 0) {
            return x;
        }
        if (p == 1) {
            return x.mul(0f);
        }
        // keep where u ≥ p, u ~ U[0, 1): P(keep) = 1 − p
        long[] state = rngState.storage().longs();
        Rng rng = Rng.fromState(state);
        Tensor keep = Tensor.rand(rng, x.shape()).ge(Tensor.scalar(p));
        System.arraycopy(rng.state(), 0, state, 0, 2);
        return Tensor.where(keep, x.mul(1f / (1f - p)), Tensor.scalar(0f));
    }

    public float p() {
        return p;
    }
}
