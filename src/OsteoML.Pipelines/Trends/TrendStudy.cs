using OsteoML.Pipelines.Screening;

namespace OsteoML.Pipelines.Trends;

/// <summary>One screened study as the trend sees it: whose (the keyed patient), when, where, the BMD and each level's Genant grade.</summary>
public sealed record TrendStudy(string PatientKey, DateOnly StudyDate, string StudyInstanceUid, string SeriesInstanceUid, string SiteKey,
    bool SiteCalibrated, double? Bmd, IReadOnlyDictionary<string, int> GenantGrades)
{
    /// <summary>The study of a result, or null when the result has no patient key or study date (screened without a key, or before schema 4).</summary>
    public static TrendStudy? From(StudyResult result)
    {
        if (result.PatientKey is not { Length: > 0 } key || result.StudyDate is not { } date) return null;
        var grades = result.Vertebrae.Where(v => v.GenantGrade is not null)
            .GroupBy(v => v.Level, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(v => v.GenantGrade!.Value), StringComparer.Ordinal);
        return new TrendStudy(key, date, result.StudyInstanceUid, result.SeriesInstanceUid, result.SiteKey, result.CalibrationProfile is not null,
            result.Status == StudyStatus.Ok ? result.Bmd : null, grades);
    }
}
