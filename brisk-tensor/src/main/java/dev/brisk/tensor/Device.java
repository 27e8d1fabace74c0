package dev.brisk.tensor;

/** Where a tensor's memory lives. Only the host exists so far; a GPU backend adds its own kinds. */
public record Device(String kind, int index) {

    public static final Device CPU = new Device("cpu", 0);

    public Device {
        if (kind == null || kind.isBlank()) {
            throw new IllegalArgumentException("device kind must be non-empty");
        }
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
    }

    @Override
    public String toString() {
        return kind.equals("cpu") ? "cpu" : kind + ":" + index;
    }
}
