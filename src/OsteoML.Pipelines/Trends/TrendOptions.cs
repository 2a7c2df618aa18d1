namespace OsteoML.Pipelines.Trends;

/// <summary>How the trends are read: the measurement precision behind the LSC (given, or null to take it from rescan pairs
/// in the results themselves).</summary>
public sealed record TrendOptions
{
    public MeasurementPrecision? Precision { get; init; }
}
