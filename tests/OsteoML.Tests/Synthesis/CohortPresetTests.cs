using OsteoML.Domain;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Cohort;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Synthesis;

[TestClass]
public sealed class CohortPresetTests
{
    [TestMethod]
    public void Paper_preset_has_the_studys_shape()
    {
        var cohort = SyntheticCohort.Create("paper", 42);
        Assert.HasCount(1219, cohort.Cases);
        Assert.AreEqual(703, cohort.CasesIn(CohortSplit.Train).Count());
        Assert.AreEqual(176, cohort.CasesIn(CohortSplit.Test).Count());
        Assert.AreEqual(340, cohort.CasesIn(CohortSplit.Independent).Count());

        // Train and test: one internal hospital with two scanners.
        var development = cohort.Cases.Where(c => c.Split != CohortSplit.Independent).ToList();
        Assert.AreEqual(1, development.Select(c => c.Hospital.Id).Distinct().Count());
        Assert.AreEqual(2, development.Select(c => c.Scanner.Id).Distinct().Count());
        foreach (var scanner in development.Select(c => c.Scanner.Id).Distinct())
        {
            Assert.IsTrue(development.Any(c => c.Scanner.Id == scanner && c.Split == CohortSplit.Train));
            Assert.IsTrue(development.Any(c => c.Scanner.Id == scanner && c.Split == CohortSplit.Test));
        }
        // Independent: three other hospitals, four scanners, none seen in training.
        var independent = cohort.CasesIn(CohortSplit.Independent).ToList();
        Assert.AreEqual(3, independent.Select(c => c.Hospital.Id).Distinct().Count());
        Assert.AreEqual(4, independent.Select(c => c.Scanner.Id).Distinct().Count());
        Assert.IsFalse(independent.Any(c => development.Any(d => d.Hospital.Id == c.Hospital.Id || d.Scanner.Id == c.Scanner.Id)));

        // Cohort order: train, then test, then independent; indices and ids follow it.
        CollectionAssert.AreEqual(cohort.Cases.Select(c => c.Split).Order().ToList(), cohort.Cases.Select(c => c.Split).ToList());
        Assert.IsTrue(cohort.Cases.Select((c, i) => c.Index == i && c.CaseId == $"case-{i + 1:D5}").All(ok => ok));
    }

    [TestMethod]
    [DataRow("demo")]
    [DataRow("ci")]
    public void Small_presets_keep_the_papers_sites_and_splits(string name)
    {
        var paper = CohortPreset.Paper;
        var preset = CohortPreset.Resolve(name);
        CollectionAssert.AreEqual(paper.Hospitals.Select(h => h.Id).ToList(), preset.Hospitals.Select(h => h.Id).ToList());
        var paperScanners = paper.Hospitals.SelectMany(h => h.Scanners).ToList();
        var scanners = preset.Hospitals.SelectMany(h => h.Scanners).ToList();
        CollectionAssert.AreEqual(paperScanners.Select(s => s.Id).ToList(), scanners.Select(s => s.Id).ToList());
        for (var i = 0; i < scanners.Count; i++)
        {
            // A scanner contributes to the same splits as in the paper preset, and to at least one case.
            foreach (var split in Enum.GetValues<CohortSplit>())
                Assert.AreEqual(paperScanners[i].Cases[split] > 0, scanners[i].Cases[split] > 0, $"{scanners[i].Id} {split}");
        }
        Assert.IsLessThan(paper.Total / 10, preset.Total);
    }

    [TestMethod]
    public void About_three_percent_of_paper_cases_do_not_cover_both_L1_and_L2()
    {
        var cases = SyntheticCohort.Create("paper", 42).Cases;
        var missing = cases.Count(c => !c.Coverage.CoversL1AndL2);
        // 3 % of 1219 is 36.6 (binomial SD 6.0): accept 2–4.5 %.
        Assert.IsInRange(0.02 * cases.Count, 0.045 * cases.Count, missing);
        foreach (var c in cases)
        {
            // Covered means the whole vertebral body lies between the first and last slice.
            var l1 = c.Anatomy[VertebralLevel.L1];
            var l2 = c.Anatomy[VertebralLevel.L2];
            var inside = l1.ZMax <= c.Coverage.ZTopMm && l2.ZMin >= c.Coverage.ZBottomMm;
            Assert.AreEqual(inside, c.Coverage.CoversL1AndL2, c.CaseId);
        }
        // Coverage varies: some series start within T10 (the phantom's top), others at T11 or T12; some stop within
        // L2–L3, others reach L5.
        Assert.IsTrue(cases.Any(c => c.Coverage.Covers(VertebralLevel.T11)));
        Assert.IsTrue(cases.Any(c => !c.Coverage.Covers(VertebralLevel.T11) && c.Coverage.CoversL1AndL2));
        Assert.IsTrue(cases.Any(c => !c.Coverage.Covers(VertebralLevel.L4)));
        Assert.IsTrue(cases.Any(c => c.Coverage.Covers(VertebralLevel.L5)));
    }

    [TestMethod]
    public void A_preset_round_trips_through_JSON_and_a_custom_file_defines_a_cohort()
    {
        var dir = TestPaths.NewTempDirectory();
        var path = Path.Combine(dir, "custom.json");
        var custom = CohortPreset.Ci with { Name = "custom", NonCoverageShare = 0.5 };
        File.WriteAllText(path, custom.ToJson());
        var loaded = CohortPreset.Resolve(path);
        Assert.AreEqual("custom", loaded.Name);
        Assert.AreEqual(custom.Total, loaded.Total);
        Assert.AreEqual(custom.ToJson(), loaded.ToJson());
        var a = SyntheticCohort.Create(loaded, 9);
        var b = SyntheticCohort.Create(custom, 9);
        CollectionAssert.AreEqual(a.Cases.Select(c => c.Bone.QctBmd).ToList(), b.Cases.Select(c => c.Bone.QctBmd).ToList());
    }

    [TestMethod]
    public void A_bad_preset_file_is_refused_naming_the_file_and_the_problem()
    {
        var dir = TestPaths.NewTempDirectory();
        var path = Path.Combine(dir, "bad.json");
        File.WriteAllText(path, CohortPreset.Ci.ToJson().Replace("\"kvp\": 120", "\"kvp\": 300"));
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => CohortPreset.Resolve(path));
        StringAssert.Contains(ex.Message, "bad.json");
        StringAssert.Contains(ex.Message, "kVp");

        File.WriteAllText(path, "{ \"name\": \"x\", \"hospitals\": [ { \"id\": \"H\" } ] }");
        ex = Assert.ThrowsExactly<InvalidDataException>(() => CohortPreset.Resolve(path));
        StringAssert.Contains(ex.Message, "bad.json");

        Assert.ThrowsExactly<ArgumentException>(() => CohortPreset.Resolve("no-such-preset"));
    }
}
