using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Google.Protobuf;
using Onnx;
using OsteoML.Calibration;
using OsteoML.AutoTune.Experiments;
using OsteoML.Domain;
using OsteoML.Evaluation;
using OsteoML.Inference;
using OsteoML.Pipelines;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Heads;

namespace OsteoML.Export.Onnx;

/// <summary>What <see cref="OnnxExporter"/> wrote.</summary>
public sealed record OnnxExport(string Directory, string Chain, string Heads, string Segmentation, string Features, IReadOnlyList<string> SiteProfiles,
    double ProbeMaxDifference);

/// <summary>
/// Exports a bundle as ONNX: the heads through Microsoft.ML.OnnxConverter (inputs: the feature stages' columns, no
/// label; outputs: <see cref="BmdOutput"/> and <see cref="ProbabilitiesOutput"/>), the segmentation and DenseNet models as shipped
/// in the bundle (byte for byte, with their cards), the bundle's site profiles, and <c>chain.json</c>. Before writing,
/// the converted heads are run in ONNX Runtime against ML.NET on probe rows and refused if they differ by more than
/// <see cref="Tolerance"/> — a trainer the converter mishandles must not be exported silently.
/// </summary>
public static class OnnxExporter
{
    public const string HeadsFile = "heads.onnx", SegmentationFile = "segmentation.onnx", FeaturesFile = "features.onnx";
    public const double Tolerance = 1e-4;

    /// <summary>The heads graph's outputs: the BMD (mg/cm³, <c>[batch, 1]</c>) and the class probabilities (<c>[batch, 3]</c>).
    /// chain.json, <see cref="Run"/> and docs/export.md use these names; a test holds the three together.</summary>
    public const string BmdOutput = ScreeningHeads.PredictedBmd, ProbabilitiesOutput = ScreeningHeads.ClassProbabilities;

    /// <summary><see cref="BmdOutput"/> and <see cref="ProbabilitiesOutput"/>, in the graph's order.</summary>
    public static IReadOnlyList<string> HeadsOutputs { get; } = [BmdOutput, ProbabilitiesOutput];

    /// <summary>
    /// Trainer families whose heads are not exported, and why (measured by the export tests on every family of
    /// <see cref="TrainerCatalog"/>; the others convert and match ML.NET to within 1e-4 in ONNX Runtime).
    /// </summary>
    public static IReadOnlyDictionary<string, string> NotExported { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Gam"] = "Microsoft.ML.OnnxConverter has no converter for GAM models",
        ["LbfgsPoisson"] = "its ONNX graph computes exp(w·x + b) in float32 and differs from ML.NET by up to 1.5e-4 mg/cm³, above the 1e-4 the export promises",
    };

    /// <summary>True when heads fitted by <paramref name="family"/> convert to ONNX (the family is not in <see cref="NotExported"/>).</summary>
    public static bool Converts(TrainerFamily family) => !NotExported.ContainsKey(family.Name);

    /// <summary>Refuses heads whose trainer is in <see cref="NotExported"/>, with one line naming it and the trainers that do export.</summary>
    public static void CheckExportable(BundleHeads heads)
    {
        foreach (var (head, trainer) in new[] { ("BMD", heads.Bmd), ("class", heads.Class) })
            if (NotExported.TryGetValue(trainer.Family.Name, out var why))
                throw new NotSupportedException($"{heads.Name}: the {head} head's trainer {trainer.Family.Name} is not exported to ONNX ({why}); "
                    + $"train it with one of {ConvertibleList(trainer.Family.Task)}.");
    }

    public static OnnxExport Export(ModelBundle bundle, string directory)
    {
        var heads = BundleHeads.FromBundle(bundle);
        CheckExportable(heads);
        Directory.CreateDirectory(directory);
        directory = Path.GetFullPath(directory);

        var bytes = ConvertHeads(heads, out var probeDifference);
        var headsPath = Path.Combine(directory, HeadsFile);
        File.WriteAllBytes(headsPath, bytes);
        using var session = OnnxRuntimeSessions.Open(bytes, threads: 1);
        var headsModel = new ChainModel("heads", HeadsFile, ModelBundle.Sha256(headsPath), null,
            session.InputMetadata.Select(m => Spec(m.Key, m.Value)).ToArray(), session.OutputMetadata.Select(m => Spec(m.Key, m.Value)).ToArray());

        var segmentation = CopyModel(bundle.SegmentationModelDirectory, directory, "segmentation", SegmentationFile);
        var features = CopyModel(bundle.FeaturesModelDirectory!, directory, "features", FeaturesFile);
        var profiles = new List<string>();
        var profileDirectory = Path.Combine(bundle.Directory, ModelBundle.CalibrationDirectory);
        if (Directory.Exists(profileDirectory))
            foreach (var profile in Directory.GetFiles(profileDirectory, "*" + SiteProfileSet.FileSuffix).Order(StringComparer.Ordinal))
            {
                var target = Path.Combine(directory, "calibration", Path.GetFileName(profile));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(profile, target, overwrite: true);
                profiles.Add($"calibration/{Path.GetFileName(profile)}");
            }

        var chain = new OnnxChain
        {
            Bundle = bundle.Manifest.Name,
            Pipeline = bundle.Definition.Name,
            BundleModelSha256 = bundle.ModelSha256,
            OsteomlVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "0",
            Models = [segmentation.Model, features.Model, headsModel],
            Steps = Steps(bundle, heads, segmentation.Card, features.Card),
            Classes = AcrClasses.Names,
            SiteProfiles = profiles,
        };
        var chainPath = Path.Combine(directory, OnnxChain.FileName);
        File.WriteAllText(chainPath, chain.ToJson() + "\n");
        return new OnnxExport(directory, chainPath, headsPath, Path.Combine(directory, SegmentationFile), Path.Combine(directory, FeaturesFile), profiles, probeDifference);
    }

    /// <summary>The heads (the feature concatenation onward) as ONNX, checked against ML.NET on probe rows.</summary>
    public static byte[] ConvertHeads(BundleHeads heads, out double maxDifference)
    {
        var ml = new MLContext(1);
        var model = BundleHeads.Chain([heads.Concatenate, heads.All]);
        var input = FeatureColumnsView(ml, heads.Layout);
        byte[] bytes;
        try
        {
            using var stream = new MemoryStream();
            ml.Model.ConvertToOnnx(model, input, stream, [.. HeadsOutputs]);
            bytes = NameOutputs(stream.ToArray(), HeadsOutputs);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or NotImplementedException or ArgumentException)
        {
            throw new NotSupportedException($"the heads ({heads.Bmd.Family.Name}, {heads.Class.Family.Name}) do not convert to ONNX: {ex.Message}", ex);
        }
        maxDifference = ProbeDifference(ml, heads, bytes);
        if (!(maxDifference <= Tolerance))
            throw new NotSupportedException($"the heads ({heads.Bmd.Family.Name}, {heads.Class.Family.Name}) convert to ONNX but predict differently from ML.NET (by up to {maxDifference:G3}); not exported.");
        return bytes;
    }

    /// <summary>
    /// ML.NET's converter names the graph output of a column <c>&lt;column&gt;.output</c> (an Identity of the column's
    /// last value, which keeps the plain name inside the graph). Consumers read the outputs by the column's own name, so
    /// the inner value is renamed <c>&lt;column&gt;.value</c> and the output takes the plain name.
    /// </summary>
    internal static byte[] NameOutputs(byte[] onnx, IReadOnlyList<string> columns)
    {
        var model = ModelProto.Parser.ParseFrom(onnx);
        var graph = model.Graph;
        foreach (var column in columns)
        {
            var converted = column + ".output";
            if (graph.Output.All(o => o.Name != converted))
                throw new InvalidDataException($"the converted heads have no output {converted} (they have {string.Join(", ", graph.Output.Select(o => o.Name))}).");
            if (Names(graph).Contains(column + ".value"))
                throw new InvalidDataException($"the converted heads already use the name {column}.value.");
            Rename(graph, column, column + ".value");
            Rename(graph, converted, column);
        }
        return model.ToByteArray();
    }

    private static HashSet<string> Names(GraphProto graph) =>
        [.. graph.Node.SelectMany(n => n.Input.Concat(n.Output)), .. graph.Input.Concat(graph.Output).Concat(graph.ValueInfo).Select(v => v.Name), .. graph.Initializer.Select(i => i.Name)];

    private static void Rename(GraphProto graph, string from, string to)
    {
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++) if (node.Input[i] == from) node.Input[i] = to;
            for (var i = 0; i < node.Output.Count; i++) if (node.Output[i] == from) node.Output[i] = to;
        }
        foreach (var value in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo).Where(v => v.Name == from)) value.Name = to;
        foreach (var initializer in graph.Initializer.Where(i => i.Name == from)) initializer.Name = to;
    }

    /// <summary>An empty view with the feature stages' columns (float vectors of their lengths): the ONNX graph's inputs.</summary>
    internal static IDataView FeatureColumnsView(MLContext ml, FeatureLayout layout)
    {
        var start = 0;
        var columns = layout.Parts.Select(p =>
        {
            var column = new TextLoader.Column(p.Column, DataKind.Single, [new TextLoader.Range(start, start + p.Length - 1)]);
            start += p.Length;
            return column;
        }).ToArray();
        return ml.Data.CreateTextLoader(columns, separatorChar: ',').Load(new MultiFileSource(null));
    }

    /// <summary>
    /// Largest difference between ML.NET and ONNX Runtime over 32 seeded probe rows (values of the features' scales,
    /// some missing), relative to the output's size where that exceeds 1: probes can push a head far outside the range
    /// of real BMDs, where float32 itself has less than 1e-4 absolute resolution.
    /// </summary>
    private static double ProbeDifference(MLContext ml, BundleHeads heads, byte[] onnx)
    {
        var layout = heads.Layout;
        var random = new Random(7);
        var rows = Enumerable.Range(0, 32).Select(r => layout.Parts.Select(p => Enumerable.Range(0, p.Length)
            .Select(_ => r % 8 == 7 && random.NextDouble() < 0.1 ? float.NaN : (float)(random.NextDouble() * 4 - 1) * (p.Length > 100 ? 2 : 100)).ToArray()).ToArray()).ToList();
        var study = new OsteoML.Pipelines.Studies.StudyRow();
        var view = ScreeningHeads.FeatureView(ml, rows.Select(r => new OsteoML.Pipelines.Features.StudyFeatures { Study = study, Features = r.SelectMany(p => p).ToArray() }).ToList(), layout.Length);
        var scored = heads.All.Transform(view);
        var expected = scored.GetColumn<float>(ScreeningHeads.PredictedBmd).Zip(scored.GetColumn<float[]>(ScreeningHeads.ClassProbabilities), (b, p) => (Bmd: b, Probabilities: p)).ToArray();
        using var session = OnnxRuntimeSessions.Open(onnx, threads: 1);
        var worst = 0.0;
        for (var r = 0; r < rows.Count; r++)
        {
            var (bmd, probabilities) = Run(session, layout, rows[r]);
            worst = Math.Max(worst, Math.Abs(bmd - expected[r].Bmd) / Math.Max(1, Math.Abs(expected[r].Bmd)));
            for (var k = 0; k < probabilities.Length; k++) worst = Math.Max(worst, Math.Abs(probabilities[k] - expected[r].Probabilities[k]));
        }
        return worst;
    }

    /// <summary>Runs the exported heads in ONNX Runtime on one study's feature parts (in the layout's order).</summary>
    public static (float Bmd, float[] Probabilities) Run(InferenceSession session, FeatureLayout layout, IReadOnlyList<float[]> parts)
    {
        var inputs = layout.Parts.Select((p, i) => NamedOnnxValue.CreateFromTensor(p.Column, new DenseTensor<float>(parts[i], [1, p.Length]))).ToList();
        using var results = session.Run(inputs);
        float[] Output(string name) => results.Single(r => r.Name == name).AsEnumerable<float>().ToArray();
        return (Output(BmdOutput)[0], Output(ProbabilitiesOutput));
    }

    private static TensorSpec Spec(string name, NodeMetadata metadata) => new(name,
        metadata.ElementDataType.ToString().ToLowerInvariant() is "float" ? "float32" : metadata.ElementDataType.ToString().ToLowerInvariant(),
        metadata.Dimensions.Select((d, i) => d >= 0 ? new Dimension(d, null) : new Dimension(null, metadata.SymbolicDimensions.ElementAtOrDefault(i) is { Length: > 0 } s ? s : "batch")).ToArray());

    private static (ChainModel Model, ModelCard Card) CopyModel(string source, string directory, string role, string file)
    {
        var card = ModelCard.ReadFolder(source);
        var target = Path.Combine(directory, file);
        File.Copy(Path.Combine(source, card.File), target, overwrite: true);
        var cardFile = Path.ChangeExtension(file, ".card.json");
        File.Copy(Path.Combine(source, ModelCard.FileName), Path.Combine(directory, cardFile), overwrite: true);
        var sha = ModelBundle.Sha256(target);
        if (!string.Equals(sha, card.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{source}: {card.File} has sha256 {sha}, its card says {card.Sha256}.");
        return (new ChainModel(role, file, sha, cardFile, card.Inputs, card.Outputs), card);
    }

    private static string ConvertibleList(HeadTask task) =>
        string.Join(", ", TrainerCatalog.For(task).Where(Converts).Select(f => f.Name));

    private static IReadOnlyList<ChainStep> Steps(ModelBundle bundle, BundleHeads heads, ModelCard segmentation, ModelCard features)
    {
        string F(double v) => v.ToString(CultureInfo.InvariantCulture);
        string Shape(IEnumerable<int> sizes) => string.Join("×", sizes);
        var s = segmentation.Preprocessing;
        var window = bundle.Definition.Segmentation.WindowSize ?? s.PatchSize;
        var measures = bundle.Definition.Measures;
        var parts = heads.Layout.Parts.ToDictionary(p => p.Column);
        Dictionary<string, string> D(params (string Key, string Value)[] items) => items.ToDictionary(i => i.Key, i => i.Value);
        var featureOutput = features.Outputs[0].Name;
        return
        [
            new ChainStep("volume", "OsteoML.Dicom: DicomSeriesScanner, DicomStack.LoadVolume", null,
                D(("series", "a folder of DICOM CT files of one series")),
                D(("ct", "HU volume (float) with its geometry (origin, direction, spacing) and the scanner's site key")),
                ["slices sorted along the slice normal; rescale slope/intercept applied; localisers and stacks of other orientations are separate series"]),
            new ChainStep("segmentation", "ONNX Runtime: OsteoML.Inference.SlidingWindowSegmenter, then OsteoML.Inference.VertebraLevels", "segmentation",
                D((segmentation.Inputs[0].Name, "volume.ct, resampled and normalised as below")),
                D(("labels", "per-voxel class (" + string.Join(", ", segmentation.Classes) + ") and the vertebral level of each body (T12, L1, L2, …)")),
                [
                    $"resample to the canonical frame ({s.Orientation}) at {string.Join(" × ", s.SpacingMm.Select(F))} mm, trilinear",
                    $"HU → input: (clip(HU, {F(s.Hu.Min)}, {F(s.Hu.Max)}) − {F(s.Hu.Center)}) / {F(s.Hu.Scale)}; outside the volume −1000 HU",
                    $"sliding window {Shape(window)} voxels, overlap {F(bundle.Definition.Segmentation.Overlap)}, Gaussian importance weighting σ = window/8; argmax of the weighted mean probabilities",
                    "levels: 6-connected trabecular components are vertebral bodies; the lowest rib-bearing body is T12, then L1, L2 (the card's postprocessing.levelRule); probabilities resampled back to the native grid before the argmax",
                ]),
            new ChainStep("measure", "OsteoML.Pipelines.Measurement.StudyMeasurer", null,
                D(("ct", "volume.ct"), ("labels", "segmentation.labels")),
                D((parts.GetValueOrDefault("LevelMeasures")?.Column ?? "LevelMeasures", "L1, L2: " + string.Join(", ", parts.GetValueOrDefault("LevelMeasures")?.SlotNames ?? [])),
                  (parts.GetValueOrDefault("TissueHu")?.Column ?? "TissueHu", string.Join(", ", parts.GetValueOrDefault("TissueHu")?.SlotNames ?? []) + " (median HU; NaN when not found)"),
                  (parts.GetValueOrDefault("Acquisition")?.Column ?? "Acquisition", string.Join(", ", parts.GetValueOrDefault("Acquisition")?.SlotNames ?? []))),
                [$"trabecular HU inside each level's mask less an in-plane rim of {F(measures.RimMm)} mm; QA flags (coverage, level identification, confidence < {F(measures.MinimumConfidence)}, slice thickness > {F(measures.MaxSliceThicknessMm)} mm, contrast, metal, tilt) decide whether a BMD is reported"]),
            new ChainStep("crop", "OsteoML.Pipelines.Features.CropL1L2", null,
                D(("ct", "volume.ct"), ("labels", "segmentation.labels")),
                D((features.Inputs[0].Name, $"float32 [{string.Join(", ", features.Inputs[0].Shape)}]")),
                [.. features.Preprocessing.Notes, $"{Shape(features.Preprocessing.PatchSize)} voxels at {string.Join(" × ", features.Preprocessing.SpacingMm.Select(F))} mm; HU channel (clip(HU, {F(features.Preprocessing.Hu.Min)}, {F(features.Preprocessing.Hu.Max)}) − {F(features.Preprocessing.Hu.Center)}) / {F(features.Preprocessing.Hu.Scale)}"]),
            new ChainStep("features", "ONNX Runtime", "features",
                D((features.Inputs[0].Name, $"crop.{features.Inputs[0].Name}")),
                D((featureOutput, $"the heads' {parts.Keys.FirstOrDefault(k => k.StartsWith("DenseNet", StringComparison.Ordinal)) ?? "DenseNetFeatures"} input (shape [1, {features.Outputs[0].Shape.Last()}])")),
                []),
            new ChainStep("heads", "ONNX Runtime", "heads",
                heads.Layout.Parts.ToDictionary(p => p.Column, p => p.Column.StartsWith("DenseNet", StringComparison.Ordinal) ? $"features.{featureOutput}" : $"measure.{p.Column}"),
                D((BmdOutput, "BMD, mg/cm³ (QCT-equivalent), before site calibration"),
                  (ProbabilitiesOutput, $"probabilities of {string.Join(", ", AcrClasses.Names)}; the class is their argmax")),
                [
                    $"inside: Concatenate → ReplaceMissingValues → NormalizeMeanVariance → {heads.Bmd.Family.Name} ({heads.Bmd.Parameters}) → {heads.Class.Family.Name} ({heads.Class.Parameters})",
                    "each input is float32 [batch, length]; missing values (NaN) are replaced as ML.NET does",
                ]),
            new ChainStep("calibration", "OsteoML.Calibration.SiteProfile.Apply", null,
                D(("bmd", $"heads.{BmdOutput}"), ("tissues", "measure.TissueHu"), ("siteKey", "volume.ct's site key")),
                D(("bmd", "calibrated BMD"), ("class", "class by the profile's thresholds"), ("probabilities", "from the calibrated BMD and the site's residual spread")),
                ["only for a site with a profile (siteProfiles); otherwise the heads' outputs stand, and the class is the argmax of {ProbabilitiesOutput}"]),
        ];
    }
}
