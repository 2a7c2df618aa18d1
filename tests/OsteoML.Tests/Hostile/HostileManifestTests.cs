using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Studies;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Hostile;

/// <summary>
/// Issue 22, class 7 (manifests) and class 10 (the rounding contract of class probabilities), on constructed inputs.
/// </summary>
[TestClass]
public sealed class HostileManifestTests
{
    private const string Header = "case_id,patient_id,study_uid,series_uid,series_dir,split,site,scanner,bmd_qct,class";

    private static string Row(string id, string dir, string bmd = "120.5", string series = "") =>
        $"{id},P{id},1.2.{id},{(series.Length > 0 ? series : "1.3." + id)},{dir},train,H1,CT1,{bmd},normal";

    private static string Write(params string[] lines)
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "manifest.csv");
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    private static string Refusal(params string[] lines)
    {
        var path = Write(lines);
        return Assert.Throws<InvalidDataException>(() => CohortManifest.Read(path)).Message;
    }

    [TestMethod]
    public void A_row_with_extra_or_missing_fields_names_the_file_and_row()
    {
        var extra = Refusal(Header, Row("a", "s/a"), Row("b", "s/b") + ",surplus");
        StringAssert.Contains(extra, "manifest.csv: row 3: 11 fields, the header has 10");
        var missing = Refusal(Header, "c,Pc,1.2,1.3,s/c");
        StringAssert.Contains(missing, "row 2: 5 fields, the header has 10");
    }

    [TestMethod]
    [DataRow("/etc", "is absolute")]
    [DataRow("../other-cohort/series", "climbs out with '..'")]
    [DataRow("series/../../etc", "climbs out with '..'")]
    [DataRow("C:\\\\Windows", "is absolute")]
    public void A_series_dir_outside_the_cohort_folder_is_refused(string dir, string rule)
    {
        var message = Refusal(Header, Row("a", "s/a"), Row("b", dir));
        StringAssert.Contains(message, "row 3, column series_dir");
        StringAssert.Contains(message, rule);
    }

    [TestMethod]
    public void A_link_inside_the_cohort_that_leads_out_of_it_fails_that_case()
    {
        var outside = TestPaths.NewTempDirectory();
        var path = Write(Header, Row("a", "linked"));
        Directory.CreateSymbolicLink(Path.Combine(Path.GetDirectoryName(path)!, "linked"), outside);
        var studies = StudySource.FromManifest(path);
        Assert.IsEmpty(studies.Studies);
        StringAssert.Contains(studies.Failures.Single().Reason, "leads outside the cohort folder");
    }

    [TestMethod]
    public void Duplicate_cases_and_duplicate_series_are_refused()
    {
        StringAssert.Contains(Refusal(Header, Row("a", "s/a"), Row("b", "s/b"), Row("a", "s/c")), "row 4, column case_id: 'a' is already on row 2");
        StringAssert.Contains(Refusal(Header, Row("a", "s/a"), Row("a", "s/a")), "already on row 2");
        StringAssert.Contains(Refusal(Header, Row("a", "s/a", series: "1.9"), Row("b", "s/a/", series: "1.9")), "row 3: series_dir 's/a/' with series_uid 1.9 is already on row 2");
    }

    [TestMethod]
    public void Bmd_in_grams_per_cubic_centimetre_is_refused_by_name()
    {
        var message = Refusal(Header, Row("a", "s/a", "0.121"), Row("b", "s/b", "0.085"), Row("c", "s/c", "0.160"));
        StringAssert.Contains(message, "column bmd_qct: median 0.121, maximum 0.16");
        StringAssert.Contains(message, "g/cm³, not mg/cm³");
        // mg/cm³ values pass, including a single low one.
        Assert.HasCount(3, CohortManifest.Read(Write(Header, Row("a", "s/a", "121"), Row("b", "s/b", "1.5"), Row("c", "s/c", "160"))));
    }

    [TestMethod]
    public void Quoted_fields_with_commas_and_a_bom_read_as_their_values()
    {
        var path = Write("\uFEFF" + Header, "\"a,1\",P,1.2,1.3,\"s/with, comma\",train,H1,CT1,99.5,osteopenia");
        var row = CohortManifest.Read(path).Single();
        Assert.AreEqual("a,1", row.CaseId);
        Assert.AreEqual("s/with, comma", row.SeriesDir);
        Assert.AreEqual(99.5f, row.BmdQct);
    }

    [TestMethod]
    public void A_refusal_quoting_a_cell_with_line_breaks_stays_one_line()
    {
        var message = Refusal(Header, "a,P,1.2,1.3,\"../x\ny\r\nz\",train,H1,CT1,100,normal");
        Assert.IsFalse(message.Contains('\n') || message.Contains('\r'), message);
        StringAssert.Contains(message, "'../x\\u000Ay\\u000D\\u000Az' climbs out");
    }

    /// <summary>The manifest fuzzer's findings (multi-line refusals), replayed: each reads or is refused in one line.</summary>
    [TestMethod]
    public void Fuzz_findings_read_or_are_refused_in_one_line()
    {
        var inputs = Directory.GetFiles(TestPaths.Data("manifest", "fuzz"));
        Assert.IsNotEmpty(inputs);
        foreach (var input in inputs)
        {
            try
            {
                CohortManifest.Read(input);
            }
            catch (InvalidDataException ex)
            {
                Assert.IsFalse(ex.Message.Contains('\n') || ex.Message.Contains('\r'), $"{Path.GetFileName(input)}: {ex.Message}");
            }
        }
    }

    // ---- class 10: probabilities rounded so they still sum to 1 -------------------------------------------------------

    [TestMethod]
    public void Rounded_probabilities_still_sum_to_one_where_rounding_each_does_not()
    {
        double[] p = [0.333335, 0.333335, 0.33333];
        Assert.AreEqual(1.00001, p.Sum(x => Math.Round(x, 5)), 1e-12, "the case that failed CI: each value rounded on its own");
        var rounded = ProbabilityRounding.Round(p, 5);
        Assert.AreEqual(1.0, rounded.Sum(), 1e-12);
        for (var i = 0; i < p.Length; i++) Assert.AreEqual(p[i], rounded[i], 1e-5);

        var random = new Random(22);
        for (var draw = 0; draw < 20_000; draw++)
        {
            var raw = Enumerable.Range(0, 3).Select(_ => random.NextDouble() * random.NextDouble()).ToArray();
            var total = raw.Sum();
            var probabilities = raw.Select(x => x / total).ToArray();
            var r = ProbabilityRounding.Round(probabilities, 5);
            Assert.AreEqual(1.0, r.Sum(), 1e-12, $"draw {draw}");
            for (var i = 0; i < 3; i++)
            {
                Assert.AreEqual(probabilities[i], r[i], 1e-5 + 1e-12, $"draw {draw}: within one unit of the last decimal");
                Assert.AreEqual(r[i], Math.Round(r[i], 5), 0.0, "five decimals");
            }
        }
    }
}
