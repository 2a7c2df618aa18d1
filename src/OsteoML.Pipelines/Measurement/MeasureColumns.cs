namespace OsteoML.Pipelines.Measurement;

/// <summary>Names of the measure vectors' slots.</summary>
public static class MeasureColumns
{
    public const int LevelMeasureCount = 16, TissueCount = 4, AcquisitionCount = 2;

    public static IReadOnlyList<string> LevelMeasures { get; } =
        StudyMeasurer.MeasuredLevels.SelectMany(l => LevelStatistics.Fields.Select(f => $"{l.ToLowerInvariant()}_{f}")).ToArray();

    public static IReadOnlyList<string> Tissues { get; } = ReferenceTissues.Names.Select(n => $"{n}_hu").ToArray();

    public static IReadOnlyList<string> Acquisition { get; } = ["kvp", "slice_thickness_mm"];
}
