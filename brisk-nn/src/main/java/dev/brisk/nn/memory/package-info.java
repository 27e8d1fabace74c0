/**
 * Memory accounting of a training step: {@link dev.brisk.nn.memory.MemoryReport} (parameters, gradients, optimizer
 * state, activations, workspace, data-loader buffers, by dtype) and {@link dev.brisk.nn.memory.ActivationProfile}
 * (activations saved for backward, per layer, measured on the recorded graph).
 */
package dev.brisk.nn.memory;
