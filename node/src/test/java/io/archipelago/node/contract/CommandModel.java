package io.archipelago.node.contract;

import io.archipelago.node.Main;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command line as picocli declares it, read in process from {@link Main}: every leaf
 * subcommand (one that runs, e.g. {@code bench pareto}) with its options. picocli's
 * {@code help} subcommand and the standard {@code --help}/{@code --version} options are left out.
 */
final class CommandModel {
    /**
     * A leaf subcommand.
     *
     * @param path its names below {@code archipelago}, e.g. ["bench", "pareto"]
     */
    record Leaf(List<String> path, CommandSpec spec) {
        /** e.g. {@code bench pareto} */
        String name() {
            return String.join(" ", path);
        }

        /** The options a case must exercise, in declaration order. */
        List<OptionSpec> options() {
            return spec.options().stream()
                    .filter(o -> !o.usageHelp() && !o.versionHelp())
                    .toList();
        }

        /** Every spelling of an option on the command line: its names and, if negatable, their --no- forms. */
        Set<String> spellings(OptionSpec option) {
            Set<String> spellings = new LinkedHashSet<>(List.of(option.names()));
            if (option.negatable()) {
                for (String name : option.names()) {
                    String negated = spec.negatableOptionTransformer().makeNegative(name, spec);
                    if (negated != null) {
                        spellings.add(negated);
                    }
                }
            }
            return spellings;
        }

        /** The option spelled {@code token} (an argument such as {@code --budget} or {@code --budget=5}), if this command has one. */
        Optional<OptionSpec> option(String token) {
            String name = token.contains("=") ? token.substring(0, token.indexOf('=')) : token;
            return options().stream().filter(o -> spellings(o).contains(name)).findFirst();
        }
    }

    final List<Leaf> leaves;

    CommandModel() {
        List<Leaf> found = new ArrayList<>();
        collect(new CommandLine(Main.class), new ArrayList<>(), found);
        this.leaves = List.copyOf(found);
    }

    private static void collect(CommandLine command, List<String> path, List<Leaf> found) {
        Map<String, CommandLine> subcommands = command.getSubcommands();
        if (subcommands.isEmpty()) {
            found.add(new Leaf(List.copyOf(path), command.getCommandSpec()));
            return;
        }
        for (Map.Entry<String, CommandLine> sub : subcommands.entrySet()) {
            if (sub.getValue().getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
                continue;
            }
            List<String> subPath = new ArrayList<>(path);
            subPath.add(sub.getKey());
            collect(sub.getValue(), subPath, found);
        }
    }

    /** The leaf a command line runs: the longest run of subcommand names it starts with. */
    Optional<Leaf> leafOf(List<String> args) {
        return leaves.stream()
                .filter(leaf -> args.size() >= leaf.path().size()
                        && args.subList(0, leaf.path().size()).equals(leaf.path()))
                .findFirst();
    }

    /** The arguments after the subcommand names. */
    static List<String> optionArgs(Leaf leaf, List<String> args) {
        return args.subList(leaf.path().size(), args.size());
    }
}
