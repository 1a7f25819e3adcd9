package io.archipelago.node.supernet;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code archipelago supernet ...}: weight-sharing supernets (SPOS on NAS-Bench-201). */
@Command(
        name = "supernet",
        mixinStandardHelpOptions = true,
        description = "Weight-sharing supernets: train a single-path one-shot (SPOS) supernet of NAS-Bench-201 cells.",
        subcommands = {SupernetTrainCommand.class, CommandLine.HelpCommand.class})
public final class SupernetCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: train");
    }
}
