using System.Globalization;
using OsteoML.Domain;
using OsteoML.Pipelines.Fractures;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Rendering;
using OsteoML.Synthesis.Truth;

namespace OsteoML.Validation.Fractures;

/// <summary>
/// Scores <see cref="VertebralFractures"/> on synthetic cases against the generator's truth: the fracture list of the
/// case's pathology (grade, shape, loss) and the painted bodies' heights (<see cref="BodyHeightTruth"/>), level by
/// level for every vertebra the segmentation named.
/// </summary>
public static class FractureValidation
{
    /// <param name="segment">The segmentation of a rendered case: the network's, or the case's true trabecular labels.</param>
    public static IReadOnlyList<FractureValidationRow> Run(SyntheticCohort cohort, IReadOnlyList<int> indices, Func<SyntheticCase, VertebraSegmentation> segment,
        GenantOptions? options = null, int jobs = 1, Action<string>? progress = null)
    {
        var rows = new List<FractureValidationRow>[indices.Count];
        Parallel.For(0, indices.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs) }, n =>
        {
            var synthetic = cohort.Render(indices[n], RenderOptions.Reduced);
            rows[n] = Score(synthetic, segment(synthetic), options).ToList();
            progress?.Invoke(synthetic.CaseId);
        });
        return rows.SelectMany(r => r).ToList();
    }

    /// <summary>The rows of one case.</summary>
    public static IEnumerable<FractureValidationRow> Score(SyntheticCase synthetic, VertebraSegmentation segmentation, GenantOptions? options = null)
    {
        var spec = synthetic.Spec;
        var assessments = VertebralFractures.Assess(segmentation, synthetic.Hu.Geometry, synthetic.SliceThicknessMm, options);
        foreach (var a in assessments)
        {
            if (!Enum.TryParse<VertebralLevel>(a.Level, out var level)) continue;
            var fracture = spec.Pathology.FractureAt(level);
            var (anterior, middle, posterior) = BodyHeightTruth.Heights(spec.Anatomy[level], fracture);
            var confounders = new List<string>();
            if (spec.Pathology.Sclerosis.Any(f => f.Level == level && f.EndplateBand)) confounders.Add("endplate_sclerosis");
            if (spec.Pathology.Sclerosis.Any(f => f.Level == level && !f.EndplateBand)) confounders.Add("bone_island");
            if (spec.Pathology.SchmorlNodes.Any(n => n.Level == level)) confounders.Add("schmorl_node");
            if (spec.Pathology.Osteophytes.Any(o => o.Level == level)) confounders.Add("osteophyte");
            yield return new FractureValidationRow(spec.CaseId, spec.Split.ToString(), spec.Scanner.Id, synthetic.SliceThicknessMm,
                a.Level, fracture?.GenantGrade ?? 0, fracture?.Shape, fracture?.HeightLoss ?? 0, new BodyHeights(anterior, middle, posterior), confounders, a);
        }
    }

    /// <summary>The rows as CSV (one line per vertebra), for re-analysis.</summary>
    public static void WriteCsv(string path, IEnumerable<FractureValidationRow> rows)
    {
        static string F(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.###", CultureInfo.InvariantCulture) : "";
        using var writer = new StreamWriter(path);
        writer.WriteLine("case,split,site,slice_mm,level,true_grade,true_shape,true_loss,true_anterior,true_middle,true_posterior,anterior,middle,posterior,grade,shape,loss,refusal,confounders");
        foreach (var r in rows)
        {
            var a = r.Assessment;
            writer.WriteLine(string.Join(',', r.CaseId, r.Split, r.Site, F(r.SliceThicknessMm), r.Level, r.TrueGrade, r.TrueShape?.ToString() ?? "", F(r.TrueLoss),
                F(r.TrueHeights.Anterior), F(r.TrueHeights.Middle), F(r.TrueHeights.Posterior),
                F(a.HeightsMm?.Anterior), F(a.HeightsMm?.Middle), F(a.HeightsMm?.Posterior),
                a.GenantGrade?.ToString(CultureInfo.InvariantCulture) ?? "", a.FractureShape?.ToString() ?? "", F(a.HeightLoss), a.Refusal?.ToString() ?? "",
                string.Join(';', r.Confounders)));
        }
    }
}
