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
    double DiceTrabecular, double DiceOther, double DiceRib, double? DiceL1, double? DiceL2, double Seconds,
    LevelDiagnosis Diagnosis, LevelStatus StatusOnTruth, bool CorrectOnTruth);

/// <summary>
/// Runs the exported VB-Net-lite (through ONNX Runtime, as the pipeline will) and the level rule on synthetic cases
/// and scores them against the truth, at the model's spacing. Level identification is correct when the truth covers
/// L1 and L2 and the rule names them with each predicted mask overlapping its true level (Dice &gt; 0.5), or when
/// the truth does not cover both and the rule declines to name them. L1/L2 Dice is over the cases whose truth covers
/// both, a refusal counting as 0.
/// </summary>
public static class SegmentationValidation
{
    public static SegmentationCaseResult Assess(SlidingWindowSegmenter segmenter, SyntheticCase c, SegmentationRecipe recipe,
        VertebraLevelOptions? rule = null)
    {
        var clock = Stopwatch.StartNew();
        using var scope = torch.NewDisposeScope();
        var (hu, truth) = SyntheticCases.Canonical(c, recipe.SpacingMm);
        var predictedMap = PredictClasses(segmenter, hu, recipe);
        var truthMap = new Volume<byte>(predictedMap.Geometry, truth.contiguous().data<byte>().ToArray());
        var truthLevels = TruthLevels(c, recipe);
        var levels = VertebraLevels.Identify(predictedMap, rule);
        var seconds = clock.Elapsed.TotalSeconds;

        var (correct, diceL1, diceL2) = Score(levels, c.CoversL1AndL2, truthLevels);
        var onTruth = VertebraLevels.Identify(truthMap, rule);
        var inScan = Enum.GetValues<VertebralLevel>().Select(l => c.Spec.Coverage.Covers(l)).ToList();
        var diagnosis = LevelDiagnostics.Diagnose(levels, truthLevels, LevelNames, inScan, c.CoversL1AndL2, correct, diceL1, diceL2);
        return new SegmentationCaseResult(c.CaseId, SyntheticCases.Site(c.Spec), c.CoversL1AndL2, levels.Status, correct,
            Metrics.Dice(predictedMap.Voxels, truthMap.Voxels, SegmentationClasses.Trabecular),
            Metrics.Dice(predictedMap.Voxels, truthMap.Voxels, SegmentationClasses.OtherVertebralBone),
            Metrics.Dice(predictedMap.Voxels, truthMap.Voxels, SegmentationClasses.Rib),
            diceL1, diceL2, seconds, diagnosis, onTruth.Status, Score(onTruth, c.CoversL1AndL2, truthLevels).Correct);
    }

    /// <summary>The argmax class map of HU (D, H, W) at the recipe's spacing, in the canonical frame, through the ONNX model.</summary>
    public static Volume<byte> PredictClasses(SlidingWindowSegmenter segmenter, Tensor hu, SegmentationRecipe recipe)
    {
        var size = hu.shape.Select(d => (int)d).ToArray();
        var input = VolumeTensors.ToArray(recipe.Normalization.Apply(hu));
        var probabilities = segmenter.Predict(input, size, out var classes);
        using var predicted = torch.tensor(probabilities, [classes, size[0], size[1], size[2]]).argmax(0).to(ScalarType.Byte);
        var geometry = VolumeGeometry.Axial(new Size3(size[2], size[1], size[0]), new Vec3(recipe.SpacingMm, recipe.SpacingMm, recipe.SpacingMm));
        return new Volume<byte>(geometry, predicted.contiguous().data<byte>().ToArray());
    }

    /// <summary>The level rule on the model's class map of HU (D, H, W): what the pipeline gets.</summary>
    public static VertebraLevelResult Levels(SlidingWindowSegmenter segmenter, Tensor hu, SegmentationRecipe recipe, VertebraLevelOptions? rule = null) =>
        VertebraLevels.Identify(PredictClasses(segmenter, hu, recipe), rule);

    /// <summary>The synthesis' levels T10 … L5, head to feet; the true level map holds 1 + their index.</summary>
    public static readonly IReadOnlyList<string> LevelNames = Enum.GetNames<VertebralLevel>();

    /// <summary>
    /// Correct: the truth covers L1 and L2 and the rule names both with each predicted mask overlapping its true body
    /// (Dice &gt; 0.5), or the truth does not cover both and the rule names neither. Dice of a refusal is 0.
    /// </summary>
    private static (bool Correct, double? DiceL1, double? DiceL2) Score(VertebraLevelResult levels, bool coversL1AndL2, byte[] truthLevels)
    {
        if (!coversL1AndL2)
            return (levels.Status != LevelStatus.Identified, null, null);
        var diceL1 = LevelDice(levels, "L1", truthLevels, 1 + (int)VertebralLevel.L1);
        var diceL2 = LevelDice(levels, "L2", truthLevels, 1 + (int)VertebralLevel.L2);
        return (levels.Status == LevelStatus.Identified && diceL1 > 0.5 && diceL2 > 0.5, diceL1, diceL2);
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
            summary["refusedShare" + suffix] = r.Average(x => x.Status == LevelStatus.Identified ? 0.0 : 1.0);
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
        summary["ruleOnTruthLevelAccuracy"] = results.Average(x => x.CorrectOnTruth ? 1.0 : 0.0);
        foreach (var outcome in results.GroupBy(x => x.Diagnosis.Outcome))
            summary["outcome" + outcome.Key] = outcome.Count();
        foreach (var site in results.GroupBy(x => x.Site))
            Add("@" + site.Key, site.ToList());
        var sites = results.Where(x => x.TruthCoversL1AndL2).GroupBy(x => x.Site).ToList();
        if (sites.Count > 0)
            summary["worstSiteDiceL1L2"] = sites.Min(s => Math.Min(s.Average(x => x.DiceL1!.Value), s.Average(x => x.DiceL2!.Value)));
        return summary;
    }

    /// <summary>The true trabecular body of each level at the model's spacing: 1 + (int)level inside, 0 elsewhere.</summary>
    private static byte[] TruthLevels(SyntheticCase c, SegmentationRecipe recipe)
    {
        var first = SyntheticLabels.Trabecular(VertebralLevel.T10);
        var last = SyntheticLabels.Trabecular(VertebralLevel.L5);
        var (map, spacing) = VolumeTensors.Canonical(c.Labels.Map(v => v >= first && v <= last ? (byte)(v - first + 1) : (byte)0));
        double[] target = [recipe.SpacingMm, recipe.SpacingMm, recipe.SpacingMm];
        if (spacing.Zip(target).Any(p => Math.Abs(p.First - p.Second) > 1e-6))
            map = VolumeTensors.Resample(map, spacing, target, labels: true);
        return map.to(ScalarType.Byte).contiguous().data<byte>().ToArray();
    }

    private static double LevelDice(VertebraLevelResult levels, string level, byte[] truthLevels, int code) =>
        levels.Mask(level) is { } mask ? Metrics.Dice(mask.Voxels, truthLevels.Select(v => v == code ? (byte)1 : (byte)0).ToArray(), 1) : 0;

    public const string CsvHeader = "split,case_id,site,covers_l1_l2,status,level_correct,outcome,dice_l1,dice_l2,dice_trabecular,dice_other,dice_rib,"
        + "merged_bodies,split_levels,spurious_bodies,missed_levels,anchor_truth_level,true_t12_rib_mm3,true_l1_rib_mm3,status_on_truth,correct_on_truth,seconds";

    public static string CsvRow(CohortSplit split, SegmentationCaseResult r)
    {
        var d = r.Diagnosis;
        return string.Join(',', split.Name(), r.CaseId, r.Site, r.TruthCoversL1AndL2, r.Status, r.LevelCorrect, d.Outcome,
            F(r.DiceL1), F(r.DiceL2), F(r.DiceTrabecular), F(r.DiceOther), F(r.DiceRib), d.MergedBodies, d.SplitLevels, d.SpuriousBodies,
            d.MissedLevels, d.AnchorTruthLevel ?? "", F(d.TrueT12RibMm3), F(d.TrueL1RibMm3), r.StatusOnTruth, r.CorrectOnTruth, F(r.Seconds));
        static string F(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : "";
    }
}
