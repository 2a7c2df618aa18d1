using OsteoML.Calibration;

namespace OsteoML.Cli.Summaries;

/// <summary>One point of <c>calibrate --learning-curve</c>: site, calibration source, k, draws, and the means and SDs over draws (null with no draw).</summary>
internal sealed record LearningCurveSummary(string Site, string Source, int K, int Draws, double? MaeMean, double? MaeSd, double? BiasMean, double? AucMean, double? AucSd)
{
    public static LearningCurveSummary Of(LearningCurvePoint p) => new(p.Site, p.SourceLabel, p.K, p.Draws, F(p.MaeMean, p.Draws), F(p.MaeSd, p.Draws),
        F(p.BiasMean, p.Draws), F(p.AucMean, p.Draws), F(p.AucSd, p.Draws));

    private static double? F(double value, int draws) => draws > 0 && double.IsFinite(value) ? value : null;
}
