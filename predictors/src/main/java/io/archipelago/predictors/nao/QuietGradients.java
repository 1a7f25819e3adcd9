package io.archipelago.predictors.nao;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Builds a SameDiff gradient function without its console noise: ND4J 1.0.0-M2.1 prints one
 * "Added differentiated op ..." line per op to {@code System.out} (not through a logger), and
 * stdout is where the command line writes its results. While the function is built, stdout goes
 * through a filter that drops exactly those lines and passes every other line on.
 */
final class QuietGradients {
    private static final String NOISE = "Added differentiated op ";

    private QuietGradients() {}

    static synchronized void createGradFunction(SameDiff sd) {
        PrintStream original = System.out;
        PrintStream filtered = new PrintStream(new DroppingLines(original), true, StandardCharsets.UTF_8);
        System.setOut(filtered);
        try {
            sd.createGradFunction();
        } finally {
            filtered.flush();
            System.setOut(original);
        }
    }

    /** Forwards whole lines, except ND4J's gradient-building lines. */
    private static final class DroppingLines extends OutputStream {
        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        DroppingLines(PrintStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            line.write(b);
            if (b == '\n') {
                flushLine();
            }
        }

        @Override
        public void flush() {
            flushLine();
        }

        private void flushLine() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!text.startsWith(NOISE)) {
                target.print(text);
                target.flush();
            }
        }
    }
}
