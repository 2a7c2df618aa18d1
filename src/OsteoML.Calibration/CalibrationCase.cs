namespace OsteoML.Calibration;

/// <summary>
/// One local QCT-labelled case of a site, as the global model saw it: its BMD prediction, the QCT reference, and
/// (optionally) the reference-tissue HUs the ROI stage measured — air, subcutaneous fat, muscle, aortic blood.
/// </summary>
/// <param name="PatientId">Groups a patient's cases in the bootstrap; never printed.</param>
/// <param name="GlobalBmd">The global model's BMD prediction, mg/cm³.</param>
/// <param name="QctBmd">The QCT reference BMD, mg/cm³; its ACR class is the class truth.</param>
/// <param name="Tissues">Reference-tissue HUs in <see cref="ReferenceTissues.Names"/> order, or null.</param>
/// <param name="GlobalProbabilities">The global class head's [normal, osteopenia, osteoporosis], when known: the
/// uncalibrated baseline of the learning curve.</param>
/// <param name="SourceBmd">The BMD each per-study calibration source gives without local cases (phantomless, phantom),
/// when it applied to this study: the starting points the learning curve compares.</param>
public sealed record CalibrationCase(string PatientId, double GlobalBmd, double QctBmd, IReadOnlyList<double>? Tissues = null,
    IReadOnlyList<double>? GlobalProbabilities = null, IReadOnlyDictionary<CalibrationSource, double>? SourceBmd = null)
{
    /// <summary>This case's BMD from <paramref name="source"/>: the global BMD where that source did not apply.</summary>
    public double BmdFrom(CalibrationSource source) =>
        source != CalibrationSource.Global && SourceBmd is not null && SourceBmd.TryGetValue(source, out var bmd) ? bmd : GlobalBmd;

    /// <summary>The case as the global model would have seen it had <paramref name="source"/> corrected it.</summary>
    public CalibrationCase From(CalibrationSource source) => source == CalibrationSource.Global
        ? this
        : this with { GlobalBmd = BmdFrom(source), GlobalProbabilities = null };
}

public static class ReferenceTissues
{
    public static IReadOnlyList<string> Names { get; } = ["air", "fat", "muscle", "blood"];

    /// <summary>HU a measurement of each tissue can take on a working CT, wide enough for scanner drift, 80–140 kV and
    /// arterial contrast (air −1000, fat −120 to −80, muscle 35–55 unenhanced, aortic blood 30–45 unenhanced and up to
    /// ≈ 400 arterial); outside them the ROI missed its tissue or the values are not HU or not in this order.</summary>
    public static IReadOnlyList<(double Low, double High)> PlausibleHu { get; } = [(-1100, -800), (-250, 0), (-20, 150), (-20, 600)];

    /// <summary>The first tissue of <paramref name="hu"/> outside its plausible range, as "air -5 HU outside -1100 to -800", or null.</summary>
    public static string? Implausible(IReadOnlyList<double> hu)
    {
        for (var t = 0; t < Names.Count; t++)
        {
            var (low, high) = PlausibleHu[t];
            if (!(hu[t] >= low && hu[t] <= high))
                return FormattableString.Invariant($"{Names[t]} {hu[t]:0.#} HU outside {low} to {high}");
        }
        return null;
    }
}

/// <summary>The objective the class thresholds are chosen for.</summary>
public enum ThresholdObjective
{
    /// <summary>Macro-averaged F1 over the three classes.</summary>
    MacroF1,

    /// <summary>Balanced accuracy (macro-averaged recall).</summary>
    BalancedAccuracy,

    /// <summary>Balanced accuracy among the threshold pairs whose osteoporosis sensitivity reaches the minimum.</summary>
    OsteoporosisSensitivity,
}

/// <summary>Settings of a site calibration (what <c>osteoml calibrate --objective …</c> fills in).</summary>
public sealed record SiteCalibrationOptions
{
    public ThresholdObjective Objective { get; init; } = ThresholdObjective.MacroF1;

    /// <summary>The sensitivity floor of <see cref="ThresholdObjective.OsteoporosisSensitivity"/>.</summary>
    public double MinimumOsteoporosisSensitivity { get; init; } = 0.90;

    /// <summary>Use the reference-tissue HUs as covariates (when every case has them and k allows).</summary>
    public bool UseReferenceTissues { get; init; } = true;

    /// <summary>Bootstrap replicates for the thresholds' stability intervals (0 for none).</summary>
    public int BootstrapReplicates { get; init; } = 200;

    public int Seed { get; init; } = 1;
}
