package io.archipelago.core.darts;

/**
 * The seven operations a DARTS genotype can choose: DARTS's {@code PRIMITIVES} without {@code
 * none} (which the derivation never picks), in the same order, so {@code ordinal() + 1} is the
 * op's column in DARTS's architecture weights α.
 */
public enum DartsOp {
    MAX_POOL_3X3("max_pool_3x3", "max3"),
    AVG_POOL_3X3("avg_pool_3x3", "avg3"),
    SKIP_CONNECT("skip_connect", "skip"),
    SEP_CONV_3X3("sep_conv_3x3", "sep3"),
    SEP_CONV_5X5("sep_conv_5x5", "sep5"),
    DIL_CONV_3X3("dil_conv_3x3", "dil3"),
    DIL_CONV_5X5("dil_conv_5x5", "dil5");

    /** Ops a genotype can choose. */
    public static final int COUNT = 7;

    private static final DartsOp[] VALUES = values();
    private final String token;
    private final String shortToken;

    DartsOp(String token, String shortToken) {
        this.token = token;
        this.shortToken = shortToken;
    }

    /** DARTS's own name, e.g. {@code sep_conv_3x3}. */
    public String token() {
        return token;
    }

    /** The compact form's name, e.g. {@code sep3}. */
    public String shortToken() {
        return shortToken;
    }

    public static DartsOp ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    /** @return the op named {@code name} (DARTS's name or the short one), or null */
    static DartsOp ofName(String name) {
        for (DartsOp op : VALUES) {
            if (op.token.equals(name) || op.shortToken.equals(name)) {
                return op;
            }
        }
        return null;
    }

    static String names() {
        StringBuilder names = new StringBuilder();
        for (DartsOp op : VALUES) {
            names.append(names.length() == 0 ? "" : ", ")
                    .append(op.token)
                    .append(" (")
                    .append(op.shortToken)
                    .append(')');
        }
        return names.toString();
    }
}
