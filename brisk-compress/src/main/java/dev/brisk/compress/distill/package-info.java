/** Knowledge distillation: a frozen teacher's softened outputs as extra targets for a student. */
package dev.brisk.compress.distill;
