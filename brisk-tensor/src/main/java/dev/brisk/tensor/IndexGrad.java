package dev.brisk.tensor;

/** Differentiable indexing and joining ops. */
final class IndexGrad {

    private IndexGrad() {
    }

    static Tensor gather(Tensor x, int dim, Tensor index) {
        if (!Graph.needed(x)) {
            return IndexOps.gather(x, dim, index);
        }
        Tensor out;
        try (var s = GradMode.noGrad()) {
            out = IndexOps.gather(x, dim, index);
        }
        int[] shape = x.shape();
        // y = x[index] along dim  =>  dx = zeros.scatterAdd(dim, index, g)
        return Graph.recordSaving(out, "gather",
                g -> new Tensor[] {IndexOps.scatterAdd(Tensor.zeros(shape), dim, index, g)}, new Tensor[] {index}, x);
    }

    static Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
        if (!Graph.needed(x, src)) {
            return IndexOps.scatterAdd(x, dim, index, src);
        }
        Tensor out;
        try (var s = GradMode.noGrad()) {
            out = IndexOps.scatterAdd(x, dim, index, src);
        }
        int[] srcShape = src.shape();
        boolean srcGrad = src.requiresGrad();
        // y = x + scatter(src)  =>  dx = g, dsrc = g gathered at index (zero where src was not scattered)
        return Graph.recordSaving(out, "scatterAdd", g -> {
            Tensor gs = null;
            if (srcGrad) {
                Tensor picked = IndexOps.gather(g, dim, index);
                if (java.util.Arrays.equals(picked.shapeRef(), srcShape)) {
                    gs = picked;
                } else {
                    gs = Tensor.zeros(srcShape);
                    Tensor region = gs;
                    for (int d = 0; d < srcShape.length; d++) {
                        region = region.narrow(d, 0, picked.shapeRef()[d]);
                    }
                    region.copyFrom(picked);
                }
            }
            return new Tensor[] {g, null, gs};
        }, new Tensor[] {index}, x, index, src);
    }

    static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        if (!Graph.needed(x)) {
            return IndexOps.indexSelect(x, dim, index);
        }
        Tensor out;
        try (var s = GradMode.noGrad()) {
            out = IndexOps.indexSelect(x, dim, index);
        }
        int[] shape = x.shape();
        // y[i] = x[index[i]]  =>  dx[index[i]] += g[i]   (embedding backward)
        return Graph.recordSaving(out, "indexSelect", g -> new Tensor[] {IndexOps.indexAdd(shape, dim, index, g), null},
                new Tensor[] {index}, x, index);
    }

    static Tensor cat(int dim, Tensor... ts) {
        if (!Graph.needed(ts)) {
            return IndexOps.cat(dim, ts);
        }
        Tensor out;
        try (var s = GradMode.noGrad()) {
            out = IndexOps.cat(dim, ts);
        }
        int d = Shapes.dim("cat", dim, ts[0].dim());
        int[] lengths = new int[ts.length];
        for (int i = 0; i < ts.length; i++) {
            lengths[i] = ts[i].shapeRef()[d];
        }
        // y = [x0; x1; ...] along dim  =>  dxi = the slice of g that xi filled
        return Graph.recordSaving(out, "cat", g -> {
            Tensor[] grads = new Tensor[lengths.length];
            int at = 0;
            for (int i = 0; i < lengths.length; i++) {
                grads[i] = g.narrow(d, at, lengths[i]);
                at += lengths[i];
            }
            return grads;
        }, new Tensor[0], ts.clone());
    }
}
