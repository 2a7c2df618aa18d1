using System.Globalization;
using System.Text;
using OsteoML.Domain;
using OsteoML.Evaluation;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Validation.Screening;

/// <summary>Results of labelled studies as the evaluation stage's predictions (file and table): id = patient, split, site, scanner.</summary>
public static class PredictionRows
{
    public static IReadOnlyList<string> Header { get; } =
        ["id", "study_uid", "split", "site", "scanner", "bmd_true", "bmd_pred", "class_true", "class_pred", "p_normal", "p_osteopenia", "p_osteoporosis"];

    /// <summary>Rows with a BMD and a known truth; <paramref name="siteOf"/> picks the grouping site (default: the manifest's site).</summary>
    public static PredictionTable Table(IEnumerable<(StudyRow Study, StudyResult Result)> results, string source, Func<StudyRow, string>? siteOf = null)
    {
        siteOf ??= s => s.Site.Length > 0 ? s.Site : s.SiteKey;
        var rows = results.Where(r => r.Result.Bmd is not null && r.Study.HasLabels && r.Study.Class.Length > 0)
            .Select(r => new PredictionRow(r.Study.PatientId, r.Study.Split.Length > 0 ? r.Study.Split : "all", siteOf(r.Study),
                r.Study.Scanner.Length > 0 ? r.Study.Scanner : r.Study.SiteKey, r.Study.Bmd, r.Result.Bmd!.Value,
                AcrClasses.Names.ToList().IndexOf(r.Study.Class), r.Result.Probabilities!, r.Result.ClassIndex!.Value))
            .ToList();
        return new PredictionTable(rows, hasScanner: true, predictedClassGiven: true, source);
    }

    /// <summary>Writes the predictions CSV (the evaluation format plus study_uid), atomically.</summary>
    public static void Write(string path, IEnumerable<(StudyRow Study, StudyResult Result)> results)
    {
        var text = new StringBuilder().AppendJoin(',', Header).Append('\n');
        foreach (var (study, result) in results)
        {
            if (result.Bmd is null || !study.HasLabels || study.Class.Length == 0) continue;
            var p = result.Probabilities!;
            string[] fields =
            [
                study.PatientId, study.StudyInstanceUid, study.Split.Length > 0 ? study.Split : "all", study.Site.Length > 0 ? study.Site : study.SiteKey,
                study.Scanner.Length > 0 ? study.Scanner : study.SiteKey, F(study.Bmd), F(result.Bmd.Value), study.Class, result.Class!, F(p[0]), F(p[1]), F(p[2]),
            ];
            text.AppendJoin(',', fields.Select(CsvFile.Quote)).Append('\n');
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
