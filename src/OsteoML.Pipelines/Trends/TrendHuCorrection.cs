namespace OsteoML.Pipelines.Trends;

/// <summary>What puts a patient's studies on one HU scale before their BMDs are compared.</summary>
public enum TrendHuCorrection
{
    /// <summary>The BMDs as screened: a scanner whose CT-number calibration drifts between studies moves them with it.</summary>
    None,

    /// <summary>Each study's BMD is moved by what its trabecular HU would read on the ideal scale fitted through the study's own
    /// reference tissues (<see cref="TissueHuCorrection"/>): the tissues drift with the scanner, so the drift cancels.</summary>
    ReferenceTissues,
}
