using OsteoML.Domain;
using OsteoML.Inference;
using OsteoML.Imaging;
using OsteoML.Models.Networks;
using OsteoML.Models.Training;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Cohort;
using TorchSharp;
using static TorchSharp.torch;

namespace OsteoML.Models.Data;

/// <summary>
/// Synthetic cases (HU volume + label map + truth, in memory) as the networks' training and validation data: the
/// synthesis legend mapped onto <see cref="SegmentationClasses"/>, volumes in the models' canonical frame and spacing.
/// </summary>
public static class SyntheticCases
{
    private static readonly byte[] ClassTable = BuildClassTable();

    /// <summary>The site key of a case: hospital and scanner, the unit a calibration profile is fitted for.</summary>
    public static string Site(CaseSpec spec) => $"{spec.Hospital.Id}/{spec.Scanner.Id}";

    /// <summary>Synthesis label → model class: every level's trabecular core → trabecular; cortical shell, posterior
    /// elements, sacrum, osteophytes and sclerotic foci → other vertebral bone; T10–T12 ribs → rib; the rest → background.</summary>
    public static byte ClassOf(byte syntheticLabel) => ClassTable[syntheticLabel];

    public static Volume<byte> Classes(Volume<byte> labels) => labels.Map(ClassOf);

    private static byte[] BuildClassTable()
    {
        var table = new byte[256];
        foreach (var (value, name) in SyntheticLabels.Legend)
        {
            table[value] = name switch
            {
                _ when name.EndsWith("_trabecular", StringComparison.Ordinal) => SegmentationClasses.Trabecular,
                _ when name.EndsWith("_rib", StringComparison.Ordinal) => SegmentationClasses.Rib,
                _ when name.EndsWith("_cortical", StringComparison.Ordinal) || name.EndsWith("_posterior_elements", StringComparison.Ordinal)
                       || name is "sacrum" or "osteophyte" or "sclerosis" => SegmentationClasses.OtherVertebralBone,
                _ => SegmentationClasses.Background,
            };
        }
        return table;
    }

    /// <summary>HU and classes of a case in the canonical frame at <paramref name="spacingMm"/> (trilinear / nearest).</summary>
    public static (Tensor Hu, Tensor Classes) Canonical(SyntheticCase c, double spacingMm)
    {
        var (hu, spacing) = VolumeTensors.Canonical(c.Hu);
        var (classes, _) = VolumeTensors.Canonical(Classes(c.Labels));
        double[] target = [spacingMm, spacingMm, spacingMm];
        if (spacing.Zip(target).Any(p => Math.Abs(p.First - p.Second) > 1e-6))
        {
            hu = VolumeTensors.Resample(hu, spacing, target);
            classes = VolumeTensors.Resample(classes, spacing, target, labels: true);
        }
        return (hu, classes.to(ScalarType.Byte));
    }

    /// <summary>
    /// A segmentation training example: the case at the model's spacing, cut to the spine's in-plane bounding box
    /// widened by <paramref name="marginMm"/> (rib heads and the surrounding organs stay in; far lateral rib shafts
    /// and most air do not), all slices kept. HU stored as int16 (the series' values are integers) to halve memory.
    /// </summary>
    public static SegmentationExample SegmentationExample(SyntheticCase c, SegmentationRecipe recipe, double marginMm = 70)
    {
        using var scope = torch.NewDisposeScope();
        var (hu, classes) = Canonical(c, recipe.SpacingMm);
        var spine = (classes == SegmentationClasses.Trabecular) | (classes == SegmentationClasses.OtherVertebralBone);
        var margin = (long)Math.Round(marginMm / recipe.SpacingMm);
        var (h0, h1) = Extent(spine.any(0).any(1), margin, hu.shape[1]);
        var (w0, w1) = Extent(spine.any(0).any(0), margin, hu.shape[2]);
        var rows = TensorIndex.Slice(h0, h1);
        var columns = TensorIndex.Slice(w0, w1);
        var example = new SegmentationExample(c.CaseId,
            hu[TensorIndex.Colon, rows, columns].round().clamp(-32768, 32767).to(ScalarType.Int16).contiguous().MoveToOuterDisposeScope(),
            classes[TensorIndex.Colon, rows, columns].contiguous().MoveToOuterDisposeScope());
        return example;
    }

    /// <summary>
    /// A DenseNet example: HU and the L1 ∪ L2 trabecular mask (from the truth labels) cut around the point midway
    /// between the L1 and L2 centroids, with the recipe's jitter margin; null when the series does not cover both.
    /// The target is the reference QCT BMD (L1–L2 mean, with its measurement error), as a hospital's labels would be.
    /// </summary>
    public static DenseNetExample? DenseNetExample(SyntheticCase c, DenseNetRecipe recipe)
    {
        if (!c.CoversL1AndL2)
            return null;
        var crop = DenseNetCrop(c, recipe.SpacingMm, recipe.CropSize.Select(s => s + 2 * recipe.Margin).ToArray());
        return crop is null ? null : new DenseNetExample(c.CaseId, crop, c.QctBmd);
    }

    /// <summary>(2, D, H, W): HU and the L1 ∪ L2 trabecular truth mask around the L1–L2 midpoint; null if a level is absent.</summary>
    public static Tensor? DenseNetCrop(SyntheticCase c, double spacingMm, int[] size)
    {
        using var scope = torch.NewDisposeScope();
        var l1 = SyntheticLabels.Trabecular(VertebralLevel.L1);
        var l2 = SyntheticLabels.Trabecular(VertebralLevel.L2);
        var levels = c.Labels.Map(v => v == l1 ? (byte)1 : v == l2 ? (byte)2 : (byte)0);
        var (hu, spacing) = VolumeTensors.Canonical(c.Hu);
        var (mask, _) = VolumeTensors.Canonical(levels);
        double[] target = [spacingMm, spacingMm, spacingMm];
        hu = VolumeTensors.Resample(hu, spacing, target);
        mask = VolumeTensors.Resample(mask, spacing, target, labels: true);
        var crop = CropAroundL1L2(hu, mask, size);
        return crop?.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The crop the DenseNet sees, given HU (D, H, W) and a level map (1 = L1 trabecular, 2 = L2 trabecular) at the
    /// model's spacing: centred midway between the two centroids; HU −1000 and mask 0 outside the volume.
    /// </summary>
    public static Tensor? CropAroundL1L2(Tensor hu, Tensor levels, int[] size)
    {
        var c1 = Centroid(levels == 1);
        var c2 = Centroid(levels == 2);
        if (c1 is null || c2 is null)
            return null;
        var centre = Enumerable.Range(0, 3).Select(a => (long)Math.Round((c1[a] + c2[a]) / 2)).ToArray();
        var extent = size.Select(s => (long)s).ToArray();
        var huCrop = PatchSampler.Cut(hu, centre, extent, -1000f);
        var maskCrop = PatchSampler.Cut((levels > 0).to(ScalarType.Float32), centre, extent, 0f);
        return torch.stack([huCrop, maskCrop]);
    }

    private static double[]? Centroid(Tensor mask)
    {
        var indices = mask.nonzero();
        if (indices.shape[0] == 0)
            return null;
        var mean = indices.to(ScalarType.Float64).mean([0]);
        return mean.data<double>().ToArray();
    }

    private static (long From, long To) Extent(Tensor any, long margin, long length)
    {
        var present = any.nonzero().flatten();
        if (present.shape[0] == 0)
            return (0, length);
        var first = present[0].item<long>();
        var last = present[-1].item<long>();
        return (Math.Max(0, first - margin), Math.Min(length, last + 1 + margin));
    }
}
