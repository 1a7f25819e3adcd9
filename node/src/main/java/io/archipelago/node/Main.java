package io.archipelago.node;

import io.archipelago.node.bench.BenchCommand;
import io.archipelago.node.latency.LatencyCommand;
import io.archipelago.node.supernet.SupernetCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code archipelago} command. */
@Command(
        name = "archipelago",
        mixinStandardHelpOptions = true,
        version = "archipelago " + Main.VERSION,
        description = "Asynchronous, actor-based neural architecture search.",
        subcommands = {
            SearchCommand.class,
            ResumeCommand.class,
            RunsCommand.class,
            NodeCommand.class,
            WorkerCommand.class,
            ClusterCommand.class,
            DashboardCommand.class,
            TegCommand.class,
            SpacesCommand.class,
            BenchCommand.class,
            LatencyCommand.class,
            SupernetCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {
    public static final String VERSION = "0.1.0";

    /** Exit code of a user error (bad option, unknown name, malformed file). */
    public static final int USAGE = 2;

    /** Exit code of a command that started and then failed (its journal, a crash). */
    public static final int FAILED = 1;

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
            err.println(command.getCommandName() + ": " + ex.getMessage() + " (see '"
                    + command.getCommandSpec().qualifiedName() + " --help')");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((ex, command, parseResult) -> {
            if (ex instanceof IllegalArgumentException) {
                err.println(command.getCommandSpec().qualifiedName() + ": error: " + oneLine(ex.getMessage()));
                if (System.getenv("ARCHIPELAGO_DEBUG") != null) {
                    ex.printStackTrace(err);
                }
                return USAGE;
            }
            // Anything else ended the command (a journal that failed, a search that crashed): one
            // line naming the cause, exit 1; the run's files and journal stay as they were.
            err.println(command.getCommandSpec().qualifiedName() + ": failed: " + cause(ex));
            if (System.getenv("ARCHIPELAGO_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            return FAILED;
        });
        return cli.execute(args);
    }

    /** The innermost message worth showing: futures' and reflection's wrappers add nothing. */
    static String cause(Throwable ex) {
        Throwable shown = ex;
        while ((shown instanceof java.util.concurrent.ExecutionException
                        || shown instanceof java.util.concurrent.CompletionException
                        || shown instanceof java.lang.reflect.InvocationTargetException)
                && shown.getCause() != null) {
            shown = shown.getCause();
        }
        String message = shown.getMessage();
        return message == null || message.isBlank() ? shown.getClass().getSimpleName() : oneLine(message);
    }

    /** A message as one line: drivers' and parsers' messages span several (an SQL statement, an excerpt). */
    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
