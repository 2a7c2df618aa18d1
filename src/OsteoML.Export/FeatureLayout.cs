using System.Globalization;
using System.Text;
using OsteoML.Pipelines;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Measurement;

namespace OsteoML.Export;

/// <summary>One column of the feature stages that the heads concatenate, and a name for each of its slots.</summary>
public sealed record FeaturePart(string Column, IReadOnlyList<string> SlotNames)
{
    public int Length => SlotNames.Count;
}

/// <summary>
/// The heads' input, part by part (<c>DenseNetFeatures</c>, <c>LevelMeasures</c>, <c>TissueHu</c>, <c>Acquisition</c>,
/// as the pipeline definition orders them) and slot by slot: the slot names are the feature table's CSV columns
/// (<c>densenet_000</c>, <c>l1_mean</c>, <c>air_hu</c>, <c>kvp</c>, …) and, in PascalCase, the Model Builder input's properties.
/// </summary>
public sealed record FeatureLayout(IReadOnlyList<FeaturePart> Parts)
{
    public int Length => Parts.Sum(p => p.Length);

    public IReadOnlyList<string> SlotNames => Parts.SelectMany(p => p.SlotNames).ToArray();

    /// <summary>The layout of columns of the given lengths, with the measurement stage's own slot names where it has them.</summary>
    public static FeatureLayout Of(IEnumerable<(string Column, int Length)> columns) =>
        new(columns.Select(c => new FeaturePart(c.Column, SlotNamesOf(c.Column, c.Length))).ToArray());

    private static IReadOnlyList<string> SlotNamesOf(string column, int length)
    {
        IReadOnlyList<string>? known = column switch
        {
            nameof(MeasureTrabecularBoneOutput.LevelMeasures) => MeasureColumns.LevelMeasures,
            nameof(MeasureTrabecularBoneOutput.TissueHu) => MeasureColumns.Tissues,
            nameof(MeasureTrabecularBoneOutput.Acquisition) => MeasureColumns.Acquisition,
            _ => null,
        };
        if (known is not null && known.Count == length) return known;
        var prefix = column == DenseNetFeatures.OutputColumn ? "densenet" : column.ToLowerInvariant();
        var digits = Math.Max(3, (length - 1).ToString(CultureInfo.InvariantCulture).Length);
        return Enumerable.Range(0, length).Select(i => $"{prefix}_{i.ToString(new string('0', digits), CultureInfo.InvariantCulture)}").ToArray();
    }

    /// <summary>A C# property name for a CSV column: <c>l1_mean</c> → <c>L1Mean</c>, <c>densenet_007</c> → <c>Densenet007</c>.</summary>
    public static string PropertyName(string column)
    {
        var name = new StringBuilder();
        foreach (var word in column.Split(['_', '-', ' ', '.'], StringSplitOptions.RemoveEmptyEntries))
            name.Append(char.ToUpperInvariant(word[0])).Append(word.AsSpan(1));
        if (name.Length == 0 || !char.IsLetter(name[0])) name.Insert(0, 'F');
        return name.ToString();
    }
}
