namespace OsteoML.Cli.Summaries;

/// <summary>What an <c>osteoml calibrate</c> run did, which decides the sections of its <see cref="CalibrateSummary"/>.</summary>
internal enum CalibrationRun
{
    /// <summary>Site profiles from local QCT cases (<c>--cases</c>): <see cref="CalibrateSummary.Sites"/>.</summary>
    Profiles,

    /// <summary><c>--learning-curve</c>: <see cref="CalibrateSummary.LearningCurve"/>.</summary>
    LearningCurve,

    /// <summary><c>--phantom</c>: <see cref="CalibrateSummary.Phantoms"/>.</summary>
    Phantom,
}
