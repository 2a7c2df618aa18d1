using System.Globalization;
using System.Text;
using OsteoML.Pipelines.Fractures;

namespace OsteoML.Validation.Fractures;

/// <summary>
/// The validation tables of <see cref="FractureValidation"/> rows as Markdown: what was graded and why not, per-level
/// and per-patient sensitivity and specificity for grade ≥ 1 and ≥ 2, the confusion by grade, and the height errors
/// by slice thickness. Per-patient: a patient is positive when any of its graded vertebrae is; patients with no graded
/// vertebra are left out (their count is given).
/// </summary>
public static class FractureValidationReport
{
    public static string Markdown(IReadOnlyList<FractureValidationRow> rows)
    {
        var s = new StringBuilder();
        var graded = rows.Where(r => r.Graded).ToList();
        var cases = rows.Select(r => r.CaseId).Distinct().Count();
        s.AppendLine(Invariant($"{cases} cases, {rows.Count} named vertebrae, {graded.Count} graded; true fractures: {rows.Count(r => r.TrueGrade > 0)} named, {graded.Count(r => r.TrueGrade > 0)} graded."));
        s.AppendLine();
        s.AppendLine("| not graded because | vertebrae | of which truly fractured |");
        s.AppendLine("|---|---:|---:|");
        foreach (var group in rows.Where(r => !r.Graded).GroupBy(r => r.Assessment.Refusal).OrderBy(g => g.Key))
            s.AppendLine(Invariant($"| {group.Key} | {group.Count()} | {group.Count(r => r.TrueGrade > 0)} |"));
        s.AppendLine();

        s.AppendLine("| unit | threshold | TP | FN | FP | TN | sensitivity | specificity |");
        s.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var k in new[] { 1, 2 })
        {
            Line(s, "vertebra", k, graded.Select(r => (r.TrueGrade >= k, r.Assessment.GenantGrade >= k)));
            var patients = graded.GroupBy(r => r.CaseId).Select(g => (g.Any(r => r.TrueGrade >= k), g.Any(r => r.Assessment.GenantGrade >= k)));
            Line(s, "patient", k, patients);
        }
        s.AppendLine(Invariant($"\nPatients with at least one graded vertebra: {graded.Select(r => r.CaseId).Distinct().Count()} of {cases}."));
        s.AppendLine();

        s.AppendLine("Confusion by grade (rows: truth, columns: assessed), graded vertebrae:\n");
        s.AppendLine("| truth \\ assessed | 0 | 1 | 2 | 3 |");
        s.AppendLine("|---|---:|---:|---:|---:|");
        for (var t = 0; t <= 3; t++)
            s.AppendLine(Invariant($"| {t} | {string.Join(" | ", Enumerable.Range(0, 4).Select(p => graded.Count(r => r.TrueGrade == t && r.Assessment.GenantGrade == p)))} |"));
        var falsePositives = graded.Where(r => r.TrueGrade == 0 && r.Assessment.GenantGrade > 0).ToList();
        if (falsePositives.Count > 0)
        {
            s.AppendLine("\nFalse positives by what else is at that level (a level may have several; rate among graded normal vertebrae with it):\n");
            s.AppendLine("| at the level | false positives | rate |");
            s.AppendLine("|---|---:|---:|");
            var normals = graded.Where(r => r.TrueGrade == 0).ToList();
            foreach (var c in new[] { "endplate_sclerosis", "schmorl_node", "bone_island", "osteophyte", "" })
            {
                bool Has(FractureValidationRow r) => c.Length == 0 ? r.Confounders.Count == 0 : r.Confounders.Contains(c);
                var with = normals.Count(Has);
                s.AppendLine(Invariant($"| {(c.Length == 0 ? "nothing" : c)} | {falsePositives.Count(Has)} | {(with == 0 ? "–" : ((double)falsePositives.Count(Has) / with).ToString("F3", CultureInfo.InvariantCulture))} ({with}) |"));
            }
        }
        var detected = graded.Where(r => r.TrueGrade > 0 && r.Assessment.GenantGrade > 0).ToList();
        if (detected.Count > 0)
            s.AppendLine(Invariant($"\nShape agrees with the truth for {detected.Count(r => r.TrueShape?.ToString() == r.Assessment.FractureShape?.ToString())} of {detected.Count} detected fractures."));
        s.AppendLine();

        s.AppendLine("Height error (measured − true, mm), graded vertebrae:\n");
        s.AppendLine("| slices | vertebrae | MAE anterior | MAE middle | MAE posterior | MAE all | bias all | MAE, fractured only |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, keep) in new (string, Func<FractureValidationRow, bool>)[]
                 {
                     ("≤ 2 mm", r => r.SliceThicknessMm <= 2 + 1e-6),
                     ("2–3 mm", r => r.SliceThicknessMm > 2 + 1e-6),
                     ("all ≤ 3 mm", _ => true),
                 })
        {
            var set = graded.Where(keep).ToList();
            if (set.Count == 0) continue;
            double Mae(IEnumerable<double> e) => e.DefaultIfEmpty(double.NaN).Average(Math.Abs);
            var a = set.Select(r => r.Assessment.HeightsMm!.Anterior - r.TrueHeights.Anterior).ToList();
            var m = set.Select(r => r.Assessment.HeightsMm!.Middle - r.TrueHeights.Middle).ToList();
            var p = set.Select(r => r.Assessment.HeightsMm!.Posterior - r.TrueHeights.Posterior).ToList();
            var all = a.Concat(m).Concat(p).ToList();
            var fractured = set.Where(r => r.TrueGrade > 0).SelectMany(r => new[]
            {
                r.Assessment.HeightsMm!.Anterior - r.TrueHeights.Anterior, r.Assessment.HeightsMm.Middle - r.TrueHeights.Middle,
                r.Assessment.HeightsMm.Posterior - r.TrueHeights.Posterior,
            });
            s.AppendLine(Invariant($"| {name} | {set.Count} | {Mae(a):F2} | {Mae(m):F2} | {Mae(p):F2} | {Mae(all):F2} | {all.Average():+0.00;-0.00} | {Mae(fractured):F2} |"));
        }
        return s.ToString();
    }

    private static void Line(StringBuilder s, string unit, int k, IEnumerable<(bool Truth, bool Assessed)> pairs)
    {
        var list = pairs.ToList();
        int tp = list.Count(p => p.Truth && p.Assessed), fn = list.Count(p => p.Truth && !p.Assessed);
        int fp = list.Count(p => !p.Truth && p.Assessed), tn = list.Count(p => !p.Truth && !p.Assessed);
        static string Ratio(int a, int b) => b == 0 ? "–" : ((double)a / b).ToString("F3", CultureInfo.InvariantCulture);
        s.AppendLine(Invariant($"| {unit} | grade ≥ {k} | {tp} | {fn} | {fp} | {tn} | {Ratio(tp, tp + fn)} | {Ratio(tn, tn + fp)} |"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
