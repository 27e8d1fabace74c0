package dev.brisk.data;

/**
 * Where a loader stands: the next batch it will deliver is batch {@code batch} of epoch {@code epoch}. Saved in
 * checkpoints; {@link DataLoader#from(LoaderPosition)} resumes exactly there.
 */
public record LoaderPosition(int epoch, int batch) {

    public LoaderPosition {
        if (epoch < 0 || batch < 0) {
            throw new IllegalArgumentException("loader position needs epoch ≥ 0 and batch ≥ 0, got epoch " + epoch
                    + ", batch " + batch);
        }
    }
}
