using OsteoML.Domain;

using OsteoML.Pipelines.Screening;

namespace OsteoML.Interactive;

/// <summary>
/// A screening result as one compact table row: what a reader looks at first (status, BMD, class and its
/// probabilities, the L1/L2 trabecular HU the BMD rests on, the QA flags). The full record stays one
/// <c>result.ToJson(indented: true)</c> away; a failed or refused study adds its reason below the table.
/// </summary>
internal static class StudyResultHtml
{
    /// <summary>The table's columns, in order; the probability columns follow the ACR class order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["status", "BMD mg/cm³", "class", .. AcrClasses.Names.Select(name => $"P({name})"), "L1 HU", "L2 HU", "QA flags"];

    public static void Write(StudyResult result, TextWriter writer)
    {
        writer.Write("<table><thead><tr>");
        foreach (var column in Columns) HtmlCells.Cell(writer, "th", column);
        writer.Write("</tr></thead><tbody><tr>");
        foreach (var value in Values(result)) HtmlCells.Cell(writer, "td", value);
        writer.Write("</tr></tbody></table>");
        if ((result.Error ?? result.LevelReason) is { } reason)
            writer.Write($"<p>{HtmlCells.Escape(reason)}</p>");
    }

    /// <summary>The row's values, one per <see cref="Columns"/> entry.</summary>
    public static IReadOnlyList<object?> Values(StudyResult result)
    {
        double? Hu(string level) => result.Levels.FirstOrDefault(l => l.Level == level)?.MeanHu is { } hu ? Math.Round(hu, 1) : null;
        var probabilities = AcrClasses.Names.Select((_, i) => result.Probabilities is { } p && i < p.Count ? (object?)p[i] : null);
        return [result.Status.Name(), result.Bmd, result.Class, .. probabilities, Hu("L1"), Hu("L2"), string.Join(", ", result.QaFlags)];
    }
}
