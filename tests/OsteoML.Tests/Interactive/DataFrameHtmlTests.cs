using System.Globalization;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using OsteoML.Interactive;

namespace OsteoML.Tests.Interactive;

[TestClass]
public sealed class DataFrameHtmlTests
{
    private static DataFrame Frame(int rows) => new(
        new StringDataFrameColumn("site", Enumerable.Range(0, rows).Select(i => i == 1 ? "<b>A&B</b>" : $"site {i}")),
        new DoubleDataFrameColumn("bmd", Enumerable.Range(0, rows).Select(i => i == 2 ? (double?)null : 80.125 + i * 1.5)),
        new Int32DataFrameColumn("n", Enumerable.Range(0, rows).Select(i => i * 1000)),
        new SingleDataFrameColumn("auc", Enumerable.Range(0, rows).Select(i => 0.5f + i / 100f)));

    private static HtmlTable Render(DataFrame frame, int maxRows)
    {
        using var writer = new StringWriter();
        DataFrameHtml.Write(frame, writer, maxRows);
        return HtmlTable.Parse(writer.ToString());
    }

    [TestMethod]
    public void HeadersAreTheColumnNamesInOrderAndCellsTheValues()
    {
        var frame = Frame(4);
        var table = Render(frame, maxRows: 10);
        CollectionAssert.AreEqual(frame.Columns.Select(c => c.Name).ToArray(), table.Headers.ToArray());
        Assert.AreEqual(4, table.Rows.Count);
        Assert.AreEqual("", table.After, "no 'more rows' line when every row is shown");
        for (var row = 0; row < frame.Rows.Count; row++)
        {
            Assert.AreEqual(frame.Columns.Count, table.Rows[row].Count);
            for (var column = 0; column < frame.Columns.Count; column++)
                AssertCell(frame.Columns[column][row], table.Rows[row][column], $"row {row}, column {frame.Columns[column].Name}");
        }
    }

    [TestMethod]
    public void RowsBeyondTheLimitAreCountedNotShown()
    {
        var frame = Frame(30);
        var table = Render(frame, maxRows: 10);
        Assert.AreEqual(10, table.Rows.Count);
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).Select(i => (string)frame.Columns["site"][i]).ToArray(), table.Rows.Select(r => r[0]).ToArray(), "the first rows, in order");
        StringAssert.Contains(table.After, "… 20 more rows");
        StringAssert.Contains(table.After, "30 in all");
    }

    [TestMethod]
    public void MarkupInCellsAndHeadersIsEscaped()
    {
        var frame = new DataFrame(new StringDataFrameColumn("a<b", ["<script>alert(1)</script>", "x < y & z"]));
        using var writer = new StringWriter();
        DataFrameHtml.Write(frame, writer, 10);
        var html = writer.ToString();
        Assert.IsFalse(html.Contains("<script>"), html);
        StringAssert.Contains(html, "&lt;script&gt;");
        var table = HtmlTable.Parse(html);
        Assert.AreEqual("a<b", table.Headers.Single());
        Assert.AreEqual("x < y & z", table.Rows[1][0]);
    }

    [TestMethod]
    public void NumbersAreFormattedInvariantlyWhateverTheCulture()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var table = Render(new DataFrame(new DoubleDataFrameColumn("bmd", [12.5, 1234.75])), 10);
            CollectionAssert.AreEqual(new[] { "12.5", "1234.75" }, table.Rows.Select(r => r[0]).ToArray());
        }
        finally { CultureInfo.CurrentCulture = culture; }
    }

    [TestMethod]
    public void RegisteredFormatterIsUsedForTextHtml()
    {
        OsteoMLFormatters.Register();
        var frame = Frame(3);
        var table = HtmlTable.Parse(frame.ToDisplayString(OsteoMLFormatters.HtmlMimeType));
        CollectionAssert.AreEqual(frame.Columns.Select(c => c.Name).ToArray(), table.Headers.ToArray());
        Assert.AreEqual(3, table.Rows.Count);
    }

    private static void AssertCell(object? expected, string cell, string where)
    {
        switch (expected)
        {
            case null:
                Assert.AreEqual("", cell, where);
                break;
            case double or float:
                var value = Convert.ToDouble(expected, CultureInfo.InvariantCulture);
                Assert.AreEqual(value, double.Parse(cell, CultureInfo.InvariantCulture), Math.Abs(value) * 1e-5, where);
                break;
            case IFormattable formattable:
                Assert.AreEqual(formattable.ToString(null, CultureInfo.InvariantCulture), cell, where);
                break;
            default:
                Assert.AreEqual(expected.ToString(), cell, where);
                break;
        }
    }
}
