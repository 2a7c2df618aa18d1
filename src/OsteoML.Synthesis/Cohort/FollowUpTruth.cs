using OsteoML.Synthesis.Truth;

namespace OsteoML.Synthesis.Cohort;

/// <summary>Which study of a patient a case is.</summary>
public enum VisitKind
{
    Baseline,
    /// <summary>Short-term rescan: days later, same scanner and protocol, no true change.</summary>
    Rescan,
    FollowUp,
}

/// <summary>A case's place in its patient's series of studies (cohorts with follow-ups only): the baseline case, the years since
/// it, the true change of the L1–L2 BMD since it (mg/cm³) and the fractures that were not there at baseline.</summary>
public sealed record FollowUpTruth(VisitKind Visit, string BaselineCaseId, double YearsSinceBaseline, double TrueBmdChange, double AnnualLossFraction,
    IReadOnlyList<CompressionFracture> NewFractures);
