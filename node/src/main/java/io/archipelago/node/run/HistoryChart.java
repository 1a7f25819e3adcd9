package io.archipelago.node.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** {@code history.png}: every evaluation's search metric and the best so far, against evaluations. */
public final class HistoryChart {
    private HistoryChart() {}

    public static void write(Path png, String title, String metric, List<RunRecorder.Point> history)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(540)
                .title(title)
                .xAxisTitle("evaluations")
                .yAxisTitle(metric)
                .build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        chart.getStyler().setMarkerSize(4);
        double[] x = new double[Math.max(1, history.size())];
        double[] value = new double[x.length];
        double[] best = new double[x.length];
        for (int i = 0; i < history.size(); i++) {
            RunRecorder.Point point = history.get(i);
            x[i] = point.evaluation();
            value[i] = point.value();
            best[i] = point.best();
        }
        // A few broken cells (e.g. 10% accuracy) would squash the rest: start the axis near the 2nd percentile.
        if (history.size() >= 20) {
            double[] sorted = value.clone();
            java.util.Arrays.sort(sorted);
            double low = sorted[sorted.length / 50];
            double high = sorted[sorted.length - 1];
            chart.getStyler().setYAxisMin(low - 0.05 * (high - low));
        }
        chart.getStyler().setXAxisTickMarkSpacingHint(120);
        XYSeries each = chart.addSeries("evaluation", x, value);
        each.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        each.setMarker(SeriesMarkers.CIRCLE);
        XYSeries line = chart.addSeries("best so far", x, best);
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        line.setMarker(SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
