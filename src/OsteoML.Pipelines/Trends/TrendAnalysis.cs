using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Pipelines.Trends;

/// <summary>Groups results by patient key and reads each patient's BMD trend (<see cref="PatientTrend"/>); <see cref="TrendReport"/> holds the lot.</summary>
public static class TrendAnalysis
{
    public const double DaysPerYear = 365.25;

    public static double YearsBetween(DateOnly from, DateOnly to) => (to.DayNumber - from.DayNumber) / DaysPerYear;

    /// <summary>
    /// The trends of every keyed patient in <paramref name="results"/>. The precision is the options' or, when none is given,
    /// the rescan pairs' in these results; without either the analysis cannot say what is significant and throws.
    /// Two results of one series (a rescreen) count once: the last.
    /// </summary>
    public static TrendReport Analyze(IReadOnlyList<StudyResult> results, TrendOptions? options = null)
    {
        options ??= new TrendOptions();
        var studies = TrendStudy.FromAll(results, options)
            .GroupBy(s => s.SeriesInstanceUid, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        var unkeyed = results.Count - results.Count(r => r.PatientKey is { Length: > 0 } && r.StudyDate is not null);
        if (studies.Count == 0)
            throw new InvalidDataException($"none of the {results.Count} result(s) carries a patient key and study date; to link a patient's studies, {PatientKeyer.HowToEnable}.");
        var precision = options.Precision ?? MeasurementPrecision.FromStudies(studies)
            ?? throw new InvalidDataException($"the results hold no same-patient rescan pair (two studies within {MeasurementPrecision.RescanWindowDays} days) to measure the precision from: "
                                              + "give --lsc VALUE (mg/cm³, from the site's precision study) or --precision-from RESULTS.");
        var trends = studies.GroupBy(s => s.PatientKey, StringComparer.Ordinal)
            .Select(g => Trend(g.Key, g.OrderBy(s => s.StudyDate).ThenBy(s => s.StudyInstanceUid, StringComparer.Ordinal).ToList(), precision, options.NewFractureRule))
            .OrderBy(t => t.PatientKey, StringComparer.Ordinal)
            .ToList();
        return new TrendReport(trends, precision, unkeyed);
    }

    public static PatientTrend Trend(string patientKey, IReadOnlyList<TrendStudy> studies, MeasurementPrecision precision,
        NewFractureRule rule = NewFractureRule.IncidentModerateOrConfirmed)
    {
        var measured = studies.Where(s => s.Bmd is not null).ToList();
        var years = measured.Select(s => YearsBetween(measured[0].StudyDate, s.StudyDate)).ToList();
        var fit = measured.Count >= 2 && years[^1] * DaysPerYear > MeasurementPrecision.RescanWindowDays
            ? BmdTrendFit.Fit(years, measured.Select(s => s.Bmd!.Value).ToList(), precision.Sd)
            : null;
        var status = fit is null ? TrendStatus.NotEnoughStudies
            : Math.Abs(fit.Change) <= precision.Lsc ? TrendStatus.Stable
            : fit.Change < 0 ? TrendStatus.SignificantLoss : TrendStatus.SignificantGain;
        return new PatientTrend(patientKey, studies, status, fit, ScannerChangeOf(measured.Count > 0 ? measured : studies), NewFractures(studies, rule));
    }

    public static ScannerChange ScannerChangeOf(IReadOnlyList<TrendStudy> studies)
    {
        if (studies.Select(s => s.SiteKey).Distinct(StringComparer.Ordinal).Count() <= 1) return ScannerChange.None;
        return studies.All(s => s.SiteCalibrated) ? ScannerChange.Calibrated : ScannerChange.Uncalibrated;
    }

    /// <summary>Levels whose grade in a later study rose above the grade of the earliest study that graded them, under <paramref name="rule"/>:
    /// the first study of the qualifying rise and the highest grade reached since.</summary>
    public static IReadOnlyList<NewFracture> NewFractures(IReadOnlyList<TrendStudy> studies, NewFractureRule rule = NewFractureRule.IncidentModerateOrConfirmed)
    {
        var graded = new Dictionary<string, List<(DateOnly Date, int Grade)>>(StringComparer.Ordinal);
        foreach (var study in studies)
            foreach (var (level, grade) in study.GenantGrades)
            {
                if (!graded.TryGetValue(level, out var list)) graded[level] = list = [];
                list.Add((study.StudyDate, grade));
            }
        var found = new List<NewFracture>();
        foreach (var (level, series) in graded.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var baseline = series[0].Grade;
            NewFracture? fracture = null;
            for (var i = 1; i < series.Count; i++)
            {
                var grade = series[i].Grade;
                if (grade <= baseline) continue;
                if (fracture is not null)
                {
                    if (grade > fracture.ToGrade) fracture = fracture with { ToGrade = grade };
                    continue;
                }
                var clear = grade >= 2 || grade - baseline >= 2;
                var qualifies = rule switch
                {
                    NewFractureRule.AnyRise => true,
                    NewFractureRule.ModerateOrTwoGrades => clear,
                    // A mild call that the level's next study repeats is less likely the grader's flicker between studies.
                    NewFractureRule.ModerateOrConfirmed => clear || Confirmed(series, i),
                    NewFractureRule.IncidentModerateOrConfirmed => baseline == 0 && (clear || Confirmed(series, i)),
                    _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
                };
                if (qualifies) fracture = new NewFracture(level, baseline, grade, series[i].Date);
            }
            if (fracture is not null) found.Add(fracture);
        }
        return found;

        static bool Confirmed(List<(DateOnly Date, int Grade)> series, int i) => i + 1 < series.Count && series[i + 1].Grade >= series[i].Grade;
    }
}
