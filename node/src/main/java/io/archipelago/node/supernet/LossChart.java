package io.archipelago.node.supernet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** {@code loss.png}: each step's training loss and its moving average, against steps. */
final class LossChart {
    private LossChart() {}

    static void write(Path png, String title, List<LossLog.Row> rows) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(540)
                .title(title)
                .xAxisTitle("step")
                .yAxisTitle("training loss (cross-entropy)")
                .build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(2);
        chart.getStyler().setXAxisTickMarkSpacingHint(120);
        chart.getStyler().setXAxisDecimalPattern("#");
        int n = Math.max(1, rows.size());
        double[] x = new double[n];
        double[] loss = new double[n];
        double[] mean = new double[n];
        int window = Math.max(1, Math.min(100, rows.size() / 20));
        double sum = 0;
        for (int i = 0; i < rows.size(); i++) {
            x[i] = rows.get(i).step() + 1;
            loss[i] = rows.get(i).loss();
            sum += loss[i];
            if (i >= window) {
                sum -= loss[i - window];
            }
            mean[i] = sum / Math.min(i + 1, window);
        }
        XYSeries each = chart.addSeries("step", x, loss);
        each.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        each.setMarker(SeriesMarkers.CIRCLE);
        XYSeries line = chart.addSeries("mean of " + window + " steps", x, mean);
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        line.setMarker(SeriesMarkers.NONE);
        // Written beside the target, then moved over it: a reader never sees half a PNG.
        Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
