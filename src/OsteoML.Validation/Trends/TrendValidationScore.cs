using OsteoML.Pipelines.Trends;

namespace OsteoML.Validation.Trends;

/// <summary>
/// Against truth: <see cref="Losses"/> patients lost more than 2 × LSC by their last follow-up, <see cref="LossesFound"/> of them
/// called a significant loss; <see cref="Stable"/> patients had no true change, <see cref="StableFlagged"/> of them called
/// significant (of which <see cref="StableOtherScanner"/> changed scanner, <see cref="StableOtherScannerFlagged"/> flagged).
/// </summary>
public sealed record TrendValidationScore(int PatientsWithTrend, int Losses, int LossesFound, int Stable, int StableFlagged, int StableOtherScanner,
    int StableOtherScannerFlagged, MeasurementPrecision Precision)
{
    /// <summary>Patients with a true new fracture at a follow-up, and how many the trend named a new fracture for (any level).</summary>
    public int NewFractures { get; init; }
    public int NewFracturesFound { get; init; }
    /// <summary>Followed patients without a true new fracture, and how many the trend still named one for.</summary>
    public int WithoutNewFracture { get; init; }
    public int NewFracturesFalse { get; init; }

    public double? Sensitivity => Losses > 0 ? (double)LossesFound / Losses : null;
    public double? FalsePositiveRate => Stable > 0 ? (double)StableFlagged / Stable : null;
}
