namespace OsteoML.Pipelines.Trends;

/// <summary>What a patient's studies say about their BMD over time.</summary>
public enum TrendStatus
{
    /// <summary>Fewer than two studies with a BMD, or all within the rescan window: no change can be read.</summary>
    NotEnoughStudies,
    /// <summary>The change from first to last study is within the least significant change.</summary>
    Stable,
    /// <summary>BMD fell by more than the LSC.</summary>
    SignificantLoss,
    /// <summary>BMD rose by more than the LSC.</summary>
    SignificantGain,
}
