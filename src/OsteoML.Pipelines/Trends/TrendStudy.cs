using OsteoML.Calibration;
using OsteoML.Pipelines.Screening;

namespace OsteoML.Pipelines.Trends;

/// <summary>One screened study as the trend sees it: whose (the keyed patient), when, where, the BMD and each level's Genant grade;
/// with <see cref="TrendHuCorrection.ReferenceTissues"/> the BMD is on the ideal HU scale and <see cref="TissueScale"/> the study's
/// scale it was moved from (null when not corrected here).</summary>
public sealed record TrendStudy(string PatientKey, DateOnly StudyDate, string StudyInstanceUid, string SeriesInstanceUid, string SiteKey,
    bool SiteCalibrated, double? Bmd, IReadOnlyDictionary<string, int> GenantGrades, HuScale? TissueScale = null)
{
    /// <summary>The study of a result, or null when the result has no patient key or study date (screened without a key, or before schema 4).</summary>
    public static TrendStudy? From(StudyResult result) => From(result, null);

    /// <summary>As <see cref="From(StudyResult)"/>, the BMD put on the ideal scale by <paramref name="correction"/> when one is given.</summary>
    public static TrendStudy? From(StudyResult result, TissueHuCorrection? correction)
    {
        if (result.PatientKey is not { Length: > 0 } key || result.StudyDate is not { } date) return null;
        var grades = result.Vertebrae.Where(v => v.GenantGrade is not null)
            .GroupBy(v => v.Level, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(v => v.GenantGrade!.Value), StringComparer.Ordinal);
        var bmd = result.Status == StudyStatus.Ok ? result.Bmd : null;
        HuScale? scale = null;
        if (correction is not null) (bmd, scale, _) = correction.Correct(result);
        return new TrendStudy(key, date, result.StudyInstanceUid, result.SeriesInstanceUid, result.SiteKey, result.CalibrationProfile is not null,
            bmd, grades, scale);
    }

    /// <summary>The studies of <paramref name="results"/> under <paramref name="options"/>' HU correction (its slope read from these
    /// results unless given); throws when the correction is asked for and no slope can be had.</summary>
    public static IReadOnlyList<TrendStudy> FromAll(IReadOnlyList<StudyResult> results, TrendOptions options)
    {
        TissueHuCorrection? correction = null;
        if (options.HuCorrection == TrendHuCorrection.ReferenceTissues)
        {
            var slope = options.BmdPerHu ?? TissueHuCorrection.SlopeOf(results)
                ?? throw new InvalidDataException("the results hold no per-level BMD estimates to read the HU line's slope from: give the BMD per HU.");
            correction = new TissueHuCorrection(slope);
        }
        return results.Select(r => From(r, correction)).OfType<TrendStudy>().ToList();
    }
}
