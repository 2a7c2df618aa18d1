using OsteoML.Domain;
using OsteoML.Evaluation.Plots;
using OsteoML.Imaging;
using OsteoML.Imaging.Filtering;
using OsteoML.Pipelines.Fractures;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Studies;
using OsteoML.Pipelines.Trends;
using OsteoML.Pipelines.Volumes;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Rendering;

namespace OsteoML.Validation.Trends;

/// <summary>
/// Scores <see cref="TrendAnalysis"/> against a synthetic cohort's follow-up truth. Each case is rendered (reduced grid) and
/// measured the way QCT reads a level — mean HU of the true L1 and L2 trabecular masks' cores (one-voxel erosion), the covered
/// levels averaged — and turned into BMD by a least-squares line of true BMD on HU over the baseline studies: one line for
/// all scanners (no site calibration) or one per scanner (site calibration). The lines are fitted on the same cohort's
/// baselines: the trend depends on their slopes, not on any follow-up. The precision comes from the cohort's rescans.
/// </summary>
public static class TrendValidation
{
    /// <summary>Renders and measures every case of <paramref name="cohort"/> (in cohort order, a few in parallel).</summary>
    public static IReadOnlyList<MeasuredCase> Measure(SyntheticCohort cohort)
    {
        var measured = new List<MeasuredCase>();
        foreach (var c in cohort.Generate(options: RenderOptions.Reduced))
        {
            var segmentation = ReferenceSegmentation.FromLabels(c.Labels, ReferenceSegmentation.SyntheticLevel, c.CaseId, "reference", 2.0);
            var levels = LevelCoreHu(c);
            var present = levels.OfType<double>().ToList();
            measured.Add(new MeasuredCase(c.Spec, present.Count > 0 ? present.Average() : null, Grades(c, segmentation))
            {
                LevelHu = levels, Tissues = Tissues(c, segmentation),
            });
        }
        return measured;
    }

    /// <summary>The reference tissues' HUs as screening measures them (<see cref="ReferenceTissues.Measure"/> on the model grid of the
    /// segmentation, here the true masks'); NaN where a tissue is not found.</summary>
    public static double[] Tissues(SyntheticCase c, VertebraSegmentation segmentation)
    {
        if (!segmentation.Identified) return [double.NaN, double.NaN, double.NaN, double.NaN];
        var grid = new CanonicalGrid(c.Hu.Geometry, segmentation.ModelSpacingMm);
        return ReferenceTissues.Measure(grid.Resample(c.Hu), grid.Size, grid.SpacingMm, segmentation.ModelLevels,
            VertebraSegmentation.LevelCode("L1"), VertebraSegmentation.LevelCode("L2"));
    }

    /// <summary>Genant grades of the levels graded on the case's true trabecular masks, as screening grades them (docs/fractures.md).</summary>
    public static IReadOnlyDictionary<string, int> Grades(SyntheticCase c) =>
        Grades(c, ReferenceSegmentation.FromLabels(c.Labels, ReferenceSegmentation.SyntheticLevel, c.CaseId, "reference", 2.0));

    private static IReadOnlyDictionary<string, int> Grades(SyntheticCase c, VertebraSegmentation segmentation)
    {
        return VertebralFractures.Assess(segmentation, c.Hu.Geometry, c.SliceThicknessMm)
            .Where(a => a.GenantGrade is not null).ToDictionary(a => a.Level, a => a.GenantGrade!.Value, StringComparer.Ordinal);
    }

    /// <summary>Mean HU over the one-voxel-eroded true trabecular masks of L1 and L2, averaged over the levels with a core; null when neither has one.</summary>
    public static double? CoreMeanHu(SyntheticCase c) => LevelCoreHu(c).OfType<double>().ToList() is { Count: > 0 } means ? means.Average() : null;

    /// <summary>Mean HU over the one-voxel-eroded true trabecular mask of L1 and of L2; null for a level without a core.</summary>
    public static IReadOnlyList<double?> LevelCoreHu(SyntheticCase c)
    {
        var means = new List<double?>();
        foreach (var level in new[] { VertebralLevel.L1, VertebralLevel.L2 })
        {
            var label = SyntheticLabels.Trabecular(level);
            var core = BinaryMorphology.Erode(c.Labels.Map(v => v == label));
            double sum = 0;
            var n = 0;
            for (var i = 0; i < core.Voxels.Length; i++)
                if (core.Voxels[i]) { sum += c.Hu.Voxels[i]; n++; }
            // A level cut by the scan's edge leaves a sliver: too few voxels to be a QCT ROI.
            means.Add(n >= 20 ? sum / n : null);
        }
        return means;
    }

    /// <summary>The results the measured cases would give: BMD from the global or per-scanner line, keyed patient, study date.</summary>
    public static IReadOnlyList<StudyResult> Results(IReadOnlyList<MeasuredCase> cases, PatientKeyer keyer, bool siteCalibration)
    {
        var baselines = cases.Where(c => c.Spec.FollowUp?.Visit is null or VisitKind.Baseline && c.MeanHu is not null).ToList();
        LeastSquaresLine Line(IEnumerable<MeasuredCase> fit)
        {
            var list = fit.ToList();
            return LeastSquaresLine.Fit(list.Select(c => c.MeanHu!.Value).ToList(), list.Select(c => c.Spec.Bone.TrueL1L2).ToList())
                   ?? throw new InvalidOperationException("too few baseline studies to fit a HU-to-BMD line.");
        }
        var global = Line(baselines);
        var perScanner = baselines.GroupBy(c => c.Spec.Scanner.Id).ToDictionary(g => g.Key, g => Line(g));
        return cases.Select(c =>
        {
            var calibrated = siteCalibration && perScanner.ContainsKey(c.Spec.Scanner.Id);
            var line = calibrated ? perScanner[c.Spec.Scanner.Id] : global;
            return new StudyResult
            {
                StudyInstanceUid = c.Spec.Identity.StudyInstanceUid,
                SeriesInstanceUid = c.Spec.Identity.SeriesInstanceUid,
                SiteKey = c.Spec.Hospital.Id + "|" + c.Spec.Scanner.Id,
                Status = c.MeanHu is null ? StudyStatus.Refused : StudyStatus.Ok,
                Bmd = c.MeanHu is { } hu ? Math.Round(line.At(hu), 2) : null,
                CalibrationProfile = calibrated ? $"{c.Spec.Scanner.Id}: per-scanner line" : null,
                PatientKey = keyer.Key(c.Spec.Identity.PatientId),
                StudyDate = DateOnly.FromDateTime(c.Spec.Acquisition.StudyDateTime),
                // The bundle's HU line at each level (the global line, as a bundle's estimates are before site calibration), the
                // tissues and the contrast flag: what a screened result carries for the trend's per-scan tissue correction.
                Levels = c.LevelHu.Select((hu, i) => new LevelResult(i == 0 ? "L1" : "L2", hu, null, null, null, null, null,
                    hu is { } h ? Math.Round(global.At(h), 1) : null)).ToList(),
                Tissues = MeasureColumns.Tissues.Select((name, i) => (name, value: i < c.Tissues.Count && double.IsFinite(c.Tissues[i]) ? (double?)Math.Round(c.Tissues[i], 1) : null))
                    .ToDictionary(t => t.name, t => t.value),
                QaFlags = c.Tissues.Count == 4 && c.Tissues[3] > new MeasurementOptions().ContrastAortaHu ? [QaFlags.ContrastSuspected] : [],
                Kvp = c.Spec.Acquisition.Kvp,
                Vertebrae = c.GenantGrades.Select(g => new VertebraResult { Level = g.Key, GenantGrade = g.Value }).ToList(),
            };
        }).ToList();
    }

    /// <summary>The report's patients scored against the truth: losses beyond 2 × LSC found with their sign, stable patients called significant.</summary>
    public static TrendValidationScore Score(TrendReport report, IReadOnlyList<MeasuredCase> cases, PatientKeyer keyer)
    {
        var truth = cases.Where(c => c.Spec.FollowUp is not null)
            .GroupBy(c => keyer.Key(c.Spec.Identity.PatientId)!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Where(c => c.Spec.FollowUp!.Visit == VisitKind.FollowUp).OrderBy(c => c.Spec.FollowUp!.YearsSinceBaseline).ToList(),
                StringComparer.Ordinal);
        int losses = 0, lossesFound = 0, stable = 0, stableFlagged = 0, otherScanner = 0, otherScannerFlagged = 0;
        int fractured = 0, fracturesFound = 0, unfractured = 0, fracturesFalse = 0;
        foreach (var patient in report.Patients)
        {
            if (truth.TryGetValue(patient.PatientKey, out var visits) && visits.Count > 0)
            {
                // Per patient: a true new fracture (any level) against any level whose grade rose.
                var truthNew = visits.Any(v => v.Spec.FollowUp!.NewFractures.Count > 0);
                var found = patient.NewFractures.Count > 0;
                if (truthNew) { fractured++; if (found) fracturesFound++; }
                else { unfractured++; if (found) fracturesFalse++; }
            }
            if (!truth.TryGetValue(patient.PatientKey, out var followUps) || followUps.Count == 0 || patient.Fit is null) continue;
            var change = followUps[^1].Spec.FollowUp!.TrueBmdChange;
            if (change < -2 * report.Precision.Lsc)
            {
                losses++;
                if (patient.Status == TrendStatus.SignificantLoss) lossesFound++;
            }
            else if (change == 0)
            {
                stable++;
                var flagged = patient.Status is TrendStatus.SignificantLoss or TrendStatus.SignificantGain;
                if (flagged) stableFlagged++;
                if (patient.ScannerChange != ScannerChange.None)
                {
                    otherScanner++;
                    if (flagged) otherScannerFlagged++;
                }
            }
        }
        return new TrendValidationScore(report.Patients.Count(p => p.Fit is not null), losses, lossesFound, stable, stableFlagged, otherScanner, otherScannerFlagged,
            report.Precision)
        {
            NewFractures = fractured, NewFracturesFound = fracturesFound, WithoutNewFracture = unfractured, NewFracturesFalse = fracturesFalse,
        };
    }
}
