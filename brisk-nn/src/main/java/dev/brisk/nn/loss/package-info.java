/**
 * Losses, each a validated configuration record implementing {@link dev.brisk.nn.loss.Loss}, with functional
 * shortcuts in {@link dev.brisk.nn.loss.Losses}. All are composed from differentiable tensor ops (binary
 * cross-entropy records its closed-form gradient), so they backpropagate like any other op.
 */
package dev.brisk.nn.loss;
