package dev.brisk.cli;

/** Placeholder until the CLI lands. */
public final class Main {
    public static void main(String[] args) {
    }
}
