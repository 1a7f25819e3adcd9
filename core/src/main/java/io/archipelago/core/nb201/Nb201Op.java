package io.archipelago.core.nb201;

/** The five operations an NAS-Bench-201 edge can carry, with their names in cell strings. */
public enum Nb201Op {
    NONE("none"),
    SKIP_CONNECT("skip_connect"),
    NOR_CONV_1X1("nor_conv_1x1"),
    NOR_CONV_3X3("nor_conv_3x3"),
    AVG_POOL_3X3("avg_pool_3x3");

    private static final Nb201Op[] VALUES = values();
    private final String token;

    Nb201Op(String token) {
        this.token = token;
    }

    /** The name used in cell strings, e.g. {@code nor_conv_3x3}. */
    public String token() {
        return token;
    }

    public static Nb201Op ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    /** @return the op, or null when {@code token} names none */
    static Nb201Op ofToken(String token) {
        for (Nb201Op op : VALUES) {
            if (op.token.equals(token)) {
                return op;
            }
        }
        return null;
    }

    static String tokens() {
        StringBuilder names = new StringBuilder();
        for (Nb201Op op : VALUES) {
            names.append(names.length() == 0 ? "" : ", ").append(op.token);
        }
        return names.toString();
    }
}
