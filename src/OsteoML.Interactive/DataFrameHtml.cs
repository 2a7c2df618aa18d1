using System.Globalization;
using Microsoft.Data.Analysis;

namespace OsteoML.Interactive;

/// <summary>A DataFrame as an HTML table: one header cell per column, in order, then at most <c>maxRows</c> rows.</summary>
internal static class DataFrameHtml
{
    public static void Write(DataFrame frame, TextWriter writer, int maxRows)
    {
        var shown = Math.Min(frame.Rows.Count, Math.Max(0, maxRows));
        writer.Write("<table><thead><tr>");
        foreach (var column in frame.Columns) HtmlCells.Cell(writer, "th", column.Name);
        writer.Write("</tr></thead><tbody>");
        for (long row = 0; row < shown; row++)
        {
            writer.Write("<tr>");
            foreach (var column in frame.Columns) HtmlCells.Cell(writer, "td", column[row]);
            writer.Write("</tr>");
        }
        writer.Write("</tbody></table>");
        var hidden = frame.Rows.Count - shown;
        if (hidden > 0)
            writer.Write($"<p>… {hidden.ToString(CultureInfo.InvariantCulture)} more row{(hidden == 1 ? "" : "s")} ({frame.Rows.Count.ToString(CultureInfo.InvariantCulture)} in all)</p>");
    }
}
