package dev.brisk.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The console progress line: epoch, a bar over the epoch's batches, loss, learning rate and samples/s. On a
 * terminal it redraws in place a few times a second; otherwise (logs, CI) it prints a line every ~10% of an epoch.
 */
final class Progress {

    private final PrintStream out;
    private final int batchesPerEpoch;
    private final boolean terminal = System.console() != null;
    private long lastDraw;
    private int lastDecile = -1;
    private double emaRate;
    private boolean open;

    Progress(PrintStream out, int batchesPerEpoch, int accumulation) {
        this.out = out;
        this.batchesPerEpoch = Math.max(1, batchesPerEpoch);
    }

    void step(int epoch, int batch, StepResult r, double lr) {
        if (out == null) {
            return;
        }
        double rate = r.samples() / Math.max(r.stepMs() / 1e3, 1e-9);
        emaRate = emaRate == 0 ? rate : 0.9 * emaRate + 0.1 * rate;
        int decile = (int) (10L * batch / batchesPerEpoch);
        long now = System.nanoTime();
        boolean draw = terminal ? now - lastDraw > 200_000_000L : decile != lastDecile;
        if (!draw) {
            return;
        }
        lastDraw = now;
        lastDecile = decile;
        int width = 24;
        int filled = (int) Math.min(width, (long) width * batch / batchesPerEpoch);
        String line = String.format(Locale.ROOT, "epoch %d [%s%s] %d/%d  loss %.4f  lr %.2e  %,.0f samples/s",
                epoch + 1, "#".repeat(filled), ".".repeat(width - filled), batch, batchesPerEpoch, r.loss(), lr,
                emaRate);
        if (terminal) {
            out.print("\r" + line);
            open = true;
        } else {
            out.println(line);
        }
        out.flush();
    }

    void finish() {
        if (out != null && open) {
            out.println();
            open = false;
        }
    }
}
