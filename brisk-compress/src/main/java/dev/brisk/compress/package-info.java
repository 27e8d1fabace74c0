/**
 * Model compression: pruning ({@link dev.brisk.compress.prune}), int8 quantization ({@link dev.brisk.compress.quant})
 * and knowledge distillation ({@link dev.brisk.compress.distill}); the CLI's {@code prune} and {@code quantize}
 * commands and the {@code distill} and {@code quant} config sections are built on them.
 */
package dev.brisk.compress;
