using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using OsteoML.Tests.Interactive;

namespace OsteoML.Tests.Notebooks;

/// <summary>
/// What a notebook's first cell does, in a C# kernel as the notebook runner sets it up: reference OsteoML.Interactive,
/// call <c>OsteoMLFormatters.Register()</c>, then <c>display(…)</c> a DataFrame and a screening result — both come
/// back as text/html tables, not as the default formatter's list of row objects.
/// </summary>
[TestClass]
public sealed class InteractiveFormattersInKernelTests
{
    [TestMethod]
    public async Task DisplayedDataFramesAndResultsAreHtmlTablesAfterRegistration()
    {
        using var kernel = new CSharpKernel().UseKernelHelpers();
        var code = $$"""
            #r "{{Path.Combine(AppContext.BaseDirectory, "OsteoML.Interactive.dll")}}"
            #r "{{Path.Combine(AppContext.BaseDirectory, "Microsoft.Data.Analysis.dll")}}"
            #r "{{Path.Combine(AppContext.BaseDirectory, "OsteoML.Pipelines.dll")}}"
            using Microsoft.Data.Analysis;
            OsteoML.Interactive.OsteoMLFormatters.Register();
            var frame = new DataFrame(new StringDataFrameColumn("site", ["a", "b<c"]), new DoubleDataFrameColumn("bmd", [101.5, 88.25]));
            display(frame);
            display(new OsteoML.Pipelines.Screening.StudyResult { StudyInstanceUid = "1", SeriesInstanceUid = "2", SiteKey = "s",
                Status = OsteoML.Pipelines.Screening.StudyStatus.Ok, Bmd = 93.5, Class = "osteopenia" });
            """;
        var result = await kernel.SendAsync(new SubmitCode(code));
        var failed = result.Events.OfType<CommandFailed>().FirstOrDefault();
        Assert.IsNull(failed, failed?.Message);

        var html = result.Events.OfType<DisplayedValueProduced>()
            .Select(e => e.FormattedValues.SingleOrDefault(f => f.MimeType == "text/html")?.Value).ToList();
        Assert.AreEqual(2, html.Count, "two values displayed");
        Assert.IsNotNull(html[0], "the DataFrame was displayed as text/html");
        StringAssert.StartsWith(html[0], "<table>");
        var frame = HtmlTable.Parse(html[0]!);
        CollectionAssert.AreEqual(new[] { "site", "bmd" }, frame.Headers.ToArray());
        CollectionAssert.AreEqual(new[] { "b<c", "88.25" }, frame.Rows[1].ToArray());

        Assert.IsNotNull(html[1], "the result was displayed as text/html");
        var study = HtmlTable.Parse(html[1]!);
        var cells = study.Headers.Zip(study.Rows.Single()).ToDictionary(p => p.First, p => p.Second);
        Assert.AreEqual("93.5", cells["BMD mg/cm³"]);
        Assert.AreEqual("osteopenia", cells["class"]);
    }
}
