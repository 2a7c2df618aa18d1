using System.Text.Json;
using System.Text.Json.Serialization;
using OsteoML.Calibration;
using OsteoML.Domain;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Fractures;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Pipelines.Screening;

/// <summary>One level's trabecular measurements and its BMD estimate on the bundle's HU line.</summary>
public sealed record LevelResult(string Level, double? MeanHu, double? MedianHu, double? SdHu, double? P10Hu, double? P90Hu, double? VolumeCm3, double? BmdEstimate);

/// <summary>
/// The outcome of screening one study (<see cref="StudyStatus"/>). No patient identifiers: UIDs and the site key only.
/// </summary>
public sealed record StudyResult
{
    /// <summary>Probabilities are reported to this many decimals, rounded so that they still sum to exactly 1 (<see cref="ProbabilityRounding"/>).</summary>
    public const int ProbabilityDecimals = 5;

    public required string StudyInstanceUid { get; init; }
    public required string SeriesInstanceUid { get; init; }
    public required string SiteKey { get; init; }
    /// <summary>The patient, keyed (<see cref="PatientKeyer"/>: HMAC of the PatientID under the site's secret, never the ID);
    /// null when no key is configured. Links a patient's studies for <c>osteoml trend</c>.</summary>
    public string? PatientKey { get; init; }
    /// <summary>The DICOM StudyDate, the time axis of a trend; null when the header has none.</summary>
    public DateOnly? StudyDate { get; init; }
    public required StudyStatus Status { get; init; }
    /// <summary>mg/cm³, calibrated when a profile applied.</summary>
    public double? Bmd { get; init; }
    public string? Class { get; init; }
    /// <summary>normal, osteopenia, osteoporosis.</summary>
    public IReadOnlyList<double>? Probabilities { get; init; }
    /// <summary>The global model's BMD before site calibration.</summary>
    public double? GlobalBmd { get; init; }
    /// <summary>"site: Method, k = n", or null when the site has no profile.</summary>
    public string? CalibrationProfile { get; init; }
    public string? CalibrationNote { get; init; }
    /// <summary>The per-study source whose scale moved the global BMD onto the ideal HU scale (phantom or the study's own tissues), or
    /// null when none applied: a trend that corrects each study by its tissues must not correct such a study twice.</summary>
    [JsonConverter(typeof(JsonCamelCaseEnum<CalibrationSource>))]
    public CalibrationSource? ScanCalibration { get; init; }
    public IReadOnlyList<LevelResult> Levels { get; init; } = [];
    /// <summary>Every vertebra the segmentation named (T10–L5): its position in patient coordinates, heights, Genant grade and shape,
    /// or why not graded (docs/real-ct.md, docs/fractures.md).</summary>
    public IReadOnlyList<VertebraResult> Vertebrae { get; init; } = [];
    /// <summary>When the level count named no L1/L2: every body it found with its rib evidence (<see cref="BodyEvidence"/>); else null.</summary>
    public IReadOnlyList<BodyEvidence>? LevelEvidence { get; init; }
    public IReadOnlyDictionary<string, double?> Tissues { get; init; } = new Dictionary<string, double?>();
    public IReadOnlyList<string> QaFlags { get; init; } = [];
    public string? LevelStatus { get; init; }
    public string? LevelReason { get; init; }
    public double? SegmentationConfidence { get; init; }
    public double? SliceThicknessMm { get; init; }
    public double? Kvp { get; init; }
    public string? Error { get; init; }
    public double Seconds { get; init; }

    /// <summary>Traceability (<see cref="ResultProvenance"/>): the bundle's SHA-256, the osteoml version and the result schema version; null in results written before them.</summary>
    public string? BundleSha256 { get; init; }
    public string? OsteomlVersion { get; init; }
    public int? ResultSchemaVersion { get; init; }
    /// <summary>The bundle's intended-use statement (<see cref="Bundles.BundleManifest.IntendedUse"/>), e.g. research use only for synthetic training data.</summary>
    public string? IntendedUse { get; init; }

    [JsonIgnore] public int? ClassIndex => Class is null ? null : AcrClasses.Names.ToList().IndexOf(Class);

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson(bool indented = false) => JsonSerializer.Serialize(this, indented ? new JsonSerializerOptions(Json) { WriteIndented = true } : Json);

    public static StudyResult Failure(string studyUid, string seriesUid, string siteKey, string error, double seconds = 0) => new()
    {
        StudyInstanceUid = studyUid, SeriesInstanceUid = seriesUid, SiteKey = siteKey, Status = StudyStatus.Failed, Error = error, Seconds = seconds,
    };

    /// <summary>The result of a featurized study under a bundle's heads (or HU line), a per-study calibration source
    /// (a phantom profile of its site and kVp, or its own tissues) and site profiles, applied in that order.</summary>
    public static StudyResult From(StudyFeatures f, HuLine huLine, bool huBaseline, SiteProfileSet profiles, double seconds,
        IScanCalibration? scanCalibration = null)
    {
        var study = f.Study;
        if (f.Error is not null) return Failure(study.StudyInstanceUid, study.SeriesInstanceUid, study.SiteKey, f.Error, seconds);
        var levels = StudyMeasurer.MeasuredLevels.Select((level, i) =>
        {
            var s = LevelStatistics.FromVector(level, f.LevelMeasures, i);
            static double? Finite(double value) => double.IsFinite(value) ? value : null;
            var mean = Finite(s.MeanHu);
            return new LevelResult(level, mean, Finite(s.MedianHu), Finite(s.SdHu), Finite(s.P10Hu), Finite(s.P90Hu), Finite(s.VolumeCm3),
                mean is { } hu ? Math.Round(huLine.Bmd(hu), 1) : null);
        }).ToList();
        var tissues = MeasureColumns.Tissues.Select((name, i) => (name, value: f.TissueHu.Length > i && float.IsFinite(f.TissueHu[i]) ? (double?)Math.Round(f.TissueHu[i], 1) : null))
            .ToDictionary(t => t.name, t => t.value);
        var result = new StudyResult
        {
            StudyInstanceUid = study.StudyInstanceUid,
            SeriesInstanceUid = study.SeriesInstanceUid,
            SiteKey = study.SiteKey,
            Status = f.Measurable ? StudyStatus.Ok : StudyStatus.Refused,
            Levels = levels,
            Tissues = tissues,
            QaFlags = f.Flags,
            LevelStatus = f.LevelStatus,
            LevelReason = f.LevelReason,
            SegmentationConfidence = float.IsFinite(f.SegmentationConfidence) ? Math.Round(f.SegmentationConfidence, 4) : null,
            SliceThicknessMm = f.Acquisition.Length > 1 && float.IsFinite(f.Acquisition[1]) ? f.Acquisition[1] : null,
            Kvp = f.Acquisition.Length > 0 && float.IsFinite(f.Acquisition[0]) ? f.Acquisition[0] : null,
            Seconds = Math.Round(seconds, 3),
        };
        if (GlobalPrediction.Of(f, huLine, huBaseline) is not { } global) return result with { Error = f.LevelReason };

        var (globalBmd, globalProbabilities) = (global.Bmd, global.Probabilities);
        var tissueValues = f.TissueHu.Select(t => (double)t).ToArray();
        // A per-study source moves the global BMD onto the training scanners' HU scale; its class then follows the
        // corrected BMD (the class head saw the uncorrected HUs).
        var corrected = globalBmd;
        string? scanNote = null;
        CalibrationSource? scanSource = null;
        if (scanCalibration is not null && scanCalibration.Source != CalibrationSource.Global)
        {
            var estimate = scanCalibration.Estimate(f.ToScanContext());
            scanNote = estimate.Note;
            if (estimate.Scale is { } scale)
            {
                corrected = ScanCalibrations.CorrectBmd(globalBmd, f.L1L2MeanHu, scale, huLine.Slope);
                scanSource = scanCalibration.Source;
                globalProbabilities = ClassProbabilities.FromBmd(corrected, Math.Max(huLine.ResidualSd, ClassProbabilities.MinimumSpread), ClassThresholds.Acr);
            }
        }
        var calibrated = profiles.Apply(study.SiteKey, corrected, tissueValues);
        var probabilities = calibrated.Probabilities ?? globalProbabilities;
        // Without a profile the class head decides (the HU baseline and a corrected study: the ACR class of its BMD).
        var classIndex = calibrated.Profile is not null ? calibrated.ClassIndex
            : huBaseline || corrected != globalBmd ? ClassThresholds.Acr.Classify(corrected) : ArgMax(probabilities);
        return result with
        {
            Bmd = Math.Round(calibrated.Bmd, 2),
            GlobalBmd = Math.Round(globalBmd, 2),
            Class = AcrClasses.Names[classIndex],
            Probabilities = ProbabilityRounding.Round(probabilities, ProbabilityDecimals),
            CalibrationProfile = calibrated.Profile,
            ScanCalibration = scanSource,
            CalibrationNote = scanNote is null ? calibrated.Note : calibrated.Note is null ? scanNote : $"{scanNote}; {calibrated.Note}",
        };
    }

    private static int ArgMax(IReadOnlyList<double> values)
    {
        var best = 0;
        for (var i = 1; i < values.Count; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
