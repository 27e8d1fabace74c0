package dev.brisk.dist.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.dist.DistributedException;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Ranks;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stage-to-stage tensors carry their shape, and a receiver that gets the wrong message says what it got. */
class TensorLinkTest {

    @Test
    void shapeTravelsWithTheTensorAndAMismatchNamesBothSides() {
        Tensor t = Tensor.randn(new Rng(4), 2, 3, 5);
        List<ProcessGroup> groups = Ranks.groups(Ranks.Impl.THREAD, 2, Duration.ofSeconds(10));
        List<Object> res = Ranks.run(2, r -> {
            try (ProcessGroup g = groups.get(r)) {
                TensorLink link = new TensorLink(g);
                if (r == 0) {
                    link.send(TensorLink.ACTIVATION, 0, t, 1);
                    link.send(TensorLink.GRADIENT, 3, t, 1);
                    return null;
                }
                Tensor got = link.recv(TensorLink.ACTIVATION, 0, 0);
                assertArrayEquals(t.shape(), got.shape());
                assertArrayEquals(t.toFloatArray(), got.toFloatArray());
                return link.recv(TensorLink.ACTIVATION, 1, 0);
            }
        }, 30);
        DistributedException e = assertInstanceOf(DistributedException.class, res.get(1));
        assertTrue(e.getMessage().contains("expected activation of micro-batch 1 from stage 0 but got gradient of "
                + "micro-batch 3"), e.getMessage());
    }
}
