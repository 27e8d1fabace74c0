/**
 * Int8 quantization. Post-training: {@link dev.brisk.compress.quant.PostTrainingQuantizer} folds batch norm into
 * the convolutions, calibrates activation ranges ({@link dev.brisk.compress.quant.Observer}) and builds an
 * {@link dev.brisk.compress.quant.Int8Model} whose Linear and Conv2d layers multiply int8 by int8 into int32
 * ({@link dev.brisk.compress.quant.Int8Gemm}, with the scalar reference
 * {@link dev.brisk.compress.quant.Int8GemmReference}) and requantize to int8. Quantization-aware training:
 * {@link dev.brisk.compress.quant.FakeQuant} with the straight-through estimator, inserted by
 * {@link dev.brisk.compress.quant.Qat}.
 */
package dev.brisk.compress.quant;
