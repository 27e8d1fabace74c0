package dev.brisk.train.tune;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The PNG of an {@link LrRangeTest.Result}: loss against learning rate on a log axis (a tick per decade), the raw
 * loss in light grey, the smoothed loss in blue, the suggestion (steepest descent) as a red line and dot, the lowest
 * loss / 10 as a dashed green line. Drawn headless with Java2D; where the JVM has no fonts the labels are left out
 * and the plot is still written.
 */
final class LrPlot {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final int LEFT = 72;
    private static final int RIGHT = 24;
    private static final int TOP = 40;
    private static final int BOTTOM = 56;

    private LrPlot() {
    }

    static void write(LrRangeTest.Result r, Path file, int width, int height) throws IOException {
        if (width < LEFT + RIGHT + 50 || height < TOP + BOTTOM + 50) {
            throw new IllegalArgumentException("the plot needs at least " + (LEFT + RIGHT + 50) + " × "
                    + (TOP + BOTTOM + 50) + " pixels, got " + width + " × " + height);
        }
        BufferedImage img = render(r, width, height);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", out)) {
            throw new IOException("this JVM has no PNG writer");
        }
        dev.brisk.train.io.AtomicFiles.write(file, out.toByteArray());
    }

    static BufferedImage render(LrRangeTest.Result r, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            new Painter(g, r, width, height).paint();
        } finally {
            g.dispose();
        }
        return img;
    }

    private static final class Painter {
        private final Graphics2D g;
        private final LrRangeTest.Result r;
        private final int w;
        private final int h;
        private final double x0;
        private final double x1;
        private final double y0;
        private final double y1;
        private boolean text = true;

        Painter(Graphics2D g, LrRangeTest.Result r, int w, int h) {
            this.g = g;
            this.r = r;
            this.w = w;
            this.h = h;
            List<LrRangeTest.Point> c = r.curve();
            double lo = Math.log10(c.getFirst().lr());
            double hi = Math.log10(c.getLast().lr());
            if (hi - lo < 1e-9) {
                lo -= 0.5;
                hi += 0.5;
            }
            x0 = lo;
            x1 = hi;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (LrRangeTest.Point p : c) {
                min = Math.min(min, p.smoothedLoss());
                max = Math.max(max, p.smoothedLoss());
            }
            double pad = Math.max((max - min) * 0.05, Math.max(Math.abs(max) * 1e-3, 1e-9));
            y0 = min - pad;
            y1 = max + pad;
        }

        double px(double lr) {
            return LEFT + (Math.log10(lr) - x0) / (x1 - x0) * (w - LEFT - RIGHT);
        }

        double py(double loss) {
            return TOP + (y1 - loss) / (y1 - y0) * (h - TOP - BOTTOM);
        }

        void paint() {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            int pw = w - LEFT - RIGHT;
            int ph = h - TOP - BOTTOM;
            font(12f);
            // x ticks: one per decade inside the range (the ends when no decade falls inside)
            int firstDecade = (int) Math.ceil(x0 - 1e-9);
            int lastDecade = (int) Math.floor(x1 + 1e-9);
            if (firstDecade > lastDecade) {
                xTick(Math.pow(10, x0), pw, ph);
                xTick(Math.pow(10, x1), pw, ph);
            }
            for (int d = firstDecade; d <= lastDecade; d++) {
                xTick(Math.pow(10, d), pw, ph);
            }
            for (double v : niceTicks(y0, y1, 6)) {
                double y = py(v);
                g.setColor(new Color(232, 232, 232));
                g.draw(new Line2D.Double(LEFT, y, LEFT + pw, y));
                g.setColor(Color.DARK_GRAY);
                g.draw(new Line2D.Double(LEFT - 4, y, LEFT, y));
                label(fmt(v), LEFT - 7, y, 1, 0.5);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, pw, ph);
            var clip = g.getClip();
            g.clipRect(LEFT, TOP, pw + 1, ph + 1);
            g.setColor(new Color(190, 190, 190));
            g.setStroke(new BasicStroke(1f));
            g.draw(path(false));
            g.setColor(new Color(31, 100, 200));
            g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(path(true));
            float[] dash = {6f, 5f};
            double minOver10 = r.minLossLrOver10();
            if (Math.log10(minOver10) >= x0 && Math.log10(minOver10) <= x1) {
                g.setColor(new Color(40, 150, 60));
                g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
                g.draw(new Line2D.Double(px(minOver10), TOP, px(minOver10), TOP + ph));
            }
            double s = r.suggestedLr();
            g.setColor(new Color(210, 40, 40));
            g.setStroke(new BasicStroke(1.5f));
            g.draw(new Line2D.Double(px(s), TOP, px(s), TOP + ph));
            if (r.steepestIndex() >= 0) {
                double yy = py(r.curve().get(r.steepestIndex()).smoothedLoss());
                g.fill(new java.awt.geom.Ellipse2D.Double(px(s) - 5, yy - 5, 10, 10));
            }
            g.setClip(clip);
            g.setStroke(new BasicStroke(1f));
            // legend, top right inside the plot
            font(12f);
            int lx = LEFT + pw - 250;
            int ly = TOP + 16;
            g.setColor(new Color(255, 255, 255, 225));
            g.fillRect(lx - 8, ly - 10, 250, 72);
            g.setColor(new Color(200, 200, 200));
            g.drawRect(lx - 8, ly - 10, 250, 72);
            legend(lx, ly, new Color(31, 100, 200), "smoothed loss");
            legend(lx, ly + 17, new Color(190, 190, 190), "loss");
            legend(lx, ly + 34, new Color(210, 40, 40), String.format(Locale.ROOT, "suggested lr %.2e", s));
            legend(lx, ly + 51, new Color(40, 150, 60), String.format(Locale.ROOT, "lowest loss / 10: %.2e",
                    minOver10));
            g.setColor(Color.BLACK);
            font(14f);
            label(String.format(Locale.ROOT, "LR range test — suggested lr %.2e (steepest descent)", s), w / 2.0,
                    TOP / 2.0, 0.5, 0.5);
            font(12f);
            label("learning rate (log scale)", LEFT + pw / 2.0, h - 14, 0.5, 0.5);
            if (text) {
                var t = g.getTransform();
                g.rotate(-Math.PI / 2);
                label("loss", -(TOP + ph / 2.0), 16, 0.5, 0.5);
                g.setTransform(t);
            }
        }

        private void xTick(double lr, int pw, int ph) {
            double x = px(lr);
            g.setColor(new Color(232, 232, 232));
            g.draw(new Line2D.Double(x, TOP, x, TOP + ph));
            g.setColor(Color.DARK_GRAY);
            g.draw(new Line2D.Double(x, TOP + ph, x, TOP + ph + 4));
            double e = Math.log10(lr);
            String s = Math.abs(e - Math.rint(e)) < 1e-9 ? "1e" + (long) Math.rint(e)
                    : String.format(Locale.ROOT, "%.1e", lr);
            label(s, x, TOP + ph + 16, 0.5, 0.5);
        }

        private void legend(int x, int y, Color c, String s) {
            g.setColor(c);
            g.setStroke(new BasicStroke(2.2f));
            g.draw(new Line2D.Double(x, y, x + 22, y));
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.BLACK);
            label(s, x + 28, y, 0, 0.5);
        }

        private Path2D path(boolean smoothed) {
            Path2D p = new Path2D.Double();
            boolean first = true;
            for (LrRangeTest.Point pt : r.curve()) {
                double v = smoothed ? pt.smoothedLoss() : pt.loss();
                if (!Double.isFinite(v)) {
                    continue;
                }
                double x = px(pt.lr());
                double y = Math.max(-1e4, Math.min(1e4, py(v)));
                if (first) {
                    p.moveTo(x, y);
                    first = false;
                } else {
                    p.lineTo(x, y);
                }
            }
            return p;
        }

        private void font(float size) {
            if (!text) {
                return;
            }
            try {
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 1).deriveFont(size));
            } catch (RuntimeException | LinkageError | InternalError e) {
                text = false;
            }
        }

        /** Draws {@code s} anchored at (x, y): ax/ay 0 = left/top, 0.5 = centre, 1 = right/bottom. */
        private void label(String s, double x, double y, double ax, double ay) {
            if (!text) {
                return;
            }
            try {
                FontMetrics m = g.getFontMetrics();
                float tx = (float) (x - ax * m.stringWidth(s));
                float ty = (float) (y - ay * (m.getAscent() + m.getDescent()) + m.getAscent());
                g.drawString(s, tx, ty);
            } catch (RuntimeException | LinkageError | InternalError e) {
                text = false; // no usable fonts: keep the lines
            }
        }
    }

    /** About {@code count} round tick values covering [lo, hi]. */
    static double[] niceTicks(double lo, double hi, int count) {
        double span = hi - lo;
        double raw = span / Math.max(1, count - 1);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double norm = raw / mag;
        double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
        double start = Math.ceil(lo / step) * step;
        int n = (int) Math.floor((hi - start) / step + 1e-9) + 1;
        double[] t = new double[Math.max(0, n)];
        for (int i = 0; i < t.length; i++) {
            t[i] = start + i * step;
        }
        return t;
    }

    private static String fmt(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e4 || a < 1e-3) {
            return String.format(Locale.ROOT, "%.1e", v);
        }
        String s = String.format(Locale.ROOT, "%.4f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
