namespace OsteoML.Pipelines.Trends;

/// <summary>Where the precision behind the LSC came from.</summary>
public enum PrecisionSource
{
    /// <summary>An LSC given by the user (their own precision study).</summary>
    Given,
    /// <summary>Same-patient short-term rescans in the results.</summary>
    Rescans,
}
