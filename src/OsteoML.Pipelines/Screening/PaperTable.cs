using System.Globalization;
using System.Text;
using OsteoML.Calibration;
using OsteoML.Evaluation;
using OsteoML.Evaluation.Reports;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Pipelines.Screening;

/// <summary>One row of the paper-style table: a named set of predictions and its metrics.</summary>
public sealed record PaperRow(string Label, int N, double? Auc, double? F1, double? Accuracy, double? Precision, double? Recall, double? Specificity,
    double? Mae, double? Rmse, double? R2, double? PearsonR)
{
    public static PaperRow Of(string label, PredictionTable table)
    {
        if (table.Count == 0) return new(label, 0, null, null, null, null, null, null, null, null, null, null);
        var c = Metrics.Classification(table.Rows.Select(r => r.ClassTrue).ToArray(), table.Rows.Select(r => r.Probabilities).ToArray(),
            table.Rows.Select(r => r.ClassPred).ToArray(), AcrClasses.Names);
        var r = Metrics.Regression(table.Rows.Select(r => r.BmdTrue).ToArray(), table.Rows.Select(r => r.BmdPred).ToArray());
        return new(label, table.Count, c.MeanAuc, c.F1, c.Accuracy, c.Precision, c.Recall, c.Specificity, r.Mae, r.Rmse, r.R2, r.PearsonR);
    }

    public static PaperRow Published(PublishedMetrics p) => new($"published study, {p.Set}", p.N, p.Auc, p.F1, p.Accuracy, p.Precision, p.Recall,
        p.Specificity, p.Mae, p.Rmse, p.R2, p.PearsonR);
}

/// <summary>The study's table layout (AUC, F1, accuracy, precision, recall, specificity; MAE, RMSE, R², r) as Markdown.</summary>
public static class PaperTable
{
    public static readonly IReadOnlyList<string> Columns = ["set", "n", "AUC", "F1", "accuracy", "precision", "recall", "specificity", "MAE", "RMSE", "R²", "r"];

    public static string[] Cells(PaperRow r) =>
    [
        r.Label, r.N.ToString(CultureInfo.InvariantCulture), F(r.Auc, 3), F(r.F1, 3), F(r.Accuracy, 3), F(r.Precision, 3), F(r.Recall, 3),
        F(r.Specificity, 3), F(r.Mae, 2), F(r.Rmse, 2), F(r.R2, 3), F(r.PearsonR, 3),
    ];

    public static string Markdown(IEnumerable<PaperRow> rows)
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", Columns).Append(" |\n|").AppendJoin("|", Columns.Select((_, i) => i == 0 ? "---" : "---:")).Append("|\n");
        foreach (var r in rows) text.Append("| ").AppendJoin(" | ", Cells(r)).Append(" |\n");
        return text.ToString();
    }

    private static string F(double? v, int d) => v is { } x ? x.ToString("F" + d, CultureInfo.InvariantCulture) : "–";
}

/// <summary>
/// Site calibration measured honestly on a labelled external set: each study is predicted by the profile fitted on
/// the other studies of its site (leave-one-patient-out, k = the site's other cases), so no study is calibrated on
/// itself; a site with fewer than <see cref="SiteCalibrator.MinimumCases"/> other cases stays global and says so.
/// With <c>localCases</c> = k, each study's profile is fitted on k of those other studies instead (whole patients drawn
/// at random, seeded): what a site with k local QCT cases gets, measured on every study of the site.
/// </summary>
public static class LeaveOneOutCalibration
{
    public static IReadOnlyList<StudyResult> Apply(IReadOnlyList<(StudyRow Study, StudyResult Result, IReadOnlyList<double>? Tissues)> studies,
        GlobalModelIdentity model, SiteCalibrationOptions? options = null, int? localCases = null, int seed = 1)
    {
        options ??= new SiteCalibrationOptions { BootstrapReplicates = 0 };
        var output = studies.Select(s => s.Result).ToArray();
        var random = new Random(seed);
        foreach (var site in Enumerable.Range(0, studies.Count).Where(i => studies[i].Result.GlobalBmd is not null && studies[i].Study.HasLabels)
                     .GroupBy(i => studies[i].Study.SiteKey))
        {
            foreach (var i in site)
            {
                var candidates = site.Where(j => studies[j].Study.PatientId != studies[i].Study.PatientId).ToList();
                if (localCases is { } k && candidates.Count > k)
                {
                    var patients = candidates.Select(j => studies[j].Study.PatientId).Distinct().Order(StringComparer.Ordinal).ToArray();
                    random.Shuffle(patients);
                    var drawn = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var p in patients)
                    {
                        if (candidates.Count(j => drawn.Contains(studies[j].Study.PatientId)) >= k) break;
                        drawn.Add(p);
                    }
                    candidates = candidates.Where(j => drawn.Contains(studies[j].Study.PatientId)).ToList();
                }
                var others = candidates
                    .Select(j => new CalibrationCase(studies[j].Study.PatientId, studies[j].Result.GlobalBmd!.Value, studies[j].Study.Bmd,
                        studies[j].Tissues is { } t && t.All(double.IsFinite) ? t : null))
                    .ToList();
                if (others.Any(o => o.Tissues is null)) others = others.Select(o => o with { Tissues = null }).ToList();
                if (others.Count < SiteCalibrator.MinimumCases)
                {
                    output[i] = output[i] with { CalibrationNote = $"site has {others.Count} other labelled case(s): global model used" };
                    continue;
                }
                var profile = SiteCalibrator.Calibrate(site.Key, others, model, options, DateTimeOffset.UnixEpoch);
                var applied = profile.Apply(studies[i].Result.GlobalBmd!.Value, others[0].Tissues is null ? null : studies[i].Tissues);
                output[i] = output[i] with
                {
                    Bmd = Math.Round(applied.Bmd, 2),
                    Class = AcrClasses.Names[applied.ClassIndex],
                    Probabilities = applied.Probabilities!.Select(p => Math.Round(p, 5)).ToArray(),
                    CalibrationProfile = applied.Profile + (localCases is null ? " (leave-one-out)" : $" ({others.Count} other local cases)"),
                    CalibrationNote = applied.Note,
                };
            }
        }
        return output;
    }
}
