using CsCheck;
using OsteoML.AutoTune.Experiments;

namespace OsteoML.Tests.AutoTune;

[TestClass]
public sealed class GroupKFoldTests
{
    // Tables of 10–300 rows over 2–80 patients (ids drawn with repeats), and k between 2 and 10.
    private static readonly Gen<(string[] Groups, int Folds, int Seed)> Cases =
        from patients in Gen.Int[2, 80]
        from rows in Gen.Int[10, 300]
        from ids in Gen.Int[0, patients - 1].Array[rows]
        from folds in Gen.Int[2, 10]
        from seed in Gen.Int
        where ids.Distinct().Count() >= folds
        select (ids.Select(i => $"patient-{i}").ToArray(), folds, seed);

    [TestMethod]
    public void NoPatientIsInTwoFoldsAndEveryRowIsHeldOutExactlyOnce()
    {
        Cases.Sample(c =>
        {
            var splits = GroupKFold.Split(c.Groups, c.Folds, c.Seed);
            var heldOut = splits.SelectMany(s => s.Test).Order().ToArray();
            if (!heldOut.SequenceEqual(Enumerable.Range(0, c.Groups.Length))) return false;
            foreach (var (train, test) in splits)
            {
                if (test.Length == 0 || train.Length + test.Length != c.Groups.Length) return false;
                var testPatients = test.Select(r => c.Groups[r]).ToHashSet();
                if (train.Any(r => testPatients.Contains(c.Groups[r]))) return false;
            }
            return true;
        }, iter: 300);
    }

    [TestMethod]
    public void FoldSizesDifferByAtMostTheLargestPatient()
    {
        Cases.Sample(c =>
        {
            var fold = GroupKFold.Assign(c.Groups, c.Folds, c.Seed);
            var sizes = Enumerable.Range(0, c.Folds).Select(f => fold.Count(x => x == f)).ToArray();
            var largest = c.Groups.GroupBy(g => g).Max(g => g.Count());
            return sizes.Max() - sizes.Min() <= largest;
        }, iter: 300);
    }

    [TestMethod]
    public void SameSeedSameFoldsAndTooFewPatientsIsRefused()
    {
        var groups = Enumerable.Range(0, 50).Select(i => $"p{i % 17}").ToArray();
        CollectionAssert.AreEqual(GroupKFold.Assign(groups, 5, 9), GroupKFold.Assign(groups, 5, 9));
        CollectionAssert.AreNotEqual(GroupKFold.Assign(groups, 5, 9), GroupKFold.Assign(groups, 5, 10));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => GroupKFold.Assign(["a", "a", "b"], 3, 0));
        StringAssert.Contains(ex.Message, "at least 3 patients");
    }
}
