namespace OsteoML.Pipelines.Validation;

/// <summary>What the product did with one real CT, judged against its reference labels.</summary>
public enum RealCtOutcome
{
    /// <summary>L1 and L2 named, and every level we named lies on the reference's level of that name.</summary>
    Correct,
    /// <summary>A level we named lies mostly on another reference level: worse than a refusal.</summary>
    WrongLevel,
    /// <summary>The level count refused (no anchor, not covered, uncertain): no number, but no wrong one.</summary>
    Refused,
}
