using System.Diagnostics;
using OsteoML.Imaging;
using OsteoML.Models.Data;
using OsteoML.Inference;
using OsteoML.Models.Networks;
using OsteoML.Models.Training;
using OsteoML.Synthesis;
using TorchSharp;
using static TorchSharp.torch;

namespace OsteoML.Models.Validation;

/// <summary>How the exported segmentation model did on one case.</summary>
public sealed record SegmentationCaseResult(string CaseId, string Site, bool TruthCoversL1AndL2, LevelStatus Status, bool LevelCorrect,
    double DiceTrabecular, double DiceOther, double DiceRib, double? DiceL1, double? DiceL2, double Seconds);

/// <summary>
/// Runs the exported VB-Net-lite (through ONNX Runtime, as the pipeline will) and the level rule on synthetic cases
/// and scores them against the truth, at the model's spacing. Level identification is correct when the truth covers
/// L1 and L2 and the rule names them with each predicted mask overlapping its true level (Dice &gt; 0.5), or when
/// the truth does not cover both and the rule declines to name them. L1/L2 Dice is over the cases whose truth covers
/// both, a refusal counting as 0.
/// </summary>
public static class SegmentationValidation
{
    public static SegmentationCaseResult Assess(SlidingWindowSegmenter segmenter, SyntheticCase c, SegmentationRecipe recipe)
    {
        var clock = Stopwatch.StartNew();
        using var scope = torch.NewDisposeScope();
        var (hu, truth) = SyntheticCases.Canonical(c, recipe.SpacingMm);
        var size = hu.shape.Select(d => (int)d).ToArray();
        var input = VolumeTensors.ToArray(recipe.Normalization.Apply(hu));
        var probabilities = segmenter.Predict(input, size, out var classes);
        var predicted = torch.tensor(probabilities, [classes, size[0], size[1], size[2]]).argmax(0).to(ScalarType.Byte);
        var geometry = VolumeGeometry.Axial(new Size3(size[2], size[1], size[0]), new Vec3(recipe.SpacingMm, recipe.SpacingMm, recipe.SpacingMm));
        var predictedMap = new Volume<byte>(geometry, predicted.contiguous().data<byte>().ToArray());
        var truthMap = truth.contiguous().data<byte>().ToArray();
        var levels = VertebraLevels.Identify(predictedMap);

        double? diceL1 = null, diceL2 = null;
        var correct = levels.Status != LevelStatus.Identified;
        if (c.CoversL1AndL2)
        {
            diceL1 = LevelDice(levels, "L1", TruthLevel(c, recipe, VertebralLevel.L1));
            diceL2 = LevelDice(levels, "L2", TruthLevel(c, recipe, VertebralLevel.L2));
            correct = levels.Status == LevelStatus.Identified && diceL1 > 0.5 && diceL2 > 0.5;
        }
        return new SegmentationCaseResult(c.CaseId, SyntheticCases.Site(c.Spec), c.CoversL1AndL2, levels.Status, correct,
            Metrics.Dice(predictedMap.Voxels, truthMap, SegmentationClasses.Trabecular),
            Metrics.Dice(predictedMap.Voxels, truthMap, SegmentationClasses.OtherVertebralBone),
            Metrics.Dice(predictedMap.Voxels, truthMap, SegmentationClasses.Rib),
            diceL1, diceL2, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Split-level means and per-site values (named <c>metric@site</c>), plus the worst site's L1/L2 Dice.</summary>
    public static IReadOnlyDictionary<string, double> Summarise(IReadOnlyList<SegmentationCaseResult> results)
    {
        var summary = new SortedDictionary<string, double>(StringComparer.Ordinal);
        void Add(string suffix, IReadOnlyList<SegmentationCaseResult> r)
        {
            var covered = r.Where(x => x.TruthCoversL1AndL2).ToList();
            summary["cases" + suffix] = r.Count;
            summary["levelAccuracy" + suffix] = r.Average(x => x.LevelCorrect ? 1.0 : 0.0);
            if (covered.Count > 0)
            {
                summary["diceL1" + suffix] = covered.Average(x => x.DiceL1!.Value);
                summary["diceL2" + suffix] = covered.Average(x => x.DiceL2!.Value);
            }
        }
        Add("", results);
        summary["diceTrabecular"] = results.Average(x => x.DiceTrabecular);
        summary["diceOtherVertebralBone"] = results.Average(x => x.DiceOther);
        summary["diceRib"] = results.Average(x => x.DiceRib);
        summary["notCoveredCases"] = results.Count(x => !x.TruthCoversL1AndL2);
        summary["secondsPerCase"] = results.Average(x => x.Seconds);
        foreach (var site in results.GroupBy(x => x.Site))
            Add("@" + site.Key, site.ToList());
        var sites = results.Where(x => x.TruthCoversL1AndL2).GroupBy(x => x.Site).ToList();
        if (sites.Count > 0)
            summary["worstSiteDiceL1L2"] = sites.Min(s => Math.Min(s.Average(x => x.DiceL1!.Value), s.Average(x => x.DiceL2!.Value)));
        return summary;
    }

    private static byte[] TruthLevel(SyntheticCase c, SegmentationRecipe recipe, VertebralLevel level)
    {
        var label = SyntheticLabels.Trabecular(level);
        var (mask, spacing) = VolumeTensors.Canonical(c.Labels.Map(v => v == label ? (byte)1 : (byte)0));
        double[] target = [recipe.SpacingMm, recipe.SpacingMm, recipe.SpacingMm];
        if (spacing.Zip(target).Any(p => Math.Abs(p.First - p.Second) > 1e-6))
            mask = VolumeTensors.Resample(mask, spacing, target, labels: true);
        return mask.to(ScalarType.Byte).contiguous().data<byte>().ToArray();
    }

    private static double LevelDice(VertebraLevelResult levels, string level, byte[] truth) =>
        levels.Mask(level) is { } mask ? Metrics.Dice(mask.Voxels, truth, 1) : 0;
}
