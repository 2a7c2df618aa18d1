using System.Text;

namespace OsteoML.Evaluation.Reports;

/// <summary>GitHub-flavoured Markdown; figures are links to the PNG files next to the report.</summary>
internal static class MarkdownReportWriter
{
    public static string Write(IEnumerable<ReportBlock> blocks)
    {
        var text = new StringBuilder();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case Heading h:
                    text.Append('#', h.Level).Append(' ').AppendLine(h.Text);
                    break;
                case Paragraph p:
                    text.AppendLine(p.Text);
                    break;
                case BulletList list:
                    foreach (var item in list.Items) text.Append("- ").AppendLine(item);
                    break;
                case Table t:
                    text.AppendLine(Row(t.Header));
                    text.AppendLine(Row(t.Header.Select((_, i) => i == 0 ? "---" : "---:")));
                    foreach (var row in t.Rows) text.AppendLine(Row(row));
                    break;
                case Figure f:
                    text.AppendLine($"![{Cell(f.Caption)}]({f.RelativePath})");
                    break;
                default:
                    throw new NotSupportedException(block.GetType().Name);
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    private static string Row(IEnumerable<string> cells) => "| " + string.Join(" | ", cells.Select(Cell)) + " |";

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
