using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OsteoML.Cli;
using OsteoML.Domain;
using OsteoML.Evaluation;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Evaluation;

/// <summary>
/// <c>osteoml evaluate</c> in-process on a generated study-like file (--by split,site), once; then its
/// metrics.json is checked against scikit-learn/scipy computed from the same CSV by Python, and the
/// report and plots are checked for what they must contain.
/// </summary>
[TestClass]
public sealed class EvaluateCommandTests
{
    private const int Replicates = 200;
    private static string directory = null!;
    private static string output = null!;
    private static string csv = null!;
    private static CliRun run = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void RunEvaluate(TestContext _)
    {
        directory = TestPaths.NewTempDirectory("osteoml-evaluate");
        csv = PredictionsFile.Write(directory, seed: 41, n: 400);
        output = Path.Combine(directory, "out");
        run = CliRun.Of("evaluate", "--predictions", csv, "--by", "split,site", "--out", output, "--bootstrap", Replicates.ToString(), "--seed", "7");
    }

    [ClassCleanup]
    public static void Remove() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    public void Succeeds_and_names_what_it_wrote()
    {
        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);
        Assert.AreEqual("", run.Error);
        StringAssert.Contains(run.Out, "metrics.json");
        StringAssert.Contains(run.Out, "site B");
        Assert.IsFalse(Regex.IsMatch(run.Out, @"\bP\d{4}\b"), "no patient id in the console output");
    }

    [TestMethod]
    public void Metrics_json_has_exactly_the_issue_shape()
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")))!.AsObject();
        CollectionAssert.AreEqual(new[] { "classes", "bootstrap", "subsets" }, Keys(json));
        string[] metricKeys = ["auc", "accuracy", "precision", "recall", "specificity", "f1"];
        string[] regressionKeys = ["mae", "rmse", "r2", "pearsonR", "pearsonP", "baBias", "baLoaLow", "baLoaHigh"];
        string[] aucKeys = ["normal", "osteopenia", "osteoporosis", "mean"];
        foreach (var subset in json["subsets"]!.AsArray().Select(s => s!.AsObject()))
        {
            CollectionAssert.AreEqual(new[] { "by", "n", "classification", "regression", "ci" }, Keys(subset));
            Assert.AreEqual(JsonValueKind.Number, subset["n"]!.GetValueKind());
            var classification = subset["classification"]!.AsObject();
            CollectionAssert.AreEqual(metricKeys.Append("confusion").ToArray(), Keys(classification));
            CollectionAssert.AreEqual(aucKeys, Keys(classification["auc"]!.AsObject()));
            CollectionAssert.AreEqual(regressionKeys, Keys(subset["regression"]!.AsObject()));
            var ci = subset["ci"]!.AsObject();
            CollectionAssert.AreEqual(metricKeys.Concat(regressionKeys).ToArray(), Keys(ci));
            CollectionAssert.AreEqual(aucKeys, Keys(ci["auc"]!.AsObject()));
            foreach (var value in Leaves(subset).Except(Leaves(subset["by"])).Where(v => v is not null))
                Assert.AreEqual(JsonValueKind.Number, value!.GetValueKind(), "plain JSON numbers");
            Assert.IsNull(ci["pearsonP"], "a p-value has no interval");
            foreach (var (name, interval) in ci.Where(p => p.Key is not "auc" and not "pearsonP"))
            {
                var bounds = interval!.AsArray();
                Assert.HasCount(2, bounds, name);
                Assert.IsLessThanOrEqualTo(bounds[1]!.GetValue<double>(), bounds[0]!.GetValue<double>(), $"{name}: low ≤ high");
            }
        }
    }

    [TestMethod]
    public void Metrics_json_agrees_with_sklearn_on_every_subset()
    {
        var ours = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")))!["subsets"]!.AsArray();
        var reference = JsonNode.Parse(ExternalTool.Run(ExternalTool.DebianPython,
            [TestPaths.Data("evaluation", "evaluate_csv.py"), csv, "split,site"]).EnsureSuccess("evaluate_csv.py").StdOut)!.AsArray();
        Assert.HasCount(reference.Count, ours, "the same subsets");
        var agreement = new Agreement();
        for (var i = 0; i < reference.Count; i++)
        {
            var e = reference[i]!;
            var o = ours[i]!;
            var what = e["by"]!.ToJsonString();
            Assert.AreEqual(what, o["by"]!.ToJsonString(), "subset order and keys");
            Assert.AreEqual(e["n"]!.GetValue<int>(), o["n"]!.GetValue<int>(), what);
            var ec = e["classification"]!;
            var oc = o["classification"]!;
            for (var k = 0; k < 3; k++)
                agreement.Check(ec["auc"]![k], Number(oc["auc"]![AcrClasses.Names[k]]), $"{what} AUC {AcrClasses.Names[k]}");
            agreement.Check(ec["meanAuc"], Number(oc["auc"]!["mean"]), $"{what} mean AUC");
            foreach (var key in new[] { "accuracy", "precision", "recall", "specificity", "f1" })
                agreement.Check(ec[key], Number(oc[key]), $"{what} {key}");
            Assert.AreEqual(ec["confusion"]!.ToJsonString(), oc["confusion"]!.ToJsonString(), $"{what} confusion");
            var er = e["regression"]!;
            var or = o["regression"]!;
            foreach (var (theirs, key) in new[] { ("mae", "mae"), ("rmse", "rmse"), ("r2", "r2"), ("pearsonR", "pearsonR"), ("bias", "baBias"), ("loaLow", "baLoaLow"), ("loaHigh", "baLoaHigh") })
                agreement.Check(er[theirs], Number(or[key]), $"{what} {key}");
            agreement.Check(er["pearsonP"], Number(or["pearsonP"]), $"{what} pearsonP", floor: 1e-300);
        }
        TestContext.WriteLine($"metrics.json: {agreement.Compared} values over {reference.Count} subsets, max relative difference {agreement.MaxRelativeDifference:E2}");
    }

    [TestMethod]
    public void Intervals_are_the_patient_bootstrap_of_each_subset_with_the_given_seed_and_B()
    {
        var table = PredictionTable.ReadCsv(csv);
        var test = table.Rows.Where(r => r.Split == "test").ToArray();
        var bootstrap = new PatientBootstrap(test.Select(r => r.Id).ToArray(), Replicates, seed: 7);
        var expected = Metrics.Regression(test.Select(r => r.BmdTrue).ToArray(), test.Select(r => r.BmdPred).ToArray(), bootstrap).Ci!.Mae!;
        var subset = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")))!["subsets"]!.AsArray()
            .Single(s => s!["by"]!.ToJsonString() == """{"split":"test"}""")!;
        Assert.AreEqual(expected.Low, subset["ci"]!["mae"]![0]!.GetValue<double>());
        Assert.AreEqual(expected.High, subset["ci"]!["mae"]![1]!.GetValue<double>());
    }

    [TestMethod]
    public void Report_md_has_the_tables_the_study_numbers_and_links_to_existing_plots()
    {
        var md = File.ReadAllText(Path.Combine(output, "report.md"));
        StringAssert.StartsWith(md, "# OsteoML evaluation");
        StringAssert.Contains(md, "## Compared with the study");
        StringAssert.Contains(md, "| mean AUC | 0.970 |");           // the study's test AUC
        StringAssert.Contains(md, "| 10.257 |");                      // the study's independent MAE
        StringAssert.Contains(md, "macro averages");
        StringAssert.Contains(md, "Predicted class: the most probable class (argmax of the probabilities).");
        StringAssert.Contains(md, $"B = {Replicates}, seed 7");
        StringAssert.Contains(md, "< 0.001", "tiny p-values are shown as < 0.001");
        var links = Regex.Matches(md, @"!\[[^\]]*\]\((plots/[^)]+\.png)\)").Select(m => m.Groups[1].Value).ToArray();
        // all rows + 3 splits + 3 sites, four figures each, and two bar charts per grouping
        Assert.HasCount(7 * 4 + 2 * 2, links);
        foreach (var link in links)
            Assert.IsTrue(File.Exists(Path.Combine(output, link)), link);
        foreach (var kind in new[] { "roc", "scatter", "bland-altman", "confusion" })
            Assert.IsTrue(File.Exists(Path.Combine(output, "plots", $"{kind}-split-test.png")), kind);
        Assert.IsTrue(File.Exists(Path.Combine(output, "plots", "bars-site-classification.png")));
    }

    [TestMethod]
    public void Report_html_is_self_contained_with_embedded_pngs()
    {
        var html = File.ReadAllText(Path.Combine(output, "report.html"));
        StringAssert.StartsWith(html, "<!DOCTYPE html>");
        Assert.IsFalse(Regex.IsMatch(html, @"(src|href)\s*=\s*""(?!data:)"), "nothing loaded from elsewhere");
        var images = Regex.Matches(html, @"src=""data:image/png;base64,([^""]+)""").Select(m => Convert.FromBase64String(m.Groups[1].Value)).ToArray();
        Assert.HasCount(7 * 4 + 2 * 2, images);
        using (PngImage.AssertPng(images[0], 800, 600, "first embedded figure")) { }
        StringAssert.Contains(html, "<table>");
        StringAssert.Contains(html, "0.970");
        StringAssert.Contains(html, "&lt; 0.001");
    }

    private static string[] Keys(JsonObject o) => o.Select(p => p.Key).ToArray();

    private static double? Number(JsonNode? node) => node?.GetValue<double>();

    private static IEnumerable<JsonNode?> Leaves(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Leaves(p.Value)),
        JsonArray a => a.SelectMany(Leaves),
        _ => [node],
    };
}

/// <summary>The command's failures: one line, the right exit code, and what was wrong.</summary>
[TestClass]
public sealed class EvaluateCommandErrorTests
{
    [TestMethod]
    public void A_bad_row_fails_with_one_line_naming_row_and_column()
    {
        var dir = TestPaths.NewTempDirectory();
        var path = Path.Combine(dir, "bad.csv");
        File.WriteAllText(path, "id,split,site,bmd_true,bmd_pred,class_true,p_normal,p_osteopenia,p_osteoporosis\nP1,test,A,100,101,normal,0.5,0.3,0.2\nP2,test,A,100,?,normal,0.5,0.3,0.2\n");
        var run = CliRun.Of("evaluate", "--predictions", path, "--out", Path.Combine(dir, "out"));
        Assert.AreEqual(ExitCodes.Failure, run.ExitCode);
        Assert.AreEqual("error: bad.csv: row 3, column bmd_pred: '?' is not a number" + Environment.NewLine, run.Error);
        Assert.IsFalse(Directory.Exists(Path.Combine(dir, "out")), "nothing written for bad input");
        Directory.Delete(dir, recursive: true);
    }

    [TestMethod]
    public void A_missing_file_fails_with_its_name()
    {
        var run = CliRun.Of("evaluate", "--predictions", "/nonexistent/p.csv", "--out", TestPaths.NewTempDirectory());
        Assert.AreEqual(ExitCodes.Failure, run.ExitCode);
        StringAssert.StartsWith(run.Error, "error: predictions file not found: /nonexistent/p.csv");
    }

    [TestMethod]
    [DataRow("--by", "split,hospital", "cannot group by 'hospital'")]
    [DataRow("--bootstrap", "-5", "cannot be negative")]
    public void Bad_options_are_usage_errors(string option, string value, string message)
    {
        var run = CliRun.Of("evaluate", "--predictions", "p.csv", "--out", "o", option, value);
        Assert.AreEqual(ExitCodes.Usage, run.ExitCode);
        StringAssert.Contains(run.Error, message);
        StringAssert.Contains(run.Error, "Usage:");
    }

    [TestMethod]
    public void Predictions_and_out_are_required()
    {
        var run = CliRun.Of("evaluate", "--out", "o");
        Assert.AreEqual(ExitCodes.Usage, run.ExitCode);
        StringAssert.Contains(run.Error, "--predictions");
    }

    [TestMethod]
    public void A_subset_without_a_class_writes_null_and_says_so()
    {
        var dir = TestPaths.NewTempDirectory();
        // Site B has no osteoporosis case: its osteoporosis AUC is undefined (null), not 0.
        File.WriteAllText(Path.Combine(dir, "p.csv"), """
            id,split,site,bmd_true,bmd_pred,class_true,p_normal,p_osteopenia,p_osteoporosis
            P1,test,A,150,145,normal,0.7,0.2,0.1
            P2,test,A,100,104,osteopenia,0.2,0.6,0.2
            P3,test,A,60,66,osteoporosis,0.1,0.3,0.6
            P4,test,B,140,132,normal,0.6,0.3,0.1
            P5,test,B,95,90,osteopenia,0.3,0.5,0.2
            P6,test,B,130,126,normal,0.5,0.4,0.1
            P7,test,B,90,99,osteopenia,0.2,0.4,0.4
            """);
        var run = CliRun.Of("evaluate", "--predictions", Path.Combine(dir, "p.csv"), "--by", "site", "--out", Path.Combine(dir, "out"), "--bootstrap", "50");
        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);
        var siteB = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "out", "metrics.json")))!["subsets"]!.AsArray()
            .Single(s => s!["by"]!.ToJsonString() == """{"site":"B"}""")!;
        var auc = siteB["classification"]!["auc"]!;
        Assert.IsNull(auc["osteoporosis"]);
        Assert.IsNull(siteB["ci"]!["auc"]!["osteoporosis"]);
        // normal: positives 0.6, 0.5 vs negatives 0.3, 0.2 → 1; osteopenia: 0.5, 0.4 vs 0.4, 0.3 → (1 + 1 + ½ + 1)/4 = 0.875
        Assert.AreEqual(1.0, auc["normal"]!.GetValue<double>());
        Assert.AreEqual(0.875, auc["osteopenia"]!.GetValue<double>());
        Assert.AreEqual((1 + 0.875) / 2, auc["mean"]!.GetValue<double>(), 1e-15);
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "out", "report.md")), "site B: AUC of osteoporosis undefined (no osteoporosis case)");
        Directory.Delete(dir, recursive: true);
    }

    [TestMethod]
    public void A_one_row_subset_is_reported_with_what_is_undefined_and_the_rest_goes_on()
    {
        var dir = TestPaths.NewTempDirectory();
        File.WriteAllText(Path.Combine(dir, "p.csv"), """
            id,split,site,bmd_true,bmd_pred,class_true,p_normal,p_osteopenia,p_osteoporosis
            P1,test,A,150,145,normal,0.7,0.2,0.1
            P2,test,A,100,104,osteopenia,0.2,0.6,0.2
            P3,test,A,60,66,osteoporosis,0.1,0.3,0.6
            P4,test,Z,140,132,normal,0.6,0.3,0.1
            """);
        var run = CliRun.Of("evaluate", "--predictions", Path.Combine(dir, "p.csv"), "--by", "site", "--out", Path.Combine(dir, "out"), "--bootstrap", "20");
        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);
        var siteZ = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "out", "metrics.json")))!["subsets"]!.AsArray()
            .Single(s => s!["by"]!.ToJsonString() == """{"site":"Z"}""")!;
        Assert.AreEqual(1, siteZ["n"]!.GetValue<int>());
        Assert.AreEqual(1.0, siteZ["classification"]!["accuracy"]!.GetValue<double>());
        Assert.IsNull(siteZ["classification"]!["auc"]!["mean"], "one row has no negatives for any class");
        Assert.IsNull(siteZ["regression"]!["r2"]);
        Assert.IsNull(siteZ["regression"]!["pearsonR"]);
        Assert.IsNull(siteZ["regression"]!["baLoaLow"]);
        Assert.AreEqual(-8.0, siteZ["regression"]!["baBias"]!.GetValue<double>());
        Assert.IsTrue(File.Exists(Path.Combine(dir, "out", "plots", "scatter-site-z.png")));
        Directory.Delete(dir, recursive: true);
    }
}
