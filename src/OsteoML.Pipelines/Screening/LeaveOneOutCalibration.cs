using OsteoML.Calibration;
using OsteoML.Domain;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Pipelines.Screening;

/// <summary>
/// Site calibration measured honestly on a labelled external set: each study is predicted by the profile fitted on
/// the other studies of its site (leave-one-patient-out, k = the site's other cases), so no study is calibrated on
/// itself; a site with fewer than <see cref="SiteCalibrator.MinimumCases"/> other cases stays global and says so.
/// With <c>localCases</c> = k, each study's profile is fitted on k of those other studies instead (whole patients drawn
/// at random, seeded): what a site with k local QCT cases gets, measured on every study of the site.
/// </summary>
public static class LeaveOneOutCalibration
{
    public static IReadOnlyList<StudyResult> Apply(IReadOnlyList<(StudyRow Study, StudyResult Result, IReadOnlyList<double>? Tissues)> studies,
        GlobalModelIdentity model, SiteCalibrationOptions? options = null, int? localCases = null, int seed = 1)
    {
        options ??= new SiteCalibrationOptions { BootstrapReplicates = 0 };
        var output = studies.Select(s => s.Result).ToArray();
        var random = new Random(seed);
        foreach (var site in Enumerable.Range(0, studies.Count).Where(i => studies[i].Result.GlobalBmd is not null && studies[i].Study.HasLabels)
                     .GroupBy(i => studies[i].Study.SiteKey))
        {
            foreach (var i in site)
            {
                var candidates = site.Where(j => studies[j].Study.PatientId != studies[i].Study.PatientId).ToList();
                if (localCases is { } k && candidates.Count > k)
                {
                    var patients = candidates.Select(j => studies[j].Study.PatientId).Distinct().Order(StringComparer.Ordinal).ToArray();
                    random.Shuffle(patients);
                    var drawn = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var p in patients)
                    {
                        if (candidates.Count(j => drawn.Contains(studies[j].Study.PatientId)) >= k) break;
                        drawn.Add(p);
                    }
                    candidates = candidates.Where(j => drawn.Contains(studies[j].Study.PatientId)).ToList();
                }
                var others = candidates
                    .Select(j => new CalibrationCase(studies[j].Study.PatientId, studies[j].Result.GlobalBmd!.Value, studies[j].Study.Bmd,
                        studies[j].Tissues is { } t && t.All(double.IsFinite) ? t : null))
                    .ToList();
                if (others.Any(o => o.Tissues is null)) others = others.Select(o => o with { Tissues = null }).ToList();
                if (others.Count < SiteCalibrator.MinimumCases)
                {
                    output[i] = output[i] with { CalibrationNote = $"site has {others.Count} other labelled case(s): global model used" };
                    continue;
                }
                var profile = SiteCalibrator.Calibrate(site.Key, others, model, options, DateTimeOffset.UnixEpoch);
                var applied = profile.Apply(studies[i].Result.GlobalBmd!.Value, others[0].Tissues is null ? null : studies[i].Tissues);
                output[i] = output[i] with
                {
                    Bmd = Math.Round(applied.Bmd, 2),
                    Class = AcrClasses.Names[applied.ClassIndex],
                    Probabilities = applied.Probabilities!.Select(p => Math.Round(p, 5)).ToArray(),
                    CalibrationProfile = applied.Profile + (localCases is null ? " (leave-one-out)" : $" ({others.Count} other local cases)"),
                    CalibrationNote = applied.Note,
                };
            }
        }
        return output;
    }
}
