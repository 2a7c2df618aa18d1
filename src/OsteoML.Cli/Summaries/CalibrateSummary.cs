namespace OsteoML.Cli.Summaries;

/// <summary>
/// <c>osteoml calibrate --json</c>: what ran, where it wrote (the bundle, or the learning curve's folder), the cases or
/// series skipped, and the section of that run — the sites calibrated and refused, the learning curve, or the phantom
/// fits; the other sections are empty.
/// </summary>
internal sealed record CalibrateSummary(CalibrationRun Run, string Directory, int Skipped)
{
    public IReadOnlyList<SiteCalibrationSummary> Sites { get; init; } = [];

    /// <summary>Why each refused site got no profile (one line each).</summary>
    public IReadOnlyList<string> Refused { get; init; } = [];

    public IReadOnlyList<LearningCurveSummary> LearningCurve { get; init; } = [];
    public IReadOnlyList<PhantomFitSummary> Phantoms { get; init; } = [];
}
