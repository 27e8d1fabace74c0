/**
 * Neural-network building blocks in the manner of PyTorch's {@code torch.nn}: {@link dev.brisk.nn.Module} (named
 * parameters and buffers, train/eval, state dicts, freezing) and the layers built on it — Linear, Conv2d, pooling,
 * batch/layer/RMS norm, dropout, embedding, multi-head attention, the transformer block, activations, Flatten,
 * Sequential and Residual. Every layer validates its configuration in its constructor and its input shape in
 * {@code forward}, and documents its default initialisation. Losses live in {@code dev.brisk.nn.loss},
 * initialisers in {@code dev.brisk.nn.init}.
 */
package dev.brisk.nn;
