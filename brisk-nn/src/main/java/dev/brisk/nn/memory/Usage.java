package dev.brisk.nn.memory;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.Storage;
import dev.brisk.tensor.Tensor;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/** Bytes of one memory category, in total and by dtype (dtypes in declaration order, absent when zero). */
public record Usage(long bytes, Map<DType, Long> byDtype) {

    public static final Usage NONE = new Usage(0, Map.of());

    public Usage {
        if (bytes < 0) {
            throw new IllegalArgumentException("Usage: bytes must be ≥ 0, got " + bytes);
        }
        long sum = byDtype.values().stream().mapToLong(Long::longValue).sum();
        if (sum != bytes) {
            throw new IllegalArgumentException("Usage: by-dtype bytes sum to " + sum + ", not " + bytes);
        }
        Map<DType, Long> copy = new EnumMap<>(DType.class);
        byDtype.forEach((d, b) -> {
            if (b != 0) {
                copy.put(d, b);
            }
        });
        byDtype = Collections.unmodifiableMap(copy);
    }

    /** This plus {@code o}, dtype by dtype. */
    public Usage plus(Usage o) {
        Tally t = new Tally();
        byDtype.forEach(t::add);
        o.byDtype.forEach(t::add);
        return t.usage();
    }

    /**
     * Accumulates bytes by dtype; {@link #addStorage} counts each storage once, so views and tensors sharing memory
     * (a state dict's detached views, tied weights) are not double-counted.
     */
    public static final class Tally {
        private final Map<DType, Long> byDtype = new EnumMap<>(DType.class);
        private final Set<Storage> seen = Collections.newSetFromMap(new IdentityHashMap<>());

        public void add(DType dtype, long bytes) {
            if (bytes > 0) {
                byDtype.merge(dtype, bytes, Long::sum);
            }
        }

        /** Marks the storage under {@code t} as not to be counted (e.g. a parameter's, when tallying activations). */
        public void exclude(Tensor t) {
            seen.add(t.storage());
        }

        /** Adds the whole storage under {@code t} (what it keeps alive) unless already counted; true if added. */
        public boolean addStorage(Tensor t) {
            Storage s = t.storage();
            if (!seen.add(s)) {
                return false;
            }
            add(s.dtype(), s.byteSize());
            return true;
        }

        public Usage usage() {
            return new Usage(byDtype.values().stream().mapToLong(Long::longValue).sum(), byDtype);
        }
    }
}
