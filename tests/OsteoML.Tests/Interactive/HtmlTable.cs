using System.Xml.Linq;

namespace OsteoML.Tests.Interactive;

/// <summary>
/// The first table of a formatter's HTML, parsed (the formatters write well-formed markup, so an XML parser reads it
/// and decodes the entities): header cells, body rows of cell texts, and the text after the table. Tests compare
/// these with the value that was formatted rather than with a fixed HTML string.
/// </summary>
internal sealed record HtmlTable(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, string After)
{
    /// <summary>The table, or null when the HTML is not one of ours (another formatter's markup need not be XML).</summary>
    public static HtmlTable? TryParse(string html)
    {
        try { return Parse(html); }
        catch (Exception e) when (e is System.Xml.XmlException or NullReferenceException or InvalidOperationException) { return null; }
    }

    public static HtmlTable Parse(string html)
    {
        var root = XElement.Parse($"<root>{html}</root>");
        var table = root.Elements("table").First();
        var headers = table.Element("thead")!.Descendants("th").Select(th => th.Value).ToList();
        var rows = table.Element("tbody")!.Elements("tr").Select(tr => (IReadOnlyList<string>)tr.Elements("td").Select(td => td.Value).ToList()).ToList();
        var after = string.Concat(table.ElementsAfterSelf().Select(e => e.Value));
        return new HtmlTable(headers, rows, after);
    }
}
