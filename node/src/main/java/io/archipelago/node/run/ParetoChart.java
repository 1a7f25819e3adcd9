package io.archipelago.node.run;

import io.archipelago.core.objective.Objective;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code pareto.png}: every evaluated cell by its first two objectives (the second across, the
 * first up, as accuracy-against-cost plots are read), infeasible cells apart, and the front as a
 * staircase. With three objectives the front is the 3-D one, seen from above.
 */
public final class ParetoChart {
    private ParetoChart() {}

    public static void write(Path png, String title, ParetoFront front) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Objective> objectives = front.objectives();
        Objective up = objectives.get(0);
        Objective across = objectives.get(1);
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(600)
                .title(title)
                .xAxisTitle(across.toString())
                .yAxisTitle(up.toString())
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setMarkerSize(5);
        List<ParetoFront.Point> points = front.points();
        List<ParetoFront.Point> feasible =
                points.stream().filter(ParetoFront.Point::feasible).toList();
        if (points.isEmpty()) {
            return; // nothing succeeded: no chart
        }
        if (!feasible.isEmpty()) {
            addScatter(chart, "evaluated", feasible, up, across, SeriesMarkers.CIRCLE);
        }
        List<ParetoFront.Point> infeasible =
                points.stream().filter(p -> !p.feasible()).toList();
        if (!infeasible.isEmpty()) {
            addScatter(chart, "infeasible", infeasible, up, across, SeriesMarkers.CROSS);
        }
        List<ParetoFront.Point> onFront = front.front().stream()
                .sorted(Comparator.comparingDouble(
                        (ParetoFront.Point p) -> p.values().get(across.metric())))
                .toList();
        if (!onFront.isEmpty()) {
            XYSeries line =
                    addScatter(chart, "front (" + onFront.size() + ")", onFront, up, across, SeriesMarkers.DIAMOND);
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYSeries addScatter(
            XYChart chart,
            String name,
            List<ParetoFront.Point> points,
            Objective up,
            Objective across,
            org.knowm.xchart.style.markers.Marker marker) {
        double[] x = new double[points.size()];
        double[] y = new double[x.length];
        for (int i = 0; i < points.size(); i++) {
            x[i] = points.get(i).values().get(across.metric());
            y[i] = points.get(i).values().get(up.metric());
        }
        XYSeries series = chart.addSeries(name, x, y);
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        series.setMarker(marker);
        return series;
    }
}
