/** Weight initialisers with PyTorch's formulas ({@link dev.brisk.nn.init.Init}), all drawing from a seeded Rng. */
package dev.brisk.nn.init;
