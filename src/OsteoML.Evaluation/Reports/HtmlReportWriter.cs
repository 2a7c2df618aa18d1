using System.Net;
using System.Text;

namespace OsteoML.Evaluation.Reports;

/// <summary>One self-contained HTML file: inline style, figures embedded as PNG data URIs, nothing fetched.</summary>
internal static class HtmlReportWriter
{
    private const string Style = """
        body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
        table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        th { background: #f0f3f7; }
        figure { margin: 1em 0; }
        figure img { max-width: 100%; border: 1px solid #eee; }
        figcaption { font-size: 0.9em; color: #555; }
        """;

    public static string Write(string title, IEnumerable<ReportBlock> blocks)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine($"<title>{Encode(title)}</title>");
        html.AppendLine($"<style>{Style}</style></head><body>");
        foreach (var block in blocks)
        {
            switch (block)
            {
                case Heading h:
                    html.AppendLine($"<h{h.Level}>{Encode(h.Text)}</h{h.Level}>");
                    break;
                case Paragraph p:
                    html.AppendLine($"<p>{Encode(p.Text)}</p>");
                    break;
                case BulletList list:
                    html.AppendLine("<ul>");
                    foreach (var item in list.Items) html.AppendLine($"<li>{Encode(item)}</li>");
                    html.AppendLine("</ul>");
                    break;
                case Table t:
                    html.AppendLine("<table><thead><tr>" + string.Concat(t.Header.Select(c => $"<th>{Encode(c)}</th>")) + "</tr></thead><tbody>");
                    foreach (var row in t.Rows)
                        html.AppendLine("<tr>" + string.Concat(row.Select(c => $"<td>{Encode(c)}</td>")) + "</tr>");
                    html.AppendLine("</tbody></table>");
                    break;
                case Figure f:
                    html.AppendLine($"<figure><img alt=\"{Encode(f.Caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(f.Png)}\">"
                        + $"<figcaption>{Encode(f.Caption)}</figcaption></figure>");
                    break;
                default:
                    throw new NotSupportedException(block.GetType().Name);
            }
        }
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
