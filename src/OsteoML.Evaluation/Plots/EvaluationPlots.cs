using OsteoML.Domain;
using OsteoML.Evaluation;
using ScottPlot;

namespace OsteoML.Evaluation.Plots;

/// <summary>
/// The report's figures as PNG bytes: ROC curves per class, predicted vs reference with identity and fit
/// lines, Bland–Altman, confusion matrix, and per-group bars with their bootstrap intervals.
/// </summary>
public static class EvaluationPlots
{
    public const int Width = 800;
    public const int Height = 600;

    private static readonly Color[] ClassColors = [Colors.SeaGreen, Colors.DarkOrange, Colors.Crimson];

    /// <summary>One-vs-rest ROC curve of each class; a class absent from the rows is named as such in the legend.</summary>
    public static byte[] Roc(SubsetEvaluation subset)
    {
        var plot = NewPlot($"ROC curves, one class vs the rest — {subset.Key}",
            "False positive rate (1 − specificity)", "True positive rate (sensitivity)");
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LineColor = Colors.Gray;
        chance.LinePattern = LinePattern.Dashed;
        chance.LegendText = "chance";
        for (var k = 0; k < AcrClasses.Names.Count; k++)
        {
            var curve = Metrics.RocCurve(
                subset.Rows.Select(r => r.ClassTrue == k).ToArray(),
                subset.Rows.Select(r => r.Probabilities[k]).ToArray());
            var name = AcrClasses.Names[k];
            if (curve.Auc is null)
            {
                var missing = plot.Add.ScatterLine(Array.Empty<double>(), Array.Empty<double>(), ClassColors[k]);
                missing.LegendText = $"{name}: AUC undefined (class or its complement absent)";
                continue;
            }
            var line = plot.Add.ScatterLine(
                curve.Points.Select(p => p.FalsePositiveRate).ToArray(),
                curve.Points.Select(p => p.TruePositiveRate).ToArray(), ClassColors[k]);
            line.LineWidth = 2;
            line.MarkerSize = 0;
            line.LegendText = $"{name} (AUC {MetricText.Value(curve.Auc)})";
        }
        plot.Axes.SetLimits(-0.02, 1.02, -0.02, 1.02);
        plot.ShowLegend(Alignment.LowerRight);
        return Png(plot, Width, Height);
    }

    /// <summary>Predicted against reference BMD, the identity line, the least-squares fit and the ACR cut-offs.</summary>
    public static byte[] PredictedVsReference(SubsetEvaluation subset)
    {
        var x = subset.Rows.Select(r => r.BmdTrue).ToArray();
        var y = subset.Rows.Select(r => r.BmdPred).ToArray();
        var plot = NewPlot($"Predicted vs reference BMD — {subset.Key} (n = {subset.N})",
            "Reference BMD, QCT (mg/cm³)", "Predicted BMD (mg/cm³)");
        var low = Math.Min(x.Min(), y.Min());
        var high = Math.Max(x.Max(), y.Max());
        var pad = Math.Max(5, (high - low) * 0.05);
        (low, high) = (low - pad, high + pad);
        foreach (var cut in new[] { AcrClasses.OsteoporosisBelow, AcrClasses.NormalAbove })
        {
            if (cut < low || cut > high) continue;
            var v = plot.Add.VerticalLine(cut, 1, Colors.LightGray, LinePattern.Dotted);
            var h = plot.Add.HorizontalLine(cut, 1, Colors.LightGray, LinePattern.Dotted);
            v.LegendText = h.LegendText = "";
        }
        var points = plot.Add.Scatter(x, y, Colors.SteelBlue.WithAlpha(0.6));
        points.LineWidth = 0;
        points.MarkerSize = 5;
        points.LegendText = $"cases (r = {MetricText.Value(subset.Regression.PearsonR)}, R² = {MetricText.Value(subset.Regression.R2)})";
        var identity = plot.Add.Line(low, low, high, high);
        identity.LineColor = Colors.Black;
        identity.LinePattern = LinePattern.Dashed;
        identity.LegendText = "identity (y = x)";
        if (LeastSquaresLine.Fit(x, y) is { } fit)
        {
            var line = plot.Add.Line(low, fit.At(low), high, fit.At(high));
            line.LineColor = Colors.Crimson;
            line.LineWidth = 2;
            line.LegendText = $"least-squares fit: y = {fit.Intercept:F1} + {fit.Slope:F3}·x";
        }
        plot.Axes.SetLimits(low, high, low, high);
        plot.ShowLegend(Alignment.UpperLeft);
        return Png(plot, Width, Height);
    }

    /// <summary>Difference (predicted − reference) against the mean of the two, with the bias and 95 % limits of agreement.</summary>
    public static byte[] BlandAltman(SubsetEvaluation subset)
    {
        var mean = subset.Rows.Select(r => (r.BmdPred + r.BmdTrue) / 2).ToArray();
        var difference = subset.Rows.Select(r => r.BmdPred - r.BmdTrue).ToArray();
        var plot = NewPlot($"Bland–Altman — {subset.Key} (n = {subset.N})",
            "Mean of predicted and reference BMD (mg/cm³)", "Predicted − reference (mg/cm³)");
        var points = plot.Add.Scatter(mean, difference, Colors.SteelBlue.WithAlpha(0.6));
        points.LineWidth = 0;
        points.MarkerSize = 5;
        points.LegendText = "cases";
        var r = subset.Regression;
        AddLevel(plot, r.Bias, Colors.Black, LinePattern.Solid, $"bias {MetricText.Value(r.Bias, 2)}");
        AddLevel(plot, r.UpperLimitOfAgreement, Colors.Crimson, LinePattern.Dashed, $"bias + 1.96 SD: {MetricText.Value(r.UpperLimitOfAgreement, 2)}");
        AddLevel(plot, r.LowerLimitOfAgreement, Colors.Crimson, LinePattern.Dashed, $"bias − 1.96 SD: {MetricText.Value(r.LowerLimitOfAgreement, 2)}");
        var extent = new[] { difference.Select(Math.Abs).Max(), Math.Abs(r.UpperLimitOfAgreement ?? 0), Math.Abs(r.LowerLimitOfAgreement ?? 0) }.Max();
        plot.Axes.SetLimitsY(-extent * 1.15 - 1, extent * 1.15 + 1);
        plot.ShowLegend(Alignment.UpperRight);
        return Png(plot, Width, Height);
    }

    /// <summary>Counts by true (rows) and predicted (columns) class, shaded by the share of the true class.</summary>
    public static byte[] Confusion(SubsetEvaluation subset)
    {
        var matrix = subset.Classification.Confusion;
        var k = matrix.Classes.Count;
        var plot = NewPlot($"Confusion matrix — {subset.Key} (n = {subset.N})", "Predicted class", "True class");
        for (var t = 0; t < k; t++)
        {
            var rowTotal = matrix.Counts[t].Sum();
            for (var p = 0; p < k; p++)
            {
                var count = matrix[t, p];
                var share = rowTotal > 0 ? (double)count / rowTotal : 0;
                var y = k - 1 - t; // first class on top
                var cell = plot.Add.Rectangle(p - 0.5, p + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = Colors.SteelBlue.WithAlpha(0.08 + 0.85 * share);
                cell.LineColor = Colors.White;
                cell.LineWidth = 2;
                var label = plot.Add.Text(rowTotal > 0 ? $"{count}\n{share:P0}" : $"{count}", p, y);
                label.Alignment = Alignment.MiddleCenter;
                label.LabelFontSize = 18;
                label.LabelFontColor = share > 0.5 ? Colors.White : Colors.Black;
            }
        }
        var positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, [.. matrix.Classes]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, matrix.Classes.Reverse().ToArray());
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.HideGrid();
        return Png(plot, 640, 600);
    }

    /// <summary>Mean AUC, accuracy and F1 of each group (e.g. each site), with their bootstrap intervals.</summary>
    public static byte[] ClassificationBars(string dimension, IReadOnlyList<SubsetEvaluation> groups) =>
        Bars($"Classification by {dimension}", dimension, "Metric (0–1)", groups,
        [
            ("mean AUC", s => s.Classification.MeanAuc, s => s.Classification.Ci?.MeanAuc),
            ("accuracy", s => s.Classification.Accuracy, s => s.Classification.Ci?.Accuracy),
            ("F1 (macro)", s => s.Classification.F1, s => s.Classification.Ci?.F1),
        ], fixedTop: 1.05);

    /// <summary>MAE and RMSE of each group (e.g. each site), with their bootstrap intervals.</summary>
    public static byte[] RegressionBars(string dimension, IReadOnlyList<SubsetEvaluation> groups) =>
        Bars($"BMD error by {dimension}", dimension, "mg/cm³", groups,
        [
            ("MAE", s => s.Regression.Mae, s => s.Regression.Ci?.Mae),
            ("RMSE", s => s.Regression.Rmse, s => s.Regression.Ci?.Rmse),
        ], fixedTop: null);

    /// <summary>One patient's BMD over time: each study with its ±1 precision SD, the fitted trend line, and a marker where a new fracture was first seen.</summary>
    public static byte[] BmdTrend(string title, IReadOnlyList<double> years, IReadOnlyList<double> bmd, LeastSquaresLine? fit, double precisionSd,
        IReadOnlyList<double> newFractureYears)
    {
        var plot = NewPlot(title, "Years since the first study", "BMD (mg/cm³)");
        var points = plot.Add.Scatter(years.ToArray(), bmd.ToArray(), Colors.SteelBlue);
        points.LineWidth = 0;
        points.MarkerSize = 8;
        points.LegendText = "study";
        for (var i = 0; i < years.Count; i++)
            AddWhisker(plot, years[i], bmd[i] - precisionSd, bmd[i] + precisionSd, 0.04);
        var last = Math.Max(1, years.Max());
        if (fit is not null)
        {
            var line = plot.Add.Line(0, fit.At(0), last, fit.At(last));
            line.LineColor = Colors.DarkOrange;
            line.LineWidth = 2;
            line.LegendText = $"trend {fit.Slope:+0.0;-0.0} mg/cm³/yr";
        }
        AddLevel(plot, AcrClasses.NormalAbove, Colors.SeaGreen, LinePattern.Dashed, "osteopenia < 120");
        AddLevel(plot, AcrClasses.OsteoporosisBelow, Colors.Crimson, LinePattern.Dashed, "osteoporosis < 80");
        foreach (var x in newFractureYears)
        {
            var marker = plot.Add.VerticalLine(x, 1.5f, Colors.Crimson, LinePattern.Dotted);
            marker.LegendText = "new fracture";
        }
        var low = Math.Min(70, bmd.Min() - 2 * precisionSd);
        var high = Math.Max(130, bmd.Max() + 2 * precisionSd);
        plot.Axes.SetLimits(-0.2, last + 0.2, low - 5, high + 5);
        plot.ShowLegend(Alignment.UpperRight);
        return Png(plot, 560, 380);
    }

    private static byte[] Bars(string title, string dimension, string yLabel, IReadOnlyList<SubsetEvaluation> groups,
        (string Name, Func<SubsetEvaluation, double?> Value, Func<SubsetEvaluation, ConfidenceInterval?> Ci)[] series, double? fixedTop)
    {
        var plot = NewPlot(title, dimension, yLabel);
        var width = 0.8 / series.Length;
        var top = 0.0;
        var whiskers = new List<(double X, ConfidenceInterval Ci)>();
        var palette = new[] { Colors.SteelBlue, Colors.DarkOrange, Colors.SeaGreen };
        for (var s = 0; s < series.Length; s++)
        {
            var bars = new List<Bar>();
            for (var g = 0; g < groups.Count; g++)
            {
                var x = g - 0.4 + width * (s + 0.5);
                if (series[s].Value(groups[g]) is not { } value)
                {
                    var na = plot.Add.Text("n/a", x, 0);
                    na.Alignment = Alignment.LowerCenter;
                    na.LabelFontSize = 12;
                    continue;
                }
                bars.Add(new Bar { Position = x, Value = value, Size = width * 0.9, FillColor = palette[s] });
                top = Math.Max(top, value);
                if (series[s].Ci(groups[g]) is { } ci)
                {
                    whiskers.Add((x, ci));
                    top = Math.Max(top, ci.High);
                }
            }
            var barPlot = plot.Add.Bars(bars);
            barPlot.LegendText = series[s].Name;
        }
        foreach (var (x, ci) in whiskers) // after the bars, so the bars do not hide their lower half
            AddWhisker(plot, x, ci.Low, ci.High, width * 0.25);
        var positions = Enumerable.Range(0, groups.Count).Select(i => (double)i).ToArray();
        var labels = groups.Select(g => $"{g.Key.By[^1].Value}\n(n = {g.N})").ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.Axes.SetLimits(-0.6, groups.Count - 0.4, 0, fixedTop ?? top * 1.2 + 1);
        plot.ShowLegend(Alignment.UpperRight);
        return Png(plot, 900, 520);
    }

    private static void AddWhisker(Plot plot, double x, double low, double high, double cap)
    {
        foreach (var line in new[] { plot.Add.Line(x, low, x, high), plot.Add.Line(x - cap, low, x + cap, low), plot.Add.Line(x - cap, high, x + cap, high) })
        {
            line.LineColor = Colors.Black;
            line.LineWidth = 1.5f;
        }
    }

    private static void AddLevel(Plot plot, double? level, Color color, LinePattern pattern, string legend)
    {
        if (level is not { } y) return;
        var line = plot.Add.HorizontalLine(y, 2, color, pattern);
        line.LegendText = legend;
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set(PlotFonts.Name);
        plot.Title(title, 16);
        plot.XLabel(xLabel, 14);
        plot.YLabel(yLabel, 14);
        return plot;
    }

    /// <summary>Renders and releases the plot (it holds native Skia resources).</summary>
    private static byte[] Png(Plot plot, int width, int height)
    {
        using (plot)
            return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
