using System.Globalization;
using System.Net;

namespace OsteoML.Interactive;

/// <summary>Cell text for the HTML tables: numbers in the invariant culture (a notebook on a German machine must not
/// show 12,5 in one table and 12.5 in the exported CSV), null as empty, everything HTML-escaped.</summary>
internal static class HtmlCells
{
    /// <summary>Significant digits shown for floating-point values: enough for mg/cm³ and AUCs, short enough to read.</summary>
    public const int SignificantDigits = 6;

    public static string Text(object? value) => value switch
    {
        null => "",
        double d => d.ToString("G" + SignificantDigits, CultureInfo.InvariantCulture),
        float f => f.ToString("G" + SignificantDigits, CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static string Escape(string text) => WebUtility.HtmlEncode(text);

    public static void Cell(TextWriter writer, string tag, object? value) =>
        writer.Write($"<{tag}>{Escape(Text(value))}</{tag}>");
}
