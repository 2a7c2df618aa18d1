namespace OsteoML.Evaluation;

/// <summary>The columns rows can be grouped by: split, site, scanner.</summary>
public static class GroupingDimensions
{
    public const string Split = PredictionColumns.Split;
    public const string Site = PredictionColumns.Site;
    public const string Scanner = PredictionColumns.Scanner;

    public static IReadOnlyList<string> All { get; } = [Split, Site, Scanner];

    /// <summary>"split,site" → [split, site]; unknown or repeated names throw (the message lists the valid ones).</summary>
    public static IReadOnlyList<string> Parse(string? text)
    {
        var names = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(n => n.ToLowerInvariant()).ToArray();
        foreach (var name in names)
        {
            if (!All.Contains(name))
                throw new ArgumentException($"cannot group by '{name}': choose from {string.Join(", ", All)}");
        }
        var repeated = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        return repeated is null ? names : throw new ArgumentException($"'{repeated.Key}' is given twice in the grouping");
    }

    internal static string Value(PredictionRow row, string dimension) => dimension switch
    {
        Split => row.Split,
        Site => row.Site,
        Scanner => row.Scanner ?? throw new InvalidOperationException("the predictions have no scanner column"),
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, null),
    };
}

/// <summary>Which rows a subset holds: (dimension, value) pairs, empty for all rows.</summary>
public sealed record SubsetKey(IReadOnlyList<KeyValuePair<string, string>> By)
{
    public static SubsetKey All { get; } = new([]);

    public bool IsAll => By.Count == 0;

    /// <summary>"all rows", or "split test", or "split test × site B".</summary>
    public override string ToString() => IsAll ? "all rows" : string.Join(" × ", By.Select(p => $"{p.Key} {p.Value}"));

    /// <summary>The same, capitalized for headings: "All rows", "Split test".</summary>
    public string Title => char.ToUpperInvariant(ToString()[0]) + ToString()[1..];

    /// <summary>
    /// The all-rows subset, then for every non-empty combination of the dimensions (singles first, in the
    /// order given, then pairs, …) one subset per combination of values present, in order of first appearance.
    /// </summary>
    public static IReadOnlyList<(SubsetKey Key, IReadOnlyList<PredictionRow> Rows)> Enumerate(
        IReadOnlyList<PredictionRow> rows, IReadOnlyList<string> dimensions)
    {
        var result = new List<(SubsetKey, IReadOnlyList<PredictionRow>)> { (All, rows) };
        for (var size = 1; size <= dimensions.Count; size++)
        {
            foreach (var combination in Combinations(dimensions, size))
            {
                var groups = new Dictionary<string, (SubsetKey Key, List<PredictionRow> Rows)>(StringComparer.Ordinal);
                var order = new List<string>();
                foreach (var row in rows)
                {
                    var values = combination.Select(d => GroupingDimensions.Value(row, d)).ToArray();
                    var id = string.Join('\u001f', values);
                    if (!groups.TryGetValue(id, out var group))
                    {
                        group = (new SubsetKey(combination.Zip(values, KeyValuePair.Create).ToArray()), []);
                        groups.Add(id, group);
                        order.Add(id);
                    }
                    group.Rows.Add(row);
                }
                result.AddRange(order.Select(id => (groups[id].Key, (IReadOnlyList<PredictionRow>)groups[id].Rows)));
            }
        }
        return result;
    }

    private static IEnumerable<string[]> Combinations(IReadOnlyList<string> items, int size, int start = 0)
    {
        if (size == 0)
        {
            yield return [];
            yield break;
        }
        for (var i = start; i <= items.Count - size; i++)
        {
            foreach (var rest in Combinations(items, size - 1, i + 1))
                yield return [items[i], .. rest];
        }
    }
}
