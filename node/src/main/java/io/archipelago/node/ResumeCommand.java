package io.archipelago.node;

import io.archipelago.node.setup.WorkerOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code archipelago resume DIR}: goes on with a local search from its journal. */
@Command(
        name = "resume",
        mixinStandardHelpOptions = true,
        description =
                "Go on with the search in run directory DIR from its journal (after a crash, a kill or a reboot): the strategy "
                        + "is rebuilt by replaying the journal, candidates that were in flight are evaluated again, and the search runs to its "
                        + "budget; evaluations.csv and summary.json are rebuilt from the journal.")
public final class ResumeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "Run directory (what search --out named).")
    Path dir;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(
            names = "--journal",
            paramLabel = "URL",
            description =
                    "The journal the search was written to, if not the run directory's own (e.g. jdbc:postgresql://...).")
    String journal;

    @Mixin
    WorkerOptions workerOptions = new WorkerOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return SearchCommand.resume(
                dir,
                journal,
                quiet,
                workerOptions,
                spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }
}
