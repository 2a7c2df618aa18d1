using OsteoML.Pipelines.Fractures;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Truth;
using OsteoML.Validation.Fractures;

namespace OsteoML.Tests.Fractures;

/// <summary>
/// A small synthetic cohort with rendered fractures: the first cases of the <c>paper</c> preset's test and independent
/// splits at ≤ 2 mm slices with a grade ≥ 2 fracture (chosen by their truth alone), measured on their true trabecular
/// masks and scored against the generator's truth — the fracture list and the painted bodies' heights.
/// </summary>
[TestClass]
public sealed class SyntheticFractureTests
{
    private static readonly Lazy<IReadOnlyList<FractureValidationRow>> Rows = new(() =>
    {
        var cohort = SyntheticCohort.Create("paper", 42);
        var indices = cohort.Cases
            .Where(c => c.Split is CohortSplit.Test or CohortSplit.Independent && c.Acquisition.Slice.ThicknessMm <= 2 && c.Pathology.Fractures.Any(f => f.GenantGrade >= 2))
            .Take(4).Select(c => c.Index).ToList();
        Assert.HasCount(4, indices);
        return FractureValidation.Run(cohort, indices,
            c => ReferenceSegmentation.FromLabels(c.Labels, ReferenceSegmentation.SyntheticLevel, c.CaseId, "reference", 2.0), jobs: 2);
    });

    [TestMethod]
    public void Rendered_moderate_and_severe_fractures_are_found_within_one_grade_with_their_shape()
    {
        var fractures = Rows.Value.Where(r => r.TrueGrade >= 2).ToList();
        var graded = fractures.Where(r => r.Graded).ToList();
        Assert.IsTrue(graded.Count >= 3, $"{graded.Count} of {fractures.Count} fractures graded");
        foreach (var r in fractures.Where(r => !r.Graded))
            Assert.AreEqual(FractureRefusal.CutByScanEdge, r.Assessment.Refusal, $"{r.CaseId} {r.Level}: only the scan's edge may hide a fracture at 2 mm");
        foreach (var r in graded)
        {
            var what = $"{r.CaseId} {r.Level}: true grade {r.TrueGrade} {r.TrueShape} ({r.TrueLoss:P0}), assessed {r.Assessment.GenantGrade} {r.Assessment.FractureShape} ({r.Assessment.HeightLoss:P0})";
            Assert.IsTrue(r.Assessment.GenantGrade >= 1, what);
            Assert.IsTrue(Math.Abs(r.Assessment.GenantGrade!.Value - r.TrueGrade) <= 1, what);
            Assert.AreEqual(r.TrueShape.ToString(), r.Assessment.FractureShape.ToString(), what);
        }
    }

    [TestMethod]
    public void Normal_bodies_heights_agree_with_the_painted_bodies_within_one_and_a_half_millimetres()
    {
        var normal = Rows.Value.Where(r => r.Graded && r.TrueGrade == 0).ToList();
        Assert.IsTrue(normal.Count >= 10, $"{normal.Count} normal graded bodies");
        var errors = normal.SelectMany(r => new[]
        {
            r.Assessment.HeightsMm!.Anterior - r.TrueHeights.Anterior,
            r.Assessment.HeightsMm.Middle - r.TrueHeights.Middle,
            r.Assessment.HeightsMm.Posterior - r.TrueHeights.Posterior,
        }).ToList();
        var mae = errors.Average(Math.Abs);
        Assert.IsTrue(mae <= 1.5, $"height MAE {mae:F2} mm over {normal.Count} bodies");
        Assert.IsTrue(normal.Count(r => r.Assessment.GenantGrade >= 2) <= 1, "at most one false moderate fracture among the normal bodies");
    }

    [TestMethod]
    public void The_height_truth_is_the_painted_surface_a_wedge_keeps_its_posterior_wall()
    {
        var cohort = SyntheticCohort.Create("paper", 42);
        var spec = cohort.Cases.First(c => c.Pathology.Fractures.Any(f => f.Shape == FractureShape.Wedge));
        var fracture = spec.Pathology.Fractures.First(f => f.Shape == FractureShape.Wedge);
        var g = spec.Anatomy[fracture.Level];
        var intact = BodyHeightTruth.Heights(g, null);
        var broken = BodyHeightTruth.Heights(g, fracture);
        Assert.AreEqual(intact.Posterior, broken.Posterior, 0.11 * fracture.HeightLoss * intact.Posterior);
        // At the anterior site (a tenth of the depth inside the wall) the loss is nine tenths of the rim's.
        Assert.AreEqual(1 - 0.9 * fracture.HeightLoss, broken.Anterior / intact.Anterior, 0.02);
    }
}
