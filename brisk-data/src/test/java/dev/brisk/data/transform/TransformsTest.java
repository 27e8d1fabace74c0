package dev.brisk.data.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.data.Batch;
import dev.brisk.data.ByteImage;
import dev.brisk.data.Image;
import dev.brisk.data.transform.RandomFlip.Axis;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TransformsTest {

    /** 1×3×3 image with values 1..9 row-major. */
    static Image nine() {
        return new Image(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3);
    }

    @Test
    void toTensorScalesBytes() {
        Image im = new ToTensor().apply(new ByteImage(new byte[] {0, (byte) 255, (byte) 51}, 1, 1, 3), null);
        assertArrayEquals(new float[] {0, 1, 0.2f}, im.data(), 1e-7f);
    }

    @Test
    void normalizePerChannel() {
        Image im = new Image(new float[] {1, 3, 10, 20}, 2, 1, 2);
        Image out = new Normalize(new float[] {1, 10}, new float[] {2, 5}).apply(im, null);
        assertArrayEquals(new float[] {0, 1, 0, 2}, out.data(), 1e-7f);
        assertThrows(IllegalArgumentException.class, () -> Normalize.of(0, 1).apply(im, null));
        assertThrows(IllegalArgumentException.class, () -> Normalize.of(0, 0));
    }

    @Test
    void cropWithPaddingOffsets() {
        // padding 1 gives a 5×5 frame; the window at (0, 0) sees the top-left corner of the padding
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 2, 0, 4, 5}, RandomCrop.crop(nine(), 0, 0, 3, 3, 1).data());
        assertArrayEquals(new float[] {5, 6, 0, 8, 9, 0, 0, 0, 0}, RandomCrop.crop(nine(), 2, 2, 3, 3, 1).data());
        assertArrayEquals(nine().data(), RandomCrop.crop(nine(), 1, 1, 3, 3, 1).data());
        assertArrayEquals(new float[] {0, 7, 8}, RandomCrop.crop(nine(), 3, 0, 1, 3, 1).data());
        assertArrayEquals(new float[] {6, 9}, RandomCrop.crop(nine(), 1, 2, 2, 1, 0).data());
        // the random version picks offsets in [0, 2] from the generator, in that order (top, then left)
        Rng a = new Rng(5), b = new Rng(5);
        Image r = new RandomCrop(3, 3, 1).apply(nine(), a);
        int top = b.nextInt(3), left = b.nextInt(3);
        assertArrayEquals(RandomCrop.crop(nine(), top, left, 3, 3, 1).data(), r.data());
    }

    @Test
    void flips() {
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7}, RandomFlip.flip(nine(), Axis.HORIZONTAL).data());
        assertArrayEquals(new float[] {7, 8, 9, 4, 5, 6, 1, 2, 3}, RandomFlip.flip(nine(), Axis.VERTICAL).data());
        Image im = nine();
        assertSame(im, new RandomFlip(Axis.HORIZONTAL, 0).apply(im, new Rng(1)));
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7},
                new RandomFlip(Axis.HORIZONTAL, 1).apply(im, new Rng(1)).data());
        int flipped = 0;
        for (int s = 0; s < 1000; s++) {
            flipped += RandomFlip.horizontal().apply(im, new Rng(s)) != im ? 1 : 0;
        }
        assertEquals(500, flipped, 60);
    }

    @Test
    void erasingRegion() {
        Image two = new Image(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19}, 2, 3, 3);
        Image out = RandomErasing.erase(two, 1, 0, 2, 2, -1);
        assertArrayEquals(new float[] {1, 2, 3, -1, -1, 6, -1, -1, 9, 11, 12, 13, -1, -1, 16, -1, -1, 19}, out.data());
        assertEquals(4, two.data()[3]); // input untouched
        assertThrows(IllegalArgumentException.class, () -> RandomErasing.erase(two, 2, 0, 2, 1, 0));
        // random erasing with p = 1 always erases a rectangle within the area bounds
        Image big = new Image(new float[32 * 32], 1, 32, 32);
        java.util.Arrays.fill(big.data(), 1);
        for (int s = 0; s < 50; s++) {
            Image e = new RandomErasing(1, 0.1, 0.2, 0.5, 2, 0).apply(big, new Rng(s));
            int zeros = 0;
            for (float v : e.data()) {
                zeros += v == 0 ? 1 : 0;
            }
            assertTrue(zeros >= 0.08 * 1024 && zeros <= 0.23 * 1024, "erased " + zeros);
        }
    }

    @Test
    void mixupMixesInputsAndLabels() {
        Tensor x = Tensor.wrap(DType.F32, new float[] {1, 1, 3, 5}, 2, 2);
        Tensor y = Tensor.wrap(DType.I64, new long[] {0, 2}, 2);
        Batch mixed = Mixup.mix(new Batch(x, y, new int[] {4, 9}), 0.75f, new int[] {1, 0}, 3);
        assertArrayEquals(new float[] {1.5f, 2f, 2.5f, 4f}, mixed.inputs().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.75f, 0, 0.25f, 0.25f, 0, 0.75f}, mixed.targets().toFloatArray(), 1e-6f);
        assertArrayEquals(new int[] {2, 3}, mixed.targets().shape());
        assertArrayEquals(new int[] {4, 9}, mixed.indices());
        // soft labels mix again; a random λ is in (0, 1) and the same seed gives the same batch
        Batch again = new Mixup(0.4, 3).apply(mixed, new Rng(3));
        assertArrayEquals(again.inputs().toFloatArray(), new Mixup(0.4, 3).apply(mixed, new Rng(3)).inputs()
                .toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> Mixup.mix(new Batch(x, Tensor.wrap(DType.I64,
                new long[] {0, 3}, 2), new int[] {0, 1}), 0.5f, new int[] {0, 1}, 3));
    }

    @Test
    void betaMeanIsAHalf() {
        Rng rng = new Rng(1);
        double sum = 0;
        for (int i = 0; i < 20_000; i++) {
            double a = Mixup.gamma(rng, 0.4), b = Mixup.gamma(rng, 0.4);
            sum += a / (a + b);
        }
        assertEquals(0.5, sum / 20_000, 0.01);
    }

    @Test
    void composedTransformsAreReproducibleFromTheSeed() {
        var t = new ToTensor().andThen(new RandomCrop(4, 4, 2)).andThen(RandomFlip.horizontal())
                .andThen(RandomErasing.defaults());
        ByteImage src = new ByteImage(new byte[16], 1, 4, 4);
        for (int i = 0; i < 16; i++) {
            src.pixels()[i] = (byte) (i * 13);
        }
        assertArrayEquals(t.apply(src, new Rng(8)).data(), t.apply(src, new Rng(8)).data());
        boolean differs = false;
        for (int s = 0; s < 10 && !differs; s++) {
            differs = !java.util.Arrays.equals(t.apply(src, new Rng(8)).data(), t.apply(src, new Rng(100 + s)).data());
        }
        assertTrue(differs);
        assertNotEquals(0, src.pixels()[1]); // input untouched
    }
}
