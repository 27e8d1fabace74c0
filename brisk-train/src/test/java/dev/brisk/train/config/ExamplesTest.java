package dev.brisk.train.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.nn.Module;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.model.ModelPresets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file in the repository's examples/ loads, round-trips and builds a model that runs. */
class ExamplesTest {

    /** Tests run in the module directory; the examples live at the repository root. */
    static final Path EXAMPLES = Path.of("..", "examples");

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @Test
    void everyPresetHasAnExample() {
        for (String name : List.of("mlp", "cnn", "cnn-bn", "transformer", "custom-layers")) {
            assertTrue(Files.isRegularFile(EXAMPLES.resolve(name + ".yaml")), name + ".yaml is missing");
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void loadsAndBuildsItsModel(Path file) {
        TrainConfig c = ConfigLoader.load(file, List.of());
        assertEquals(c, ConfigLoader.parse(c.toYaml(), "written", List.of()));
        int[] shape = switch (c.data().dataset()) {
            case FASHION_MNIST, MNIST -> new int[] {1, 28, 28};
            case CIFAR10 -> new int[] {3, 32, 32};
            case TEXT -> new int[] {c.data().seqLen()};
            case CSV -> new int[] {4};
        };
        Module model = ModelPresets.build(c.model(), shape, 10, new Rng(c.seed()));
        int[] batched = new int[shape.length + 1];
        batched[0] = 2;
        System.arraycopy(shape, 0, batched, 1, shape.length);
        Tensor x = c.data().dataset() == DataConfig.Source.TEXT ? Tensor.zeros(DType.I64, batched)
                : Tensor.randn(new Rng(1), batched);
        try (var _ = GradMode.noGrad()) {
            Tensor y = model.forward(x);
            assertEquals(2, y.size(0), file.toString());
            if (c.data().dataset() == DataConfig.Source.TEXT) {
                assertArrayEquals(new int[] {2, c.data().seqLen(), 256}, y.shape());
            } else {
                assertArrayEquals(new int[] {2, 10}, y.shape(), file.toString());
            }
        }
    }
}
