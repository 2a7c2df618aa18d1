using OsteoML.Evaluation;

namespace OsteoML.Tests.Evaluation;

[TestClass]
public sealed class SubsetTests
{
    private static PredictionRow Row(string split, string site, string scanner = "S") =>
        new("P", split, site, scanner, 100, 100, 0, [1, 0, 0], 0);

    [TestMethod]
    public void By_split_and_site_gives_all_rows_each_split_each_site_and_each_pair_present()
    {
        PredictionRow[] rows = [Row("test", "B"), Row("test", "A"), Row("independent", "A"), Row("test", "B")];
        var subsets = SubsetKey.Enumerate(rows, ["split", "site"]);
        CollectionAssert.AreEqual(
            new[] { "all rows", "split test", "split independent", "site B", "site A", "split test × site B", "split test × site A", "split independent × site A" },
            subsets.Select(s => s.Key.ToString()).ToArray(), "values in order of first appearance; pairs only where rows exist");
        CollectionAssert.AreEqual(new[] { 4, 3, 1, 2, 2, 2, 1, 1 }, subsets.Select(s => s.Rows.Count).ToArray());
        Assert.IsTrue(subsets[0].Key.IsAll);
    }

    [TestMethod]
    public void Three_dimensions_give_singles_pairs_and_the_triple()
    {
        var subsets = SubsetKey.Enumerate([Row("t", "A", "X")], ["split", "site", "scanner"]);
        // 1 (all) + 3 singles + 3 pairs + 1 triple, one value each
        Assert.HasCount(8, subsets);
        Assert.AreEqual("split t × site A × scanner X", subsets[^1].Key.ToString());
    }

    [TestMethod]
    public void Grouping_names_are_checked()
    {
        CollectionAssert.AreEqual(new[] { "split", "site" }, GroupingDimensions.Parse(" Split, site ").ToArray());
        Assert.IsEmpty(GroupingDimensions.Parse(""));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => GroupingDimensions.Parse("split,hospital")).Message, "cannot group by 'hospital'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => GroupingDimensions.Parse("site,site")).Message, "twice");
    }

    [TestMethod]
    public void Grouping_by_scanner_needs_the_column()
    {
        var table = new PredictionTable([Row("t", "A", null!) with { Scanner = null }], hasScanner: false, predictedClassGiven: false, "p.csv");
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => PredictionEvaluator.Evaluate(table, new EvaluationOptions { By = ["scanner"] }));
        Assert.AreEqual("p.csv: grouping by scanner needs a 'scanner' column", ex.Message);
    }
}
