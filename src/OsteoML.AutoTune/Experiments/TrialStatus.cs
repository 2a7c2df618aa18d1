namespace OsteoML.AutoTune.Experiments;

/// <summary>How a trial ended.</summary>
public enum TrialStatus
{
    Completed,
    Failed,
    Cancelled,

    /// <summary>Not a tuner's proposal: a pipeline definition's fixed trainer, cross-validated like a trial so its score is on record.</summary>
    Fixed,
}
