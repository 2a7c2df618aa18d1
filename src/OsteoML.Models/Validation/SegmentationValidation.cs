using System.Diagnostics;
using OsteoML.Domain;
using OsteoML.Imaging;
using OsteoML.Models.Data;
using OsteoML.Inference;
using OsteoML.Models.Networks;
using OsteoML.Models.Training;
using OsteoML.Synthesis;
using TorchSharp;
using static TorchSharp.torch;

namespace OsteoML.Models.Validation;

/// <summary>How the exported segmentation model did on one case. <paramref name="DiceL1"/> and <paramref name="DiceL2"/>
/// are scored on the model's grid against the truth brought to it; <paramref name="NativeDiceL1"/> and
/// <paramref name="NativeDiceL2"/> on the CT's own grid, the masks the pipeline measures, against the truth as rendered.</summary>
public sealed record SegmentationCaseResult(string CaseId, string Site, bool TruthCoversL1AndL2, LevelStatus Status, bool LevelCorrect,
    double DiceTrabecular, double DiceOther, double DiceRib, double? DiceL1, double? DiceL2, double? NativeDiceL1, double? NativeDiceL2,
    double Seconds, LevelDiagnosis Diagnosis, LevelStatus StatusOnTruth, bool CorrectOnTruth);

/// <summary>
/// Runs the exported VB-Net-lite (through ONNX Runtime, as the pipeline will) and the level rule on synthetic cases
/// and scores them against the truth, at the model's spacing and at the CT's own. Level identification is correct
/// when the truth covers L1 and L2 and the rule names them with each predicted mask overlapping its true level
/// (Dice &gt; 0.5), or when the truth does not cover both and the rule declines to name them. L1/L2 Dice is over the
/// cases whose truth covers both, a refusal counting as 0. On the CT's grid the masks are made as the pipeline makes
/// them (probabilities interpolated trilinearly, argmax, each trabecular voxel taking the level of its nearest model
/// voxel or, when that has none, of a face neighbour): a 5 mm series' truth exists only on its 5 mm slices, and
/// bringing it to 2 mm by nearest neighbour puts its body ends on the wrong side of half the new slices.
/// </summary>
public static class SegmentationValidation
{
    public static SegmentationCaseResult Assess(SlidingWindowSegmenter segmenter, SyntheticCase c, SegmentationRecipe recipe,
        VertebraLevelOptions? rule = null)
    {
        var clock = Stopwatch.StartNew();
        using var scope = torch.NewDisposeScope();
        var (hu, truth) = SyntheticCases.Canonical(c, recipe.SpacingMm);
        var probabilities = PredictProbabilities(segmenter, hu, recipe);
        var predictedMap = ArgmaxMap(probabilities, recipe);
        var truthMap = new Volume<byte>(predictedMap.Geometry, truth.contiguous().data<byte>().ToArray());
        var (nativeTruth, nativeSpacing) = TruthLevelMap(c);
        var truthLevels = TruthLevels(nativeTruth, nativeSpacing, recipe);
        var levels = VertebraLevels.Identify(VolumeTensors.ToArray(probabilities), (int)probabilities.shape[0], predictedMap.Geometry, rule);
        var seconds = clock.Elapsed.TotalSeconds;

        var (correct, diceL1, diceL2) = Score(levels, c.CoversL1AndL2, truthLevels);
        var (nativeL1, nativeL2) = c.CoversL1AndL2 ? NativeLevelDice(probabilities, levels, nativeTruth) : (null, null);
        var onTruth = VertebraLevels.Identify(truthMap, rule);
        var inScan = Enum.GetValues<VertebralLevel>().Select(l => c.Spec.Coverage.Covers(l)).ToList();
        var diagnosis = LevelDiagnostics.Diagnose(levels, truthLevels, LevelNames, inScan, c.CoversL1AndL2, correct, diceL1, diceL2);
        return new SegmentationCaseResult(c.CaseId, SyntheticCases.Site(c.Spec), c.CoversL1AndL2, levels.Status, correct,
            Metrics.Dice(predictedMap.Voxels, truthMap.Voxels, SegmentationClasses.Trabecular),
            Metrics.Dice(predictedMap.Voxels, truthMap.Voxels, SegmentationClasses.OtherVertebralBone),
            Metrics.Dice(predictedMap.Voxels, truthMap.Voxels, SegmentationClasses.Rib),
            diceL1, diceL2, nativeL1, nativeL2, seconds, diagnosis, onTruth.Status, Score(onTruth, c.CoversL1AndL2, truthLevels).Correct);
    }

    /// <summary>Class probabilities (C, D, H, W) of HU (D, H, W) at the recipe's spacing, through the ONNX model.</summary>
    private static Tensor PredictProbabilities(SlidingWindowSegmenter segmenter, Tensor hu, SegmentationRecipe recipe)
    {
        var size = hu.shape.Select(d => (int)d).ToArray();
        var input = VolumeTensors.ToArray(recipe.Normalization.Apply(hu));
        var probabilities = segmenter.Predict(input, size, out var classes);
        return torch.tensor(probabilities, [classes, size[0], size[1], size[2]]);
    }

    /// <summary>The argmax class map of probabilities (C, D, H, W), in the canonical frame at the recipe's spacing.</summary>
    private static Volume<byte> ArgmaxMap(Tensor probabilities, SegmentationRecipe recipe)
    {
        using var predicted = probabilities.argmax(0).to(ScalarType.Byte);
        return new Volume<byte>(ModelGeometry(probabilities, recipe), predicted.contiguous().data<byte>().ToArray());
    }

    private static VolumeGeometry ModelGeometry(Tensor probabilities, SegmentationRecipe recipe)
    {
        var size = probabilities.shape.Skip(1).Select(d => (int)d).ToArray();
        return VolumeGeometry.Axial(new Size3(size[2], size[1], size[0]), new Vec3(recipe.SpacingMm, recipe.SpacingMm, recipe.SpacingMm));
    }

    /// <summary>L1 and L2 Dice on the CT's own grid (canonical orientation, native spacing), the masks made as the
    /// pipeline makes them; 0 for a level the rule did not name.</summary>
    private static (double? L1, double? L2) NativeLevelDice(Tensor probabilities, VertebraLevelResult levels, Tensor nativeTruth)
    {
        using var scope = torch.NewDisposeScope();
        var size = nativeTruth.shape;
        var modelSize = probabilities.shape.Skip(1).ToArray();
        var trabecular = nn.functional.interpolate(probabilities.unsqueeze(0), size, mode: InterpolationMode.Trilinear, align_corners: false)
            .squeeze(0).argmax(0) == SegmentationClasses.Trabecular;
        var components = torch.tensor(levels.Components.Voxels, modelSize);
        var ownHasBody = VolumeTensors.Resize((components > 0).to(ScalarType.Float32), size, labels: true) > 0.5;
        double Level(string name, int code)
        {
            if (levels.Body(name) is not { } body || levels.Status != LevelStatus.Identified)
                return 0;
            var model = (components == body.Component).to(ScalarType.Float32);
            var own = VolumeTensors.Resize(model, size, labels: true) > 0.5;
            var neighbour = VolumeTensors.Resize(FaceDilate(model), size, labels: true) > 0.5;
            var predicted = trabecular & (own | (~ownHasBody & neighbour));
            var truth = nativeTruth == code;
            var overlap = (predicted & truth).sum().item<long>();
            var total = predicted.sum().item<long>() + truth.sum().item<long>();
            return total == 0 ? 0 : 2.0 * overlap / total;
        }
        return (Level("L1", 1 + (int)VertebralLevel.L1), Level("L2", 1 + (int)VertebralLevel.L2));
    }

    /// <summary>A (D, H, W) 0/1 mask grown by its six face neighbours.</summary>
    private static Tensor FaceDilate(Tensor mask)
    {
        var padded = nn.functional.pad(mask, [1, 1, 1, 1, 1, 1]);
        long d = mask.shape[0], h = mask.shape[1], w = mask.shape[2];
        Tensor Shift(long a, long b, long c) => padded[TensorIndex.Slice(1 + a, 1 + a + d), TensorIndex.Slice(1 + b, 1 + b + h), TensorIndex.Slice(1 + c, 1 + c + w)];
        return torch.stack([Shift(0, 0, 0), Shift(-1, 0, 0), Shift(1, 0, 0), Shift(0, -1, 0), Shift(0, 1, 0), Shift(0, 0, -1), Shift(0, 0, 1)]).amax(0);
    }

    /// <summary>The level rule on the model's class map of HU (D, H, W): what the pipeline gets.</summary>
    public static VertebraLevelResult Levels(SlidingWindowSegmenter segmenter, Tensor hu, SegmentationRecipe recipe, VertebraLevelOptions? rule = null) =>
        Identify(segmenter, hu, recipe, rule);

    private static VertebraLevelResult Identify(SlidingWindowSegmenter segmenter, Tensor hu, SegmentationRecipe recipe, VertebraLevelOptions? rule)
    {
        using var probabilities = PredictProbabilities(segmenter, hu, recipe);
        return VertebraLevels.Identify(VolumeTensors.ToArray(probabilities), (int)probabilities.shape[0], ModelGeometry(probabilities, recipe), rule);
    }

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
                summary["nativeDiceL1" + suffix] = covered.Average(x => x.NativeDiceL1!.Value);
                summary["nativeDiceL2" + suffix] = covered.Average(x => x.NativeDiceL2!.Value);
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
        {
            summary["worstSiteDiceL1L2"] = sites.Min(s => Math.Min(s.Average(x => x.DiceL1!.Value), s.Average(x => x.DiceL2!.Value)));
            summary["worstSiteNativeDiceL1L2"] = sites.Min(s => Math.Min(s.Average(x => x.NativeDiceL1!.Value), s.Average(x => x.NativeDiceL2!.Value)));
        }
        return summary;
    }

    /// <summary>The true trabecular body of each level on the CT's grid in canonical orientation: 1 + (int)level inside,
    /// 0 elsewhere (float, D, H, W), and its spacing.</summary>
    private static (Tensor Map, double[] Spacing) TruthLevelMap(SyntheticCase c)
    {
        var first = SyntheticLabels.Trabecular(VertebralLevel.T10);
        var last = SyntheticLabels.Trabecular(VertebralLevel.L5);
        return VolumeTensors.Canonical(c.Labels.Map(v => v >= first && v <= last ? (byte)(v - first + 1) : (byte)0));
    }

    /// <summary>The true level map at the model's spacing, flattened.</summary>
    private static byte[] TruthLevels(Tensor map, double[] spacing, SegmentationRecipe recipe)
    {
        double[] target = [recipe.SpacingMm, recipe.SpacingMm, recipe.SpacingMm];
        if (spacing.Zip(target).Any(p => Math.Abs(p.First - p.Second) > 1e-6))
            map = VolumeTensors.Resample(map, spacing, target, labels: true);
        return map.to(ScalarType.Byte).contiguous().data<byte>().ToArray();
    }

    private static double LevelDice(VertebraLevelResult levels, string level, byte[] truthLevels, int code) =>
        levels.Mask(level) is { } mask ? Metrics.Dice(mask.Voxels, truthLevels.Select(v => v == code ? (byte)1 : (byte)0).ToArray(), 1) : 0;

    public const string CsvHeader = "split,case_id,site,covers_l1_l2,status,level_correct,outcome,dice_l1,dice_l2,native_dice_l1,native_dice_l2,dice_trabecular,dice_other,dice_rib,"
        + "merged_bodies,split_levels,spurious_bodies,missed_levels,anchor_truth_level,true_t12_rib_mm3,true_l1_rib_mm3,status_on_truth,correct_on_truth,seconds";

    public static string CsvRow(CohortSplit split, SegmentationCaseResult r)
    {
        var d = r.Diagnosis;
        return string.Join(',', split.Name(), r.CaseId, r.Site, r.TruthCoversL1AndL2, r.Status, r.LevelCorrect, d.Outcome,
            F(r.DiceL1), F(r.DiceL2), F(r.NativeDiceL1), F(r.NativeDiceL2), F(r.DiceTrabecular), F(r.DiceOther), F(r.DiceRib), d.MergedBodies, d.SplitLevels, d.SpuriousBodies,
            d.MissedLevels, d.AnchorTruthLevel ?? "", F(d.TrueT12RibMm3), F(d.TrueL1RibMm3), r.StatusOnTruth, r.CorrectOnTruth, F(r.Seconds));
        static string F(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : "";
    }
}
