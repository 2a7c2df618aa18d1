namespace OsteoML.Pipelines.Trends;

/// <summary>
/// Short-term precision of the BMD measurement and the least significant change it implies. Precision is the root-mean-square
/// SD over patients scanned twice within <see cref="RescanWindowDays"/> (ISCD: RMS-SD = √(Σdᵢ²/2m) over m pairs of
/// differences dᵢ); LSC = 2.77 × RMS-SD, the smallest difference of two measurements that is real with 95 % confidence
/// (1.96 × √2). ISCD asks for 30 patients scanned twice (or 15 three times) for a precision worth using.
/// </summary>
public sealed record MeasurementPrecision(double Sd, int Pairs, PrecisionSource Source)
{
    public const double LscFactor = 2.77;
    public const int RescanWindowDays = 31;
    public const int RecommendedPairs = 30;

    public double Lsc => LscFactor * Sd;

    public static MeasurementPrecision FromLsc(double lsc) =>
        lsc > 0 && double.IsFinite(lsc) ? new(lsc / LscFactor, 0, PrecisionSource.Given) : throw new ArgumentOutOfRangeException(nameof(lsc), lsc, "the LSC must be positive.");

    /// <summary>RMS-SD from the differences of rescan pairs; null without any pair.</summary>
    public static MeasurementPrecision? FromDifferences(IReadOnlyList<double> differences)
    {
        if (differences.Count == 0) return null;
        return new(Math.Sqrt(differences.Sum(d => d * d) / (2.0 * differences.Count)), differences.Count, PrecisionSource.Rescans);
    }

    /// <summary>The rescan pairs among studies: consecutive studies of one patient within <see cref="RescanWindowDays"/>, each study in at most one pair.</summary>
    public static MeasurementPrecision? FromStudies(IEnumerable<TrendStudy> studies)
    {
        var differences = new List<double>();
        foreach (var patient in studies.Where(s => s.Bmd is not null).GroupBy(s => s.PatientKey, StringComparer.Ordinal))
        {
            var ordered = patient.OrderBy(s => s.StudyDate).ThenBy(s => s.StudyInstanceUid, StringComparer.Ordinal).ToList();
            for (var i = 0; i + 1 < ordered.Count; i++)
            {
                if (ordered[i + 1].StudyDate.DayNumber - ordered[i].StudyDate.DayNumber > RescanWindowDays) continue;
                differences.Add(ordered[i + 1].Bmd!.Value - ordered[i].Bmd!.Value);
                i++;
            }
        }
        return FromDifferences(differences);
    }
}
