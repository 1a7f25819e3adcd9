package io.archipelago.node.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One command line of the contract, run as its own process through the shaded jar, and what it
 * must do. Arguments may hold placeholders such as {@code {work}} or {@code {benchmark}} (see
 * {@link Workspace}), resolved just before the case runs.
 *
 * @param stdin what the process reads on stdin (null: nothing; stdin is closed at once)
 * @param env extra environment variables (values may hold placeholders)
 * @param needsPostgres run only where ARCHIPELAGO_TEST_POSTGRES_URL names a server; such cases do
 *     not count for coverage, which must hold without one
 * @param knownFailure why the product fails this case today (null: it passes); such a case is
 *     skipped unless -Darchipelago.contract.knownFailures=run, and does not count for coverage
 */
record Case(
        String name,
        List<String> args,
        Outcome outcome,
        Duration timeout,
        String stdin,
        Map<String, String> env,
        boolean needsPostgres,
        String knownFailure) {

    /** What a case must do. */
    sealed interface Outcome {
        /** Exit 0, and every check holds. */
        record Succeeds(List<Check> checks) implements Outcome {}

        /** Exit 2 with exactly one line on stderr, no stack trace, that contains {@code message}. */
        record RejectsInput(String message) implements Outcome {}

        /**
         * A long-lived command ({@code node}): it prints {@code readyLine} on stdout, serves until
         * SIGTERM, then exits with {@code exitCode} within {@code stopWithin}.
         */
        record ServesUntilSigterm(String readyLine, int exitCode, Duration stopWithin) implements Outcome {}
    }

    /** The slowest tiny case takes about 20 s on a quiet 2-core machine; the rest is room for a loaded one. */
    static final Duration SUCCESS_TIMEOUT = Duration.ofSeconds(90);
    /** Bad input is refused before anything starts: a JVM start and a table read. */
    static final Duration REJECT_TIMEOUT = Duration.ofSeconds(30);

    Case {
        args = List.copyOf(args);
        env = Map.copyOf(env);
    }

    static Case succeeds(String name, String... args) {
        return new Case(
                name, List.of(args), new Outcome.Succeeds(List.of()), SUCCESS_TIMEOUT, null, Map.of(), false, null);
    }

    static Case rejects(String name, String message, String... args) {
        return new Case(
                name, List.of(args), new Outcome.RejectsInput(message), REJECT_TIMEOUT, null, Map.of(), false, null);
    }

    /** A node: SIGTERM drains it, and it exits with 128 + 15 (the JVM's convention, as README.md says). */
    static Case servesUntilSigterm(String name, String readyLine, String... args) {
        return new Case(
                name,
                List.of(args),
                new Outcome.ServesUntilSigterm(readyLine, 143, Duration.ofSeconds(30)),
                Duration.ofSeconds(60),
                null,
                Map.of(),
                false,
                null);
    }

    /** Adds checks to a succeeding case. */
    Case expecting(Check... checks) {
        if (!(outcome instanceof Outcome.Succeeds succeeds)) {
            throw new IllegalStateException(name + ": only a succeeding case has checks");
        }
        List<Check> all = new ArrayList<>(succeeds.checks());
        all.addAll(List.of(checks));
        return new Case(name, args, new Outcome.Succeeds(all), timeout, stdin, env, needsPostgres, knownFailure);
    }

    /** The last line of stdout is a JSON object with these fields ({@code a.b} and {@code a.0.b} reach into it). */
    Case lastLineJson(String... fields) {
        return expecting(new Check.LastLineJson(List.of(fields)));
    }

    /** These files exist in {@code dir} and are not empty. */
    Case files(String dir, String... names) {
        return expecting(new Check.NonEmptyFiles(dir, List.of(names)));
    }

    Case timeout(Duration limit) {
        return new Case(name, args, outcome, limit, stdin, env, needsPostgres, knownFailure);
    }

    Case stdin(String text) {
        return new Case(name, args, outcome, timeout, text, env, needsPostgres, knownFailure);
    }

    Case env(Map<String, String> variables) {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.putAll(variables);
        return new Case(name, args, outcome, timeout, stdin, all, needsPostgres, knownFailure);
    }

    Case onlyWithPostgres() {
        return new Case(name, args, outcome, timeout, stdin, env, true, knownFailure);
    }

    Case knownFailure(String why) {
        return new Case(name, args, outcome, timeout, stdin, env, needsPostgres, why);
    }

    /**
     * Whether the case counts towards coverage: it is expected to pass. Cases that need PostgreSQL
     * count too: CI always starts one (.ci/run), and what a shared journal alone offers (a cluster's
     * search host: detached searches, live listings, cancel) has no case without it.
     */
    boolean countsForCoverage() {
        return knownFailure == null;
    }

    boolean isSuccess() {
        return !(outcome instanceof Outcome.RejectsInput);
    }

    @Override
    public String toString() {
        return name;
    }
}
