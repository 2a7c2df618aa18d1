using System.Globalization;
using Microsoft.DotNet.Interactive.Formatting;
using OsteoML.Domain;
using OsteoML.Interactive;
using OsteoML.Pipelines.Screening;

namespace OsteoML.Tests.Interactive;

[TestClass]
public sealed class StudyResultHtmlTests
{
    private static StudyResult Screened() => new()
    {
        StudyInstanceUid = "1.2.3",
        SeriesInstanceUid = "1.2.3.4",
        SiteKey = "site-a",
        Status = StudyStatus.Ok,
        Bmd = 97.35,
        Class = AcrClasses.Osteopenia,
        Probabilities = [0.2, 0.7, 0.1],
        Levels = [new LevelResult("L1", 151.26, null, null, null, null, null, 96.0), new LevelResult("L2", 149.04, null, null, null, null, null, 98.7)],
        QaFlags = ["low_segmentation_confidence", "kvp<100"],
    };

    [TestMethod]
    public void ShowsStatusBmdClassProbabilitiesLevelsAndFlags()
    {
        OsteoMLFormatters.Register();
        var result = Screened();
        var table = HtmlTable.Parse(result.ToDisplayString(OsteoMLFormatters.HtmlMimeType));
        CollectionAssert.AreEqual(StudyResultHtml.Columns.ToArray(), table.Headers.ToArray());
        var cells = table.Headers.Zip(table.Rows.Single()).ToDictionary(p => p.First, p => p.Second);
        Assert.AreEqual("ok", cells["status"]);
        Assert.AreEqual(result.Bmd!.Value, double.Parse(cells["BMD mg/cm³"], CultureInfo.InvariantCulture));
        Assert.AreEqual(result.Class, cells["class"]);
        for (var i = 0; i < AcrClasses.Names.Count; i++)
            Assert.AreEqual(result.Probabilities![i], double.Parse(cells[$"P({AcrClasses.Names[i]})"], CultureInfo.InvariantCulture));
        Assert.AreEqual("151.3", cells["L1 HU"]);
        Assert.AreEqual("149", cells["L2 HU"]);
        Assert.AreEqual(string.Join(", ", result.QaFlags), cells["QA flags"], "flags as written, '<' escaped in the markup and decoded here");
    }

    [TestMethod]
    public void ARefusedStudyShowsEmptyValuesAndItsReason()
    {
        var refused = Screened() with { Status = StudyStatus.Refused, Bmd = null, Class = null, Probabilities = null, Levels = [], LevelReason = "no L1/L2 named" };
        using var writer = new StringWriter();
        StudyResultHtml.Write(refused, writer);
        var table = HtmlTable.Parse(writer.ToString());
        var cells = table.Headers.Zip(table.Rows.Single()).ToDictionary(p => p.First, p => p.Second);
        Assert.AreEqual(refused.Status.Name(), cells["status"]);
        Assert.AreEqual("", cells["BMD mg/cm³"]);
        Assert.AreEqual("", cells["L1 HU"]);
        Assert.AreEqual("no L1/L2 named", table.After);
    }
}
