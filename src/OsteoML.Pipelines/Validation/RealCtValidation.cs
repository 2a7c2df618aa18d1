using System.Diagnostics;
using OsteoML.Imaging;
using OsteoML.Imaging.Filtering;
using OsteoML.Inference;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Volumes;

namespace OsteoML.Pipelines.Validation;

/// <summary>
/// Measures the shipped segmentation and level count on real CTs with reference labels, as the pipeline runs them (the
/// CT read as screening reads it, the segmenter's sliding window and level rule, the measurement's ROI). The judge is the
/// reference: a level we name is checked against the reference level our mask overlaps most, so a wrong level is caught
/// even when its Dice against the right-named reference body is zero.
/// </summary>
public static class RealCtValidation
{
    public static ReferenceCaseResult Run(VertebraSegmenter segmenter, ReferenceCase reference, MeasurementOptions? options = null)
    {
        options ??= new MeasurementOptions();
        var clock = Stopwatch.StartNew();
        var ct = StudyVolumes.Read(reference.Ct, "");
        var hu = ct.Hu;
        var segmentation = segmenter.Segment(hu, ct.SeriesInstanceUid);
        var truth = ReferenceVertebrae.Load(reference.Labels, reference.Scheme, hu.Geometry, reference.BodyMask);

        var ours = VertebraSegmentation.Levels
            .Select(level => (level, mask: OurMask(hu.Geometry, segmentation, VertebraSegmentation.LevelCode(level))))
            .Where(p => p.mask is not null)
            .ToDictionary(p => p.level, p => p.mask!);
        var levels = new List<LevelComparison>();
        var order = VertebraSegmentation.Levels.Where(l => ours.ContainsKey(l) || truth.Masks.ContainsKey(l))
            .OrderBy(l => l is "L1" ? 0 : l is "L2" ? 1 : 2);
        foreach (var level in order)
        {
            ours.TryGetValue(level, out var mine);
            truth.Masks.TryGetValue(level, out var theirs);
            var eroded = theirs is null ? null : BinaryMorphology.Erode(theirs);
            var roi = mine is null ? null : StudyMeasurer.LevelRoi(hu, segmentation, level, options);
            var (refMean, refMedian) = eroded is null ? ((double?)null, (double?)null) : MeanMedian(hu, eroded);
            levels.Add(new LevelComparison(level,
                mine is null ? null : MostOverlapped(mine, truth),
                mine is null || theirs is null ? null : Dice(mine, theirs),
                mine is null || eroded is null ? null : Dice(mine, eroded),
                mine is null || theirs is null ? null : (Centroid(mine) - Centroid(theirs)).Length,
                roi is { RoiVoxels: > 0 } ? roi.MeanHu : null,
                roi is { RoiVoxels: > 0 } ? roi.MedianHu : null,
                refMean, refMedian,
                mine is null ? null : Count(mine) * hu.Geometry.VoxelVolumeMm3 / 1000,
                theirs is null ? null : Count(theirs) * hu.Geometry.VoxelVolumeMm3 / 1000));
        }
        var wrong = levels.Any(l => ours.ContainsKey(l.Level) && l.ReferenceLevelAtOurs is { } r && r != l.Level);
        var outcome = wrong ? RealCtOutcome.WrongLevel : segmentation.Status == LevelStatus.Identified ? RealCtOutcome.Correct : RealCtOutcome.Refused;
        return new ReferenceCaseResult(reference.CaseId, segmentation.Status, segmentation.Reason, outcome,
            ours.Keys.ToList(), VertebraSegmentation.Levels.Where(truth.Masks.ContainsKey).ToList(), levels, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Our trabecular mask of one level code on the native grid, or null when the level was not named.</summary>
    private static Volume<bool>? OurMask(VolumeGeometry geometry, VertebraSegmentation s, byte code)
    {
        var mask = new Volume<bool>(geometry);
        var any = false;
        for (var k = s.NativeLo[2]; k <= s.NativeHi[2]; k++)
        for (var j = s.NativeLo[1]; j <= s.NativeHi[1]; j++)
        for (var i = s.NativeLo[0]; i <= s.NativeHi[0]; i++)
            if (s.NativeLevelAt(i, j, k) == code) { mask[i, j, k] = true; any = true; }
        return any ? mask : null;
    }

    private static string? MostOverlapped(Volume<bool> mine, ReferenceVertebrae truth)
    {
        string? best = null;
        long bestCount = 0;
        foreach (var (level, mask) in truth.Masks)
        {
            long n = 0;
            for (var v = 0; v < mine.Voxels.Length; v++) if (mine.Voxels[v] && mask.Voxels[v]) n++;
            if (n > bestCount) (best, bestCount) = (level, n);
        }
        return best;
    }

    private static double Dice(Volume<bool> a, Volume<bool> b)
    {
        long both = 0, na = 0, nb = 0;
        for (var v = 0; v < a.Voxels.Length; v++)
        {
            if (a.Voxels[v]) na++;
            if (b.Voxels[v]) nb++;
            if (a.Voxels[v] && b.Voxels[v]) both++;
        }
        return na + nb == 0 ? double.NaN : 2.0 * both / (na + nb);
    }

    private static long Count(Volume<bool> mask) => mask.Voxels.LongCount(v => v);

    private static Vec3 Centroid(Volume<bool> mask)
    {
        var sum = Vec3.Zero;
        long n = 0;
        for (var k = 0; k < mask.Size.Z; k++)
        for (var j = 0; j < mask.Size.Y; j++)
        for (var i = 0; i < mask.Size.X; i++)
            if (mask[i, j, k]) { sum += mask.Geometry.IndexToWorld(i, j, k); n++; }
        return n == 0 ? Vec3.Zero : sum / n;
    }

    /// <summary>Mean and median HU inside a mask (numpy's median: the mean of the two middle values for an even count).</summary>
    public static (double? Mean, double? Median) MeanMedian(Volume<float> hu, Volume<bool> mask)
    {
        var values = new List<float>();
        for (var v = 0; v < mask.Voxels.Length; v++) if (mask.Voxels[v]) values.Add(hu.Voxels[v]);
        if (values.Count == 0) return (null, null);
        values.Sort();
        var mean = values.Average(v => (double)v);
        var median = LevelStatistics.Percentile(values, 50);
        return (mean, median);
    }
}
