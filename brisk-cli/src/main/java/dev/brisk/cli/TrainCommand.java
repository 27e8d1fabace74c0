package dev.brisk.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Training arrives with the trainer; until then the command says so instead of pretending. */
@Command(name = "train", description = "Train a model (default: the CNN on Fashion-MNIST). Not yet available.")
final class TrainCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", hidden = true)
    List<String> args;

    @Override
    public Integer call() {
        System.err.println("brisk: 'train' is not available yet in this version: the tensor core and kernels are in"
                + " place, the layers, optimizers, data pipeline and trainer come next. Try './brisk info' or"
                + " './brisk bench gemm'.");
        return 2;
    }
}
