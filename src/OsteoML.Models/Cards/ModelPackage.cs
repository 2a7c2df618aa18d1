using System.Text.Json;
using OsteoML.Inference;
using OsteoML.Models.Networks;
using OsteoML.Models.Onnx;
using OsteoML.Models.Training;

namespace OsteoML.Models.Cards;

/// <summary>Writes a model directory (<c>model.onnx</c> + <c>card.json</c>) and builds the cards of our two networks.</summary>
public static class ModelPackage
{
    public const string VBNetName = "vbnet-lite";
    public const string DenseNetName = "densenet-lite";

    /// <summary>Writes the ONNX bytes and the card with their sha256 and size filled in; returns that card.</summary>
    public static ModelCard Write(string directory, byte[] onnx, ModelCard card)
    {
        Directory.CreateDirectory(directory);
        var complete = card with { Sha256 = ModelVerifier.Sha256(onnx), SizeBytes = onnx.LongLength };
        File.WriteAllBytes(Path.Combine(directory, complete.File), onnx);
        complete.Write(Path.Combine(directory, ModelCard.FileName));
        return complete;
    }

    public static ModelCard VBNetCard(VBNetLite network, SegmentationRecipe recipe, OnnxExport export, TrainingRecord training,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> metrics)
    {
        var o = recipe.Network;
        var patchVoxels = (double)recipe.InferencePatchSize.Aggregate(1L, (a, b) => a * b);
        return new ModelCard
        {
            Name = VBNetName,
            Description = "VB-Net-lite: 3D encoder–decoder with bottleneck residual blocks; segments vertebral-body trabecular bone, the rest of each vertebra, and ribs.",
            Task = "segmentation",
            Sha256 = "",
            Inputs = [new TensorSpec(VBNetLite.InputName, "float32", ["batch", (long)o.InputChannels, "depth", "height", "width"])],
            Outputs = [new TensorSpec(VBNetLite.OutputName, "float32", ["batch", (long)o.Classes, "depth", "height", "width"])],
            Preprocessing = new Preprocessing
            {
                SpacingMm = [recipe.SpacingMm, recipe.SpacingMm, recipe.SpacingMm],
                Hu = Window(recipe.Normalization),
                PatchSize = recipe.InferencePatchSize,
                SizeMultiple = o.SizeMultiple,
                Notes = VBNetNotes(recipe, o.ReceptiveFieldVoxels),
            },
            Classes = SegmentationClasses.Names,
            Postprocessing = VBNetPostprocessing(),
            Architecture = new Architecture("VB-Net (V-Net family)",
                $"widths [{string.Join(", ", o.Widths)}], encoder blocks [{string.Join(", ", o.EncoderBlocks)}], decoder blocks [{string.Join(", ", o.DecoderBlocks)}], head {o.HeadWidth} channels with a {o.HeadKernel}×{o.HeadKernel}×{o.HeadKernel} convolution at full resolution; 2×2×2 stride-2 down, transposed-conv up, skip concatenation, BN folded into convolutions",
                Parameters(network), export.ConvFlopsPerInputVoxel * patchVoxels / 1e9, $"one {string.Join("×", recipe.InferencePatchSize)} window", o.ReceptiveFieldVoxels),
            Training = training,
            Metrics = metrics,
        };
    }

    /// <summary>How the segmenter runs VB-Net-lite, in the card's words (also refreshed by <c>osteoml-train validate --update-card</c>).</summary>
    public static IReadOnlyList<string> VBNetNotes(SegmentationRecipe recipe, int receptiveFieldVoxels) =>
    [
        $"Sliding window over the body's box (voxels above {SlidingWindowSegmenter.BodyThresholdHu} HU, {SlidingWindowSegmenter.ForegroundMargin} voxels of margin; outside it every voxel is background): windows of patchSize, overlap {recipe.InferenceOverlap}, Gaussian weighting (σ = window/8); volumes smaller than a window are padded with the normalised value of −1000 HU. Any window whose sizes are multiples of sizeMultiple works (fully convolutional); it was trained on {string.Join("×", recipe.PatchSize)} patches.",
        "Labels: argmax of the probabilities; resample probabilities (trilinear) back to the CT grid before the argmax for masks at native resolution.",
        $"Receptive field {receptiveFieldVoxels} voxels = {receptiveFieldVoxels * recipe.SpacingMm:F0} mm per axis (theoretical).",
    ];

    /// <summary>The level rule's parameters as the code applies them (<see cref="VertebraLevelOptions"/> defaults).</summary>
    public static Dictionary<string, JsonElement> VBNetPostprocessing()
    {
        var levels = new VertebraLevelOptions();
        return new Dictionary<string, JsonElement>
        {
            ["levelRule"] = JsonSerializer.SerializeToElement(new
            {
                rule = "6-connected components of vertebral_body_trabecular, a component at least splitMinHeightMm tall along the spine cut at a disc plane (a cross-section under splitValleyRatio of the bodies on both sides, parts at least splitMinPartHeightMm), are vertebral bodies, ordered head to feet; the lowest body with rib voxels within its craniocaudal extent and within ribSearchRadiusMm (in-plane) of its centroid is T12; the next two bodies down are L1 and L2.",
                minBodyVolumeMm3 = levels.MinBodyVolumeMm3,
                ribSearchRadiusMm = levels.RibSearchRadiusMm,
                minRibVolumeMm3 = levels.MinRibVolumeMm3,
                maxBodyStepMm = levels.MaxBodyStepMm,
                splitMinHeightMm = levels.SplitMinHeightMm,
                splitValleyRatio = levels.SplitValleyRatio,
                splitMinPartHeightMm = levels.SplitMinPartHeightMm,
                maxBodyHeightRatio = levels.MaxBodyHeightRatio,
                fusedRetry = "when T12, L1 or L2 is taller than maxBodyHeightRatio times the median body on the argmax map, the rule runs again with vertebral_body_trabecular kept only where its probability reaches each of fusedRetryProbabilities in turn (other voxels of the class become vertebra_other); the first that names L1 and L2 is taken",
                fusedRetryProbabilities = levels.FusedRetryProbabilities,
                refuse = "no rib-bearing body (NoRibAnchor); L1 or L2 absent or touching the scan's craniocaudal edge (NotCovered); a centroid step above maxBodyStepMm between T12, L1 and L2, or T12, L1 or L2 taller than maxBodyHeightRatio times the scan's median body (Uncertain)",
                implementation = "OsteoML.Inference.VertebraLevels",
            }, ModelCard.Json),
        };
    }

    public static ModelCard DenseNetCard(DenseNetLite network, DenseNetRecipe recipe, OnnxExport export, TrainingRecord training,
        BmdScale scale, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> metrics)
    {
        var o = recipe.Network;
        var c = recipe.CropSize;
        return new ModelCard
        {
            Name = DenseNetName,
            Description = $"DenseNet-lite: 3D DenseNet-BC feature extractor over a fixed crop around L1–L2; {o.FeatureCount} global-pooled features, shaped in training by BMD regression and ACR-class heads (not exported).",
            Task = "feature-extraction",
            Sha256 = "",
            Inputs = [new TensorSpec(DenseNetLite.InputName, "float32", [1L, (long)o.InputChannels, (long)c[0], (long)c[1], (long)c[2]])],
            Outputs = [new TensorSpec(DenseNetLite.OutputName, "float32", [1L, (long)o.FeatureCount])],
            Preprocessing = new Preprocessing
            {
                SpacingMm = [recipe.SpacingMm, recipe.SpacingMm, recipe.SpacingMm],
                Hu = Window(recipe.Normalization),
                PatchSize = c,
                Notes =
                [
                    "Channel 0: normalised HU; channel 1: the union of the L1 and L2 trabecular masks (1 inside, 0 outside), nearest-neighbour resampled.",
                    "Crop centre: midway between the L1 and L2 trabecular centroids; outside the scan, HU −1000 and mask 0.",
                    $"Training BMD standardisation (for reference): mean {scale.Mean:F1}, sd {scale.StandardDeviation:F1} mg/cm³.",
                ],
            },
            Classes = [.. Enumerable.Range(0, o.FeatureCount).Select(i => $"feature{i}")],
            Architecture = new Architecture("DenseNet-BC (3D)",
                $"stride-2 stem {o.InitialFeatures} channels; dense blocks [{string.Join(", ", o.BlockLayers)}] layers, growth {o.GrowthRate}, bottleneck {o.BottleneckFactor}×growth, compression {o.Compression}; BN-ReLU-Conv; global average pooling",
                Parameters(network), export.ConvFlopsPerInputVoxel * c[0] * c[1] * c[2] / 1e9, $"one {string.Join("×", c)} crop", null),
            Training = training,
            Metrics = metrics,
        };
    }

    private static HuWindow Window(HuNormalization n) => new(n.Min, n.Max, n.Center, n.Scale);

    private static long Parameters(TorchSharp.torch.nn.Module network) => network.parameters().Sum(p => p.numel());
}
