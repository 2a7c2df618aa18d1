using System.Globalization;
using System.Text;
using OsteoML.Domain;
using OsteoML.Evaluation;

namespace OsteoML.Validation.Screening;

/// <summary>
/// One calibration source's predictions on one site's studies, for comparing sources side by side: MAE, bias
/// (predicted − QCT, mg/cm³) and macro-AUC, each with a patient-level bootstrap 95 % interval. Rows computed on the
/// same studies with the same seed draw the same resamples, so their intervals are comparable; and because sources
/// differ mostly by a shift common to all studies, which separate intervals of a few dozen studies hide, each row also
/// gives its paired difference from a reference row on the same studies (ΔMAE, Δbias), with the interval of that
/// difference over the same resamples.
/// </summary>
public sealed record SourceComparisonRow(string Label, int N, double? Mae, ConfidenceInterval? MaeCi, double? Bias, ConfidenceInterval? BiasCi,
    double? Auc, ConfidenceInterval? AucCi, double? DeltaMae = null, ConfidenceInterval? DeltaMaeCi = null, double? DeltaBias = null,
    ConfidenceInterval? DeltaBiasCi = null)
{
    public static IReadOnlyList<string> Columns { get; } =
        ["source", "n", "MAE mg/cm³ [95 % CI]", "bias mg/cm³ [95 % CI]", "AUC [95 % CI]", "ΔMAE [95 % CI]", "Δbias [95 % CI]"];

    /// <param name="reference">The row's studies under the reference source, in the same order, for the paired
    /// differences (none when null or not the same studies).</param>
    public static SourceComparisonRow Of(string label, PredictionTable table, PredictionTable? reference = null,
        int replicates = PatientBootstrap.DefaultReplicates, ulong seed = PatientBootstrap.DefaultSeed)
    {
        if (table.Count == 0) return new(label, 0, null, null, null, null, null, null);
        var bootstrap = new PatientBootstrap(table.Rows.Select(r => r.Id).ToArray(), replicates, seed);
        var r = Metrics.Regression(table.Rows.Select(x => x.BmdTrue).ToArray(), table.Rows.Select(x => x.BmdPred).ToArray(), bootstrap);
        var c = Metrics.Classification(table.Rows.Select(x => x.ClassTrue).ToArray(), table.Rows.Select(x => x.Probabilities).ToArray(),
            table.Rows.Select(x => x.ClassPred).ToArray(), AcrClasses.Names, bootstrap);
        var row = new SourceComparisonRow(label, table.Count, r.Mae, r.Ci?.Mae, r.Bias, r.Ci?.Bias, c.MeanAuc, c.Ci?.MeanAuc);
        if (reference is null || !SameStudies(table, reference)) return row;
        var error = table.Rows.Select(x => x.BmdPred - x.BmdTrue).ToArray();
        var referenceError = reference.Rows.Select(x => x.BmdPred - x.BmdTrue).ToArray();
        double DeltaMae(int[]? w) => Mean(error.Select(Math.Abs), w) - Mean(referenceError.Select(Math.Abs), w);
        double DeltaBias(int[]? w) => Mean(error, w) - Mean(referenceError, w);
        return row with
        {
            DeltaMae = DeltaMae(null), DeltaMaeCi = bootstrap.Interval(w => DeltaMae(w)),
            DeltaBias = DeltaBias(null), DeltaBiasCi = bootstrap.Interval(w => DeltaBias(w)),
        };
    }

    public static string[] Cells(SourceComparisonRow r) =>
    [
        r.Label, r.N.ToString(CultureInfo.InvariantCulture), F(r.Mae, r.MaeCi, 2), F(r.Bias, r.BiasCi, 2, signed: true), F(r.Auc, r.AucCi, 3),
        F(r.DeltaMae, r.DeltaMaeCi, 2, signed: true), F(r.DeltaBias, r.DeltaBiasCi, 2, signed: true),
    ];

    public static string Markdown(IEnumerable<SourceComparisonRow> rows)
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", Columns).Append(" |\n|").AppendJoin("|", Columns.Select((_, i) => i == 0 ? "---" : "---:")).Append("|\n");
        foreach (var r in rows) text.Append("| ").AppendJoin(" | ", Cells(r)).Append(" |\n");
        return text.ToString();
    }

    private static bool SameStudies(PredictionTable a, PredictionTable b) =>
        a.Count == b.Count && a.Rows.Zip(b.Rows).All(p => p.First.Id == p.Second.Id && p.First.BmdTrue == p.Second.BmdTrue);

    /// <summary>The mean, each value counted as often as its row's bootstrap weight (once without weights).</summary>
    private static double Mean(IEnumerable<double> values, int[]? weights)
    {
        double sum = 0, count = 0;
        var i = 0;
        foreach (var v in values)
        {
            var w = weights?[i++] ?? 1;
            sum += w * v;
            count += w;
        }
        return sum / count;
    }

    private static string F(double? value, ConfidenceInterval? ci, int decimals, bool signed = false)
    {
        if (value is not { } v) return "–";
        var format = signed ? $"+0.{new string('0', decimals)};−0.{new string('0', decimals)};0.{new string('0', decimals)}" : "F" + decimals;
        string N(double x) => x.ToString(format, CultureInfo.InvariantCulture);
        return ci is null ? N(v) : $"{N(v)} [{N(ci.Low)}, {N(ci.High)}]";
    }
}
