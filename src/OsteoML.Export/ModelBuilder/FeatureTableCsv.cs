using System.Globalization;
using System.Text;
using OsteoML.Domain;
using OsteoML.Pipelines.Heads;

namespace OsteoML.Export.ModelBuilder;

/// <summary>
/// The feature table as Model Builder reads it: one column per feature slot (<see cref="FeatureLayout.SlotNames"/>),
/// then <c>bmd_qct</c> (mg/cm³) and <c>class</c>. Numbers round-trip exactly (shortest "R" form); a missing value is
/// written <c>NaN</c>, because ML.NET's text loader reads an empty numeric field as 0. No patient or study identifiers.
/// </summary>
public static class FeatureTableCsv
{
    public const string BmdColumn = "bmd_qct", ClassColumn = "class";

    public static IReadOnlyList<string> Header(FeatureLayout layout) => [.. layout.SlotNames, BmdColumn, ClassColumn];

    public static void Write(string path, FeatureLayout layout, IEnumerable<ScreeningHeads.FeatureRow> rows)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', Header(layout)).Append('\n');
        var line = 0;
        foreach (var row in rows)
        {
            line++;
            if (row.Features.Length != layout.Length)
                throw new ArgumentException($"feature row {line} has {row.Features.Length} values; the heads take {layout.Length}.");
            foreach (var value in row.Features) text.Append(Number(value)).Append(',');
            text.Append(Number(row.Bmd)).Append(',').Append(row.Class).Append('\n');
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }

    private static string Number(float value) => float.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);
}
