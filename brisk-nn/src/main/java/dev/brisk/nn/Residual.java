package dev.brisk.nn;

import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/** A skip connection {@code x + f(x)}; {@code f} (child "fn") must keep the shape. */
public final class Residual extends Module {

    private final Module fn;

    public Residual(Module fn) {
        this.fn = registerModule("fn", Objects.requireNonNull(fn, "Residual: fn"));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = fn.forward(x);
        if (!Arrays.equals(x.shape(), y.shape())) {
            throw new IllegalArgumentException("Residual: the inner " + fn.kind() + " maps shape "
                    + Shapes.format(x.shape()) + " to " + Shapes.format(y.shape()) + "; x + f(x) needs them equal");
        }
        return x.add(y);
    }

    public Module fn() {
        return fn;
    }
}
