namespace OsteoML.Synthesis;

/// <summary>Which part of a cohort a case belongs to: training and test come from the internal hospital,
/// independent cases from hospitals and scanners never seen in training.</summary>
public enum CohortSplit
{
    Train,
    Test,
    Independent,
}

public static class CohortSplits
{
    /// <summary>The manifest spelling: train, test, independent.</summary>
    public static string Name(this CohortSplit split) => split.ToString().ToLowerInvariant();
}

/// <summary>Output grid: the scanner's own 512×512 grid, or a coarser one for fast training.</summary>
public enum RenderSize
{
    Reduced,
    Full,
}
