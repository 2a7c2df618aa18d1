using System.Globalization;
using System.Text;
using OsteoML.Evaluation;

namespace OsteoML.Pipelines.Screening;

/// <summary>
/// One calibration source's predictions on one site's studies, for comparing sources side by side: MAE, bias
/// (predicted − QCT, mg/cm³) and macro-AUC, each with a patient-level bootstrap 95 % interval. Rows computed on the
/// same studies with the same seed draw the same resamples, so their intervals are comparable.
/// </summary>
public sealed record SourceComparisonRow(string Label, int N, double? Mae, ConfidenceInterval? MaeCi, double? Bias, ConfidenceInterval? BiasCi,
    double? Auc, ConfidenceInterval? AucCi)
{
    public static IReadOnlyList<string> Columns { get; } = ["source", "n", "MAE mg/cm³ [95 % CI]", "bias mg/cm³ [95 % CI]", "AUC [95 % CI]"];

    public static SourceComparisonRow Of(string label, PredictionTable table, int replicates = PatientBootstrap.DefaultReplicates, ulong seed = PatientBootstrap.DefaultSeed)
    {
        if (table.Count == 0) return new(label, 0, null, null, null, null, null, null);
        var bootstrap = new PatientBootstrap(table.Rows.Select(r => r.Id).ToArray(), replicates, seed);
        var r = Metrics.Regression(table.Rows.Select(x => x.BmdTrue).ToArray(), table.Rows.Select(x => x.BmdPred).ToArray(), bootstrap);
        var c = Metrics.Classification(table.Rows.Select(x => x.ClassTrue).ToArray(), table.Rows.Select(x => x.Probabilities).ToArray(),
            table.Rows.Select(x => x.ClassPred).ToArray(), AcrClasses.Names, bootstrap);
        return new(label, table.Count, r.Mae, r.Ci?.Mae, r.Bias, r.Ci?.Bias, c.MeanAuc, c.Ci?.MeanAuc);
    }

    public static string[] Cells(SourceComparisonRow r) =>
        [r.Label, r.N.ToString(CultureInfo.InvariantCulture), F(r.Mae, r.MaeCi, 2), F(r.Bias, r.BiasCi, 2, signed: true), F(r.Auc, r.AucCi, 3)];

    public static string Markdown(IEnumerable<SourceComparisonRow> rows)
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", Columns).Append(" |\n|").AppendJoin("|", Columns.Select((_, i) => i == 0 ? "---" : "---:")).Append("|\n");
        foreach (var r in rows) text.Append("| ").AppendJoin(" | ", Cells(r)).Append(" |\n");
        return text.ToString();
    }

    private static string F(double? value, ConfidenceInterval? ci, int decimals, bool signed = false)
    {
        if (value is not { } v) return "–";
        var format = signed ? $"+0.{new string('0', decimals)};−0.{new string('0', decimals)};0.{new string('0', decimals)}" : "F" + decimals;
        string N(double x) => x.ToString(format, CultureInfo.InvariantCulture);
        return ci is null ? N(v) : $"{N(v)} [{N(ci.Low)}, {N(ci.High)}]";
    }
}
