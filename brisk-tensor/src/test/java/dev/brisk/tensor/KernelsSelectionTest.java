package dev.brisk.tensor;

import static dev.brisk.tensor.TestSupport.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.backend.Backend;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Backend discovery and explicit choice: never a silent fallback for a requested backend. */
class KernelsSelectionTest {

    private String previous;

    @BeforeEach
    void save() {
        previous = Kernels.get().backend().name();
    }

    @AfterEach
    void restore() {
        Kernels.use(previous);
    }

    @Test
    void referenceIsAlwaysDiscoveredAndComplete() {
        List<Backend> all = Kernels.discovered();
        assertTrue(all.stream().anyMatch(b -> b.name().equals("reference")), "reference backend is registered");
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).priority() >= all.get(i).priority(), "sorted best first");
        }
        Kernels k = Kernels.use("reference");
        assertEquals("reference", k.backend().name());
        assertNotNull(k.gemm());
        assertNotNull(k.elementwise());
        assertNotNull(k.reductions());
        assertNotNull(k.softmax());
        assertTrue(k.summary().startsWith("reference (gemm: reference, elementwise: reference, reductions: reference, "
                + "softmax: reference"), k.summary());
        assertEquals(k, Kernels.get(), "use() switches the active kernels");
        assertEquals("reference", Kernels.use("REFERENCE").backend().name(), "names are case-insensitive");
    }

    @Test
    void unknownBackendIsAnErrorListingWhatExists() {
        assertThrowsWith(IllegalArgumentException.class, () -> Kernels.use("nosuch"), "nosuch", "reference");
        assertEquals(previous, Kernels.get().backend().name(), "a failed use() leaves the active backend alone");
    }

    @Test
    void defaultChoiceIsTheHighestPriorityUsableBackend() {
        List<Backend> usable = Kernels.discovered().stream().filter(b -> b.unavailableReason().isEmpty()).toList();
        String env = System.getProperty("brisk.backend", System.getenv("BRISK_BACKEND"));
        if (env == null || env.isBlank()) {
            assertEquals(usable.getFirst().name(), previous);
        } else {
            assertEquals(env.trim().toLowerCase(java.util.Locale.ROOT), previous);
        }
    }
}
