package io.archipelago.node.contract;

import io.archipelago.node.contract.CommandModel.Leaf;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What the case table leaves untested: a leaf subcommand without a succeeding case or without a
 * bad-input case, an option that no case of its subcommand names (any spelling counts), and cases
 * that name no real subcommand or an option their subcommand does not have (a typo, or an option
 * that was removed). A new subcommand or option therefore fails the build until a case covers it.
 */
final class Coverage {
    private Coverage() {}

    /** One line per gap; empty when the table covers the whole command line. */
    static List<String> gaps(CommandModel model, List<Case> cases) {
        List<String> gaps = new ArrayList<>();
        for (Case c : cases) {
            Optional<Leaf> leaf = model.leafOf(c.args());
            if (leaf.isEmpty()) {
                gaps.add("case '" + c.name() + "' runs no leaf subcommand: " + c.args());
                continue;
            }
            for (String token : CommandModel.optionArgs(leaf.get(), c.args())) {
                if (token.startsWith("--") && leaf.get().option(token).isEmpty()) {
                    gaps.add("case '" + c.name() + "': '" + leaf.get().name() + "' has no option " + token);
                }
            }
        }
        List<Case> counted = cases.stream().filter(Case::countsForCoverage).toList();
        for (Leaf leaf : model.leaves) {
            List<Case> ofLeaf = counted.stream()
                    .filter(c -> model.leafOf(c.args()).filter(leaf::equals).isPresent())
                    .toList();
            if (ofLeaf.stream().noneMatch(Case::isSuccess)) {
                gaps.add("'" + leaf.name() + "' has no succeeding case");
            }
            if (ofLeaf.stream().allMatch(Case::isSuccess)) {
                gaps.add("'" + leaf.name() + "' has no bad-input case");
            }
            Set<OptionSpec> named = new HashSet<>();
            for (Case c : ofLeaf) {
                for (String token : CommandModel.optionArgs(leaf, c.args())) {
                    leaf.option(token).ifPresent(named::add);
                }
            }
            for (OptionSpec option : leaf.options()) {
                if (!named.contains(option)) {
                    gaps.add("'" + leaf.name() + "': no case uses " + option.longestName());
                }
            }
        }
        return gaps;
    }
}
