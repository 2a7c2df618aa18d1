using Microsoft.ML.OnnxRuntime;
using OsteoML.Inference;
using OsteoML.Models.Cards;
using OsteoML.Models.Data;
using OsteoML.Models.Training;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Rendering;
using TorchSharp;

namespace OsteoML.Bench.Models;

/// <summary>
/// Whatever VB-Net is in models/ on one <c>full</c> synthetic case (the scanner's 512×512 grid) through ONNX Runtime:
/// the first test case of <c>paper</c> seed 42 that covers L1 and L2, its preprocessing (canonical frame, resampling to
/// the card's spacing, HU normalisation) and the sliding window; the window count and the card's FLOPs per window
/// give the case's FLOPs (windows over the body's box, as the product runs them).
/// </summary>
internal sealed class SegmentationCase : IDisposable
{
    private readonly InferenceSession session;
    private readonly SlidingWindowSegmenter segmenter;
    private readonly SyntheticCase fullCase;
    private readonly SegmentationRecipe recipe;
    private float[] input = [];
    private int[] size = [];

    public SegmentationCase(int threads)
    {
        torch.set_num_threads(threads);
        var directory = Path.Combine(BenchRun.RepositoryRoot(), "models", ModelPackage.VBNetName);
        var card = ModelCard.ReadFolder(directory);
        recipe = SegmentationRecipe.Paper with { SpacingMm = card.Preprocessing.SpacingMm[0], InferencePatchSize = card.Preprocessing.PatchSize };
        session = OnnxRuntimeSessions.Open(Path.Combine(directory, card.File), threads);
        var body = recipe.Normalization.Apply(SlidingWindowSegmenter.BodyThresholdHu);
        segmenter = new SlidingWindowSegmenter(session, recipe.InferencePatchSize, recipe.InferenceOverlap, padValue: recipe.Normalization.Apply(-1000f),
            foregroundAbove: body);
        var cohort = SyntheticCohort.Create("paper", 42);
        var index = cohort.CasesIn(CohortSplit.Test).First(c => c.Coverage.CoversL1AndL2).Index;
        fullCase = cohort.Render(index, RenderOptions.Full);
        Preprocess();
        var box = SlidingWindowSegmenter.ForegroundBox(input, size, body, SlidingWindowSegmenter.ForegroundMargin).Size;
        Windows = WindowCount(box);
        WholeVolumeWindows = WindowCount(size);
        GigaFlopsPerWindow = card.Architecture.GigaFlopsPerInput;
        Description = $"full case {fullCase.CaseId}: {fullCase.Hu.Size} voxels at {fullCase.Hu.Geometry.Spacing} mm → {string.Join("×", size)} at {recipe.SpacingMm} mm; "
                      + $"body box {string.Join("×", box)}: {Windows} windows (the whole volume would take {WholeVolumeWindows}) of {string.Join("×", recipe.InferencePatchSize)} × {GigaFlopsPerWindow:F2} GFLOP = {GigaFlops:F1} GFLOP";
    }

    private int WindowCount(int[] extent) =>
        Enumerable.Range(0, 3).Select(a => SlidingWindowSegmenter.Starts(Math.Max(extent[a], recipe.InferencePatchSize[a]), recipe.InferencePatchSize[a], recipe.InferenceOverlap).Length)
            .Aggregate(1, (a, b) => a * b);

    /// <summary>Windows over the body's box, what the segmenter runs.</summary>
    public int Windows { get; }
    public int WholeVolumeWindows { get; }
    public double GigaFlopsPerWindow { get; }
    public double GigaFlops => Windows * GigaFlopsPerWindow;
    public string Description { get; }

    public int Preprocess()
    {
        using var scope = torch.NewDisposeScope();
        var (hu, _) = SyntheticCases.Canonical(fullCase, recipe.SpacingMm);
        size = hu.shape.Select(d => (int)d).ToArray();
        input = VolumeTensors.ToArray(recipe.Normalization.Apply(hu));
        return input.Length;
    }

    public int SlidingWindow() => segmenter.Predict(input, size, out _).Length;

    public void Dispose() => session.Dispose();
}
