package io.archipelago.node.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.proto.SearchSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The journal holds a search's settings as typed fields: every option of {@link SpecOptions} must
 * survive the trip through {@code SearchConfig} (an option added without a field fails here), and
 * specs written before config existed (arguments) must decode to the same search.
 */
class SearchDefinitionTest {

    /** Every option given a value unlike its default (and unlike the other options' values). */
    private static List<String> everyOptionSet() {
        CommandLine line = new CommandLine(new SearchDefinition.DefinitionCommand());
        List<String> args = new ArrayList<>();
        int i = 0;
        for (OptionSpec option : line.getCommandSpec().options()) {
            if (option.usageHelp() || option.versionHelp()) {
                continue;
            }
            i++;
            Class<?> type = option.type();
            String name = option.longestName();
            if (type == boolean.class || type == Boolean.class) {
                args.add(name);
            } else if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
                args.addAll(List.of(name, Integer.toString(1000 + i)));
            } else if (type == double.class || type == Double.class) {
                args.addAll(List.of(name, (1000 + i) + ".25"));
            } else if (type == java.nio.file.Path.class) {
                args.addAll(List.of(name, "/tmp/path-" + i));
            } else if (List.class.isAssignableFrom(type) && option.auxiliaryTypes()[0] == Integer.class) {
                args.addAll(List.of(name, Integer.toString(1000 + i), name, Integer.toString(2000 + i)));
            } else if (List.class.isAssignableFrom(type)) {
                args.addAll(List.of(name, "first-" + i, name, "second-" + i));
            } else {
                assertEquals(String.class, type, name + ": a type this test does not know yet; teach it");
                args.addAll(List.of(name, "value-" + i));
            }
        }
        return args;
    }

    private static SearchDefinition parse(List<String> args) {
        SearchDefinition.DefinitionCommand command = new SearchDefinition.DefinitionCommand();
        new CommandLine(command).parseArgs(args.toArray(String[]::new));
        SpecOptions o = command.spec;
        o.options.scheduler = o.scheduler; // as SpecOptions.definition() hands it on
        return new SearchDefinition(o.options, o.budget, o.seed, o.cluster, o.minEvaluators, o.snapshotEvery, o.share);
    }

    private static SearchDefinition throughTheJournal(SearchDefinition definition) throws Exception {
        SearchSpec written = SearchSpec.newBuilder()
                .setSearchId("s")
                .setConfig(definition.toConfig())
                .build();
        return SearchDefinition.of(SearchSpec.parseFrom(written.toByteArray()));
    }

    @Test
    void everyOptionSurvivesTheJournalsTypedConfig() throws Exception {
        List<String> args = everyOptionSet();
        SearchDefinition original = parse(args);
        SearchDefinition decoded = throughTheJournal(original);
        assertEquals(args, decoded.toArgs(), "options as set, and as the journal gives them back");
        assertEquals(original.toArgs(), decoded.toArgs());
    }

    @Test
    void defaultsAndUnsetOptionsSurviveToo() throws Exception {
        SearchDefinition defaults = parse(List.of());
        SearchDefinition decoded = throughTheJournal(defaults);
        assertEquals(defaults.toArgs(), decoded.toArgs());
        assertEquals(null, decoded.options().metric, "an unset metric stays unset: the evaluator derives it");
        assertEquals(null, decoded.options().population);
        assertEquals(300, decoded.budget());
    }

    @Test
    void aSpecWrittenAsArgumentsDecodesToTheSameSearch() throws Exception {
        List<String> args = List.of(
                "--strategy",
                "nsga2",
                "--objectives",
                "cifar10_valid_12:max,params:min",
                "--population",
                "12",
                "--constraint",
                "params<=1e6",
                "--budget",
                "77",
                "--seed",
                "9",
                "--slots",
                "3");
        SearchDefinition legacy = SearchDefinition.of(
                SearchSpec.newBuilder().setSearchId("s").addAllArgs(args).build());
        assertEquals(parse(args).toArgs(), legacy.toArgs());
        assertEquals(77, legacy.budget());
        assertEquals(9, legacy.seed());
        assertEquals(12, legacy.options().population);
        assertEquals(List.of("params<=1e6"), legacy.options().constraints);
        assertEquals(
                throughTheJournal(legacy).toArgs(), legacy.toArgs(), "and it is the same search once written typed");
    }

    @Test
    void aClusterSpecWrittenAsArgumentsKeepsItsExpectedConcurrency() {
        SearchDefinition legacy = SearchDefinition.of(SearchSpec.newBuilder()
                .setSearchId("s")
                .addAllArgs(List.of("--cluster", "--min-evaluators", "4"))
                .build());
        assertTrue(legacy.cluster());
        assertEquals(4, legacy.options().slots);
    }

    @Test
    void argumentsThatDoNotParseNameTheSpec() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> SearchDefinition.of(SearchSpec.newBuilder()
                        .setSearchId("s")
                        .addAllArgs(List.of("--no-such-option"))
                        .build()));
        assertTrue(
                e.getMessage().contains("do not parse") && e.getMessage().contains("--no-such-option"), e.getMessage());
        assertNotEquals(null, e.getCause());
    }
}
