package io.archipelago.node;

import io.archipelago.node.bench.BenchCommand;
import io.archipelago.node.cluster.ClusterCommand;
import io.archipelago.node.latency.LatencyCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code archipelago} command. */
@Command(name = "archipelago", mixinStandardHelpOptions = true, version = "archipelago " + Main.VERSION,
        description = "Asynchronous, actor-based neural architecture search.",
        subcommands = {SearchCommand.class, ResumeCommand.class, RunsCommand.class, NodeCommand.class, ClusterCommand.class, TegCommand.class, BenchCommand.class, LatencyCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static final String VERSION = "0.1.0";

    /** Exit code of a user error (bad option, unknown name, malformed file). */
    public static final int USAGE = 2;

    private Main() {}

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs the command line. User errors print one line on {@code err} and return {@link #USAGE};
     * set ARCHIPELAGO_DEBUG=1 to see their stack traces.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        // Initialise logging before actor systems start logging from several threads at once.
        org.slf4j.LoggerFactory.getLogger(Main.class);
        CommandLine cli = new CommandLine(Main.class);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, arguments) -> {
            CommandLine command = ex.getCommandLine();
            err.println(command.getCommandName() + ": " + ex.getMessage() + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((ex, command, parseResult) -> {
            if (ex instanceof IllegalArgumentException) {
                err.println(command.getCommandSpec().qualifiedName() + ": error: " + ex.getMessage());
                if (System.getenv("ARCHIPELAGO_DEBUG") != null) {
                    ex.printStackTrace(err);
                }
                return USAGE;
            }
            throw ex;
        });
        return cli.execute(args);
    }
}
