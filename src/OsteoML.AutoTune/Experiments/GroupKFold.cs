namespace OsteoML.AutoTune.Experiments;

/// <summary>
/// K-fold splits that keep every group (patient) inside one fold, so no patient's studies are both trained on and
/// tested. Groups are shuffled with the seed, then placed largest first into the fold with the fewest rows so far
/// (ties to the lower fold index) — fold sizes then differ by at most the largest group's size.
/// </summary>
public static class GroupKFold
{
    /// <summary>The fold (0 … k−1) of every row.</summary>
    public static int[] Assign(IReadOnlyList<string> groups, int folds, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var rowsByGroup = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < groups.Count; i++)
        {
            if (!rowsByGroup.TryGetValue(groups[i], out var rows)) rowsByGroup[groups[i]] = rows = [];
            rows.Add(i);
        }
        if (rowsByGroup.Count < folds)
            throw new ArgumentException($"{folds}-fold cross-validation needs at least {folds} patients; the table has {rowsByGroup.Count}.");

        var order = rowsByGroup.Keys.Order(StringComparer.Ordinal).ToArray();
        new Random(seed).Shuffle(order);
        var sorted = order.Select((g, i) => (Group: g, Position: i))
            .OrderByDescending(g => rowsByGroup[g.Group].Count).ThenBy(g => g.Position);

        var fold = new int[groups.Count];
        var size = new int[folds];
        foreach (var (group, _) in sorted)
        {
            var target = 0;
            for (var f = 1; f < folds; f++) if (size[f] < size[target]) target = f;
            foreach (var row in rowsByGroup[group]) fold[row] = target;
            size[target] += rowsByGroup[group].Count;
        }
        return fold;
    }

    /// <summary>(training rows, held-out rows) for each fold.</summary>
    public static IReadOnlyList<(int[] Train, int[] Test)> Split(IReadOnlyList<string> groups, int folds, int seed)
    {
        var assignment = Assign(groups, folds, seed);
        return Enumerable.Range(0, folds).Select(f => (
            Enumerable.Range(0, assignment.Length).Where(i => assignment[i] != f).ToArray(),
            Enumerable.Range(0, assignment.Length).Where(i => assignment[i] == f).ToArray())).ToArray();
    }
}
