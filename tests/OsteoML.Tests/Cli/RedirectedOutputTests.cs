using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OsteoML.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Cli;

/// <summary>
/// Output that goes to a file or another program rather than a terminal: tables are as wide as their content (Spectre
/// would wrap them at 80 columns), and <c>--json</c> replaces them with one JSON object.
/// </summary>
[TestClass]
public sealed class RedirectedOutputTests
{
    private const string LongSite = "St-Elisabeth-Hospital-Department-of-Radiology-North-Wing-SIEMENS-SOMATOM-Definition-AS-plus-CT2";

    /// <summary>Twelve studies at two sites, one with a site name longer than a terminal line.</summary>
    private static string Predictions(string directory)
    {
        var lines = new List<string> { "id,split,site,bmd_true,bmd_pred,class_true,p_normal,p_osteopenia,p_osteoporosis" };
        var random = new Random(5);
        for (var i = 0; i < 12; i++)
        {
            var truth = 60 + 10 * i;
            var predicted = truth + random.Next(-9, 10);
            var @class = truth < 80 ? "osteoporosis" : truth <= 120 ? "osteopenia" : "normal";
            var p = @class switch { "normal" => "0.7,0.2,0.1", "osteopenia" => "0.2,0.6,0.2", _ => "0.1,0.3,0.6" };
            lines.Add($"P{i:00},test,{(i % 2 == 0 ? LongSite : "B")},{truth},{predicted},{@class},{p}");
        }
        var path = Path.Combine(directory, "predictions.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    [TestMethod]
    public void ATableWrittenToAFileKeepsEachRowOnOneLine()
    {
        var directory = TestPaths.NewTempDirectory("osteoml-redirected");
        var run = CliRun.Of("evaluate", "--predictions", Predictions(directory), "--by", "site", "--out", Path.Combine(directory, "out"), "--bootstrap", "0");
        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);
        // The row of the long site: its whole name, then its n (6) and patients (6) on the same line.
        var row = run.Out.Split('\n').SingleOrDefault(l => l.Contains(LongSite, StringComparison.Ordinal));
        Assert.IsNotNull(row, $"the site name is broken across lines:\n{run.Out}");
        Assert.IsTrue(Regex.IsMatch(row, Regex.Escape(LongSite) + @"\W+6\W+6\W"), row);
        Assert.IsGreaterThan(80, row.TrimEnd().Length, "wider than Spectre's 80 columns for redirected output");
    }

    /// <summary><c>evaluate --json</c>: stdout is one JSON object; its numbers are the CSV's (MAE recomputed here) and it names the files written.</summary>
    [TestMethod]
    public void EvaluateJsonIsOneObjectWithTheSubsetsAndFiles()
    {
        var directory = TestPaths.NewTempDirectory("osteoml-evaluate-json");
        var csv = Predictions(directory);
        var run = CliRun.Of("evaluate", "--predictions", csv, "--by", "site", "--out", Path.Combine(directory, "out"), "--bootstrap", "0", "--json");
        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);
        var summary = JsonNode.Parse(run.Out)!.AsObject();
        foreach (var file in new[] { "metricsJson", "reportMarkdown", "reportHtml" })
            Assert.IsTrue(File.Exists(summary[file]!.GetValue<string>()), file);
        Assert.IsTrue(summary["plots"]!.AsArray().Count > 0 && summary["plots"]!.AsArray().All(p => File.Exists(p!.GetValue<string>())), "plots");

        var rows = File.ReadLines(csv).Skip(1).Select(l => l.Split(',')).ToList();
        double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        var subsets = summary["subsets"]!.AsArray();
        Assert.HasCount(3, subsets, "all rows, then each site");
        Assert.AreEqual("all rows", subsets[0]!["subset"]!.GetValue<string>());
        Assert.AreEqual(rows.Count, subsets[0]!["n"]!.GetValue<int>());
        Assert.AreEqual(rows.Average(r => Math.Abs(D(r[4]) - D(r[3]))), subsets[0]!["metrics"]!["mae"]!.GetValue<double>(), 1e-9);
        var longSite = subsets.Single(s => s!["subset"]!.GetValue<string>().Contains(LongSite, StringComparison.Ordinal))!;
        Assert.AreEqual(rows.Where(r => r[2] == LongSite).Average(r => Math.Abs(D(r[4]) - D(r[3]))), longSite["metrics"]!["mae"]!.GetValue<double>(), 1e-9);
    }
}
