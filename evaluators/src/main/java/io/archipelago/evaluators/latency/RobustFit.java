package io.archipelago.evaluators.latency;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.linear.SingularMatrixException;

/**
 * The overhead model of a latency lookup table, fitted on fully measured networks of any space:
 * least squares on relative errors (each row divided by the measured latency), by iteratively
 * reweighted least squares with Huber weights, so a network caught by a burst of load from
 * elsewhere (contention only ever adds time) is down-weighted instead of pulling the line. Of the
 * candidate term sets, the one with the lowest leave-one-out mean absolute percentage error wins.
 */
final class RobustFit {
    /** Huber's tuning constant, in robust standard deviations of the relative residuals. */
    private static final double HUBER_K = 1.5;

    private static final int IRLS_ITERATIONS = 20;

    private RobustFit() {}

    /**
     * @param features each fitted network's terms by name (every candidate's terms present)
     * @param measured each network's measured latency, ms
     * @param candidates term sets to try, in order
     * @param what what the rows are ("cells", "networks"), for the message
     * @throws IllegalStateException when no candidate gives a usable model
     */
    static LatencyTable.Model fit(
            List<Map<String, Double>> features, double[] measured, List<List<String>> candidates, String what) {
        int n = features.size();
        LatencyTable.Model best = null;
        for (List<String> terms : candidates) {
            double[] coefficients = robustSolve(features, measured, terms, -1);
            if (coefficients == null) {
                continue;
            }
            double[] relative = new double[n];
            double mape = 0;
            boolean ok = true;
            for (int i = 0; i < n; i++) {
                double[] loo = robustSolve(features, measured, terms, i);
                double predicted = loo == null ? Double.NaN : dot(loo, features.get(i), terms);
                if (!(predicted > 0)) {
                    ok = false; // singular without this row, or a non-positive prediction: not a usable model
                    break;
                }
                relative[i] = measured[i] / predicted - 1;
                mape += Math.abs(predicted - measured[i]) / measured[i];
            }
            if (!ok) {
                continue;
            }
            mape /= n;
            Arrays.sort(relative);
            Map<String, Double> named = new LinkedHashMap<>();
            for (int t = 0; t < terms.size(); t++) {
                named.put(terms.get(t), coefficients[t]);
            }
            if (!named.containsKey(LatencyTable.TERM_INTERCEPT)) {
                named.put(LatencyTable.TERM_INTERCEPT, 0.0);
            }
            LatencyTable.Model model = new LatencyTable.Model(
                    named,
                    n,
                    mape,
                    LatencyEvaluators.quantile(relative, 0.1),
                    LatencyEvaluators.quantile(relative, 0.9));
            if (best == null || model.fitMape() < best.fitMape()) {
                best = model;
            }
        }
        if (best == null) {
            throw new IllegalStateException("the overhead model could not be fitted on " + n + " " + what);
        }
        return best;
    }

    /** Huber IRLS on relative residuals over all rows but {@code leaveOut}; null when singular. */
    private static double[] robustSolve(
            List<Map<String, Double>> features, double[] measured, List<String> terms, int leaveOut) {
        double[] weights = new double[features.size()];
        Arrays.fill(weights, 1);
        double[] coefficients = null;
        for (int iteration = 0; iteration < IRLS_ITERATIONS; iteration++) {
            double[] next = solve(features, measured, terms, leaveOut, weights);
            if (next == null) {
                return coefficients;
            }
            boolean converged = coefficients != null && maxRelativeChange(coefficients, next) < 1e-9;
            coefficients = next;
            if (converged) {
                break;
            }
            double[] residuals = new double[features.size() - (leaveOut >= 0 ? 1 : 0)];
            int row = 0;
            for (int i = 0; i < features.size(); i++) {
                if (i != leaveOut) {
                    residuals[row++] = dot(coefficients, features.get(i), terms) / measured[i] - 1;
                }
            }
            double[] absolute = new double[residuals.length];
            double center = LatencyEvaluators.median(residuals);
            for (int i = 0; i < residuals.length; i++) {
                absolute[i] = Math.abs(residuals[i] - center);
            }
            double sigma = Math.max(1.4826 * LatencyEvaluators.median(absolute), 1e-3); // MAD; floor: 0.1%
            row = 0;
            for (int i = 0; i < features.size(); i++) {
                if (i == leaveOut) {
                    continue;
                }
                double r = Math.abs(residuals[row++]);
                weights[i] = r <= HUBER_K * sigma ? 1 : HUBER_K * sigma / r;
            }
        }
        return coefficients;
    }

    private static double maxRelativeChange(double[] a, double[] b) {
        double change = 0;
        for (int i = 0; i < a.length; i++) {
            change = Math.max(change, Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), 1e-12));
        }
        return change;
    }

    /** Weighted least squares on relative errors over all rows but {@code leaveOut}; null when singular. */
    private static double[] solve(
            List<Map<String, Double>> features, double[] measured, List<String> terms, int leaveOut, double[] weights) {
        int rows = features.size() - (leaveOut >= 0 ? 1 : 0);
        if (rows < terms.size()) {
            return null;
        }
        double[][] x = new double[rows][terms.size()];
        double[] y = new double[rows];
        int row = 0;
        for (int i = 0; i < features.size(); i++) {
            if (i == leaveOut) {
                continue;
            }
            double w = Math.sqrt(weights[i]) / measured[i];
            for (int t = 0; t < terms.size(); t++) {
                x[row][t] = features.get(i).get(terms.get(t)) * w;
            }
            y[row] = measured[i] * w;
            row++;
        }
        try {
            RealVector solution = new QRDecomposition(new Array2DRowRealMatrix(x, false), 1e-12)
                    .getSolver()
                    .solve(new ArrayRealVector(y, false));
            return solution.toArray();
        } catch (SingularMatrixException e) {
            return null;
        }
    }

    private static double dot(double[] coefficients, Map<String, Double> features, List<String> terms) {
        double y = 0;
        for (int t = 0; t < terms.size(); t++) {
            y += coefficients[t] * features.get(terms.get(t));
        }
        return y;
    }
}
