namespace OsteoML.Pipelines.Measurement;

/// <summary>Trabecular HU statistics of one vertebral level's ROI, and the size of its trabecular mask.</summary>
public sealed record LevelStatistics(string Level, double MeanHu, double MedianHu, double SdHu, double P10Hu, double P25Hu, double P75Hu,
    double P90Hu, double VolumeCm3, int RoiVoxels)
{
    public static readonly IReadOnlyList<string> Fields = ["mean_hu", "median_hu", "sd_hu", "p10_hu", "p25_hu", "p75_hu", "p90_hu", "volume_cm3"];

    public float[] ToVector() => [(float)MeanHu, (float)MedianHu, (float)SdHu, (float)P10Hu, (float)P25Hu, (float)P75Hu, (float)P90Hu, (float)VolumeCm3];

    /// <summary>The inverse of <see cref="ToVector"/>: level <paramref name="index"/>'s slots of a measure vector (missing slots
    /// read as NaN, so a short vector from an older cache gives an unmeasured level, not an exception).</summary>
    public static LevelStatistics FromVector(string level, IReadOnlyList<float> vector, int index)
    {
        double Slot(int field) => vector.Count > index * Fields.Count + field ? vector[index * Fields.Count + field] : double.NaN;
        return new(level, Slot(0), Slot(1), Slot(2), Slot(3), Slot(4), Slot(5), Slot(6), Slot(7), 0);
    }

    public static LevelStatistics Missing(string level) => new(level, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0);

    /// <summary>Statistics of <paramref name="values"/> (the ROI's HU); percentiles by linear interpolation (numpy's default).</summary>
    public static LevelStatistics Of(string level, List<float> values, double volumeCm3)
    {
        if (values.Count == 0) return Missing(level) with { VolumeCm3 = volumeCm3 };
        values.Sort();
        var mean = 0.0;
        foreach (var v in values) mean += v;
        mean /= values.Count;
        var ss = 0.0;
        foreach (var v in values) ss += (v - mean) * (v - mean);
        var sd = values.Count > 1 ? Math.Sqrt(ss / (values.Count - 1)) : 0;
        return new LevelStatistics(level, mean, Percentile(values, 50), sd, Percentile(values, 10), Percentile(values, 25),
            Percentile(values, 75), Percentile(values, 90), volumeCm3, values.Count);
    }

    /// <summary>numpy.percentile(…, method="linear") of sorted values.</summary>
    public static double Percentile(IReadOnlyList<float> sorted, double percent)
    {
        var position = percent / 100 * (sorted.Count - 1);
        var lo = (int)Math.Floor(position);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
    }
}
