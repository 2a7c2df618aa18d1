using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using OsteoML.Domain;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Pipelines.Features;

/// <summary>
/// One study after the feature stages (segment → measure → DenseNet → concatenate): what the heads train on and
/// what a result reports besides the prediction. <see cref="Error"/> is set when the study failed.
/// </summary>
public sealed record StudyFeatures
{
    public required StudyRow Study { get; init; }
    public bool Measurable { get; init; }
    public string LevelStatus { get; init; } = "";
    public string LevelReason { get; init; } = "";
    public float SegmentationConfidence { get; init; } = float.NaN;
    public string QaFlags { get; init; } = "";
    public float[] LevelMeasures { get; init; } = [];
    public float L1L2MeanHu { get; init; } = float.NaN;
    public float[] TissueHu { get; init; } = [];
    public float[] Acquisition { get; init; } = [];
    public float TiltDegrees { get; init; }
    public float MetalCm3 { get; init; }
    public string SegmentationKey { get; init; } = "";
    /// <summary>The concatenated feature vector; empty for the HU baseline.</summary>
    public float[] Features { get; init; } = [];
    /// <summary>The global heads' BMD (mg/cm³) and class probabilities, when the chain has heads.</summary>
    public float PredictedBmd { get; init; } = float.NaN;
    public float[] ClassProbabilities { get; init; } = [];
    public string? Error { get; init; }

    public IReadOnlyList<string> Flags => QaFlags.Length == 0 ? [] : QaFlags.Split(';');

    /// <summary>What a per-study calibration source reads from this study (kVp, tissues, contrast flag).</summary>
    public Calibration.ScanContext ToScanContext() => new(Study.SiteKey, Acquisition.Length > 0 ? Acquisition[0] : double.NaN,
        TissueHu.Length == 4 ? TissueHu.Select(t => (double)t).ToArray() : null, Flags.Contains(Measurement.QaFlags.ContrastSuspected));
}

/// <summary>
/// Runs a fitted featurizer over studies one at a time (a failing study is recorded, the rest go on), in parallel
/// jobs, and keeps each study's features on disk keyed by series UID, the models' sha256 and the feature layout, so
/// train, calibrate and demo compute them once.
/// </summary>
public sealed class FeatureExtractor(MLContext ml, ITransformer featurizer, string identity, string? cacheDirectory)
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>What identifies the features: models' sha256 and the pipeline's feature and option layout.</summary>
    public string Identity { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];

    public IReadOnlyList<StudyFeatures> Extract(IReadOnlyList<StudyRow> studies, int jobs = 1, Action<StudyFeatures>? progress = null,
        CancellationToken cancellation = default)
    {
        var results = new StudyFeatures[studies.Count];
        Parallel.For(0, studies.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs), CancellationToken = cancellation }, i =>
        {
            results[i] = FromCache(studies[i], out var path) ?? Compute(studies[i], path);
            progress?.Invoke(results[i]);
        });
        return results;
    }

    public StudyFeatures Compute(StudyRow study) => Compute(study, TryCachePath(study));

    private StudyFeatures Compute(StudyRow study, string? cachePath)
    {
        StudyFeatures features;
        try
        {
            var row = featurizer.Transform(ml.Data.LoadFromEnumerable([study]));
            features = Read(row, study);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return new StudyFeatures { Study = study, Error = OneLine(Innermost(ex).Message) };
        }
        if (cachePath is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(features with { Study = new StudyRow { SeriesInstanceUid = study.SeriesInstanceUid } }, Json));
        }
        return features;
    }

    /// <summary>Reads the feature columns of a one-row transformed view.</summary>
    public static StudyFeatures Read(IDataView row, StudyRow study)
    {
        var schema = row.Schema;
        using var cursor = row.GetRowCursor(schema);
        if (!cursor.MoveNext()) throw new InvalidOperationException("the featurizer returned no row.");
        T Get<T>(string name, T fallback)
        {
            if (schema.GetColumnOrNull(name) is not { } column) return fallback;
            T value = default!;
            cursor.GetGetter<T>(column)(ref value);
            return value;
        }
        float[] Vector(string name, bool first = false)
        {
            // The heads normalise Features in place: the chain's visible Features is theirs; the first numeric vector of
            // that name (the concatenation, hidden behind it) is the heads' input.
            var column = first ? FirstNumericVector(schema, name) : schema.GetColumnOrNull(name);
            if (column is null) return [];
            VBuffer<float> buffer = default;
            cursor.GetGetter<VBuffer<float>>(column.Value)(ref buffer);
            return buffer.DenseValues().ToArray();
        }
        return new StudyFeatures
        {
            Study = study,
            Measurable = Get("Measurable", false),
            LevelStatus = Get<ReadOnlyMemory<char>>("LevelStatus", default).ToString(),
            LevelReason = Get<ReadOnlyMemory<char>>("LevelReason", default).ToString(),
            SegmentationConfidence = Get("SegmentationConfidence", float.NaN),
            QaFlags = Get<ReadOnlyMemory<char>>("QaFlags", default).ToString(),
            LevelMeasures = Vector("LevelMeasures"),
            L1L2MeanHu = Get("L1L2MeanHu", float.NaN),
            TissueHu = Vector("TissueHu"),
            Acquisition = Vector("Acquisition"),
            TiltDegrees = Get("TiltDegrees", 0f),
            MetalCm3 = Get("MetalCm3", 0f),
            SegmentationKey = Get<ReadOnlyMemory<char>>("SegmentationKey", default).ToString(),
            Features = Vector(Heads.ScreeningHeads.Features, first: true),
            PredictedBmd = Get(Heads.ScreeningHeads.PredictedBmd, float.NaN),
            ClassProbabilities = Vector(Heads.ScreeningHeads.ClassProbabilities),
        };
    }

    private static DataViewSchema.Column? FirstNumericVector(DataViewSchema schema, string name)
    {
        for (var i = 0; i < schema.Count; i++)
            if (schema[i].Name == name && schema[i].Type is VectorDataViewType { ItemType: NumberDataViewType }) return schema[i];
        return null;
    }

    /// <summary>The cached features, verified (they parse whole and have the layout computed features have), or null.</summary>
    private StudyFeatures? FromCache(StudyRow study, out string? path)
    {
        path = TryCachePath(study);
        if (path is null || !File.Exists(path)) return null;
        try
        {
            var cached = JsonSerializer.Deserialize<StudyFeatures>(File.ReadAllText(path), Json);
            if (cached is null || cached.Error is not null || cached.Features is null || cached.SegmentationKey.Length == 0) return null;
            return cached with { Study = study };
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or IOException) { return null; }
    }

    /// <summary>The cache file of a study, or null without a cache folder or when its headers cannot be read (Compute then records why).</summary>
    private string? TryCachePath(StudyRow study)
    {
        if (cacheDirectory is null) return null;
        try { return CachePath(study); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or FormatException) { return null; }
    }

    /// <summary>Keyed by series UID, the model identity and the series' content (slice count and SOP UIDs with file sizes), from the headers.</summary>
    private string CachePath(StudyRow study) => Path.Combine(cacheDirectory!, "features", Identity,
        Segmentation.SegmentationStore.Key(study.SeriesInstanceUid.Length > 0 ? study.SeriesInstanceUid : study.SeriesPath, Identity,
            Volumes.StudyVolumes.ContentFingerprint(study.SeriesPath, study.SeriesInstanceUid)) + ".json");

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null && ex is InvalidOperationException or AggregateException or System.Reflection.TargetInvocationException) ex = ex.InnerException;
        return ex;
    }

    internal static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
