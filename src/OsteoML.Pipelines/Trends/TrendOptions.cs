namespace OsteoML.Pipelines.Trends;

/// <summary>How the trends are read: the measurement precision behind the LSC (given, or null to take it from rescan pairs
/// in the results themselves), how studies are put on one HU scale, and when a grade rise is a new fracture.</summary>
public sealed record TrendOptions
{
    public MeasurementPrecision? Precision { get; init; }

    public TrendHuCorrection HuCorrection { get; init; } = TrendHuCorrection.None;

    /// <summary>BMD change per HU of trabecular HU (mg/cm³ per HU) for <see cref="TrendHuCorrection.ReferenceTissues"/>; null to read
    /// it from the results' per-level estimates on the bundle's HU line (<see cref="TissueHuCorrection.SlopeOf"/>).</summary>
    public double? BmdPerHu { get; init; }

    public NewFractureRule NewFractureRule { get; init; } = NewFractureRule.IncidentModerateOrConfirmed;
}
