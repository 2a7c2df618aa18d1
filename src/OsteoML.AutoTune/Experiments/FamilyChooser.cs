namespace OsteoML.AutoTune.Experiments;

/// <summary>How the chooser counts the cost of a trial.</summary>
public enum CostMeasure
{
    /// <summary>Every trial costs 1: the sequence of trials depends only on the seed (the default).</summary>
    Trials,

    /// <summary>Measured seconds, as FLAML does: cheaper families get more trials, but the sequence then depends on the machine.</summary>
    Seconds,
}

/// <summary>
/// Chooses which trainer family gets the next trial by FLAML's estimated cost for improvement (ECI; Wang, Wu,
/// Weimer, Zhu, MLSys 2021). For a family with total cost K, cost K₀ spent when its best loss L was found and
/// K₂ when its previous best L₂ was found: ECI₁ = max(K − K₀, K₀ − K₂) estimates the cost of its next
/// improvement; when it is not the overall leader (best loss L* &lt; L), ECI₂ = (L − L*)·(K₀ − K₂)/(L₂ − L)
/// estimates the cost of catching up at its last rate of improvement (K·(L − L*)/|L*| while it has improved only
/// once), and ECI = max(ECI₁, ECI₂). A family not yet tried has ECI = the cheapest first trial seen so far, so
/// every family is tried early. The next family is drawn with probability ∝ 1/ECI from a seeded generator; a
/// family whose every trial failed is not drawn again unless all have failed.
/// </summary>
public sealed class FamilyChooser
{
    private readonly FamilyState[] _states;
    private readonly Random _random;

    public FamilyChooser(int families, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(families, 1);
        _states = Enumerable.Range(0, families).Select(_ => new FamilyState()).ToArray();
        _random = new Random(seed);
    }

    public int Choose()
    {
        var eci = EstimatedCosts();
        var weights = eci.Select(e => double.IsFinite(e) ? 1 / Math.Max(e, 1e-9) : 0).ToArray();
        var total = weights.Sum();
        if (total <= 0) return _random.Next(_states.Length); // everything failed: keep trying at random
        var u = _random.NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            u -= weights[i];
            if (u < 0) return i;
        }
        return Array.FindLastIndex(weights, w => w > 0);
    }

    public void Record(int family, double loss, double cost)
    {
        var s = _states[family];
        s.Trials++;
        s.FirstCost ??= cost;
        s.Cost += cost;
        if (double.IsFinite(loss) && loss < s.Best)
        {
            (s.PreviousBest, s.PreviousBestCost) = (s.Best, s.BestCost);
            (s.Best, s.BestCost) = (loss, s.Cost);
        }
    }

    /// <summary>The current ECI of every family (∞ for a family whose trials all failed).</summary>
    public double[] EstimatedCosts()
    {
        var leader = _states.Min(s => s.Best);
        var cheapestFirst = _states.Where(s => s.FirstCost is not null).Select(s => s.FirstCost!.Value).DefaultIfEmpty(1).Min();
        return _states.Select(s =>
        {
            if (s.Trials == 0) return Math.Max(cheapestFirst, 1e-6);
            if (!double.IsFinite(s.Best)) return double.PositiveInfinity;
            var eci1 = Math.Max(s.Cost - s.BestCost, s.BestCost - s.PreviousBestCost);
            if (s.Best <= leader) return Math.Max(eci1, 1e-6);
            var eci2 = double.IsFinite(s.PreviousBest) && s.PreviousBest > s.Best
                ? (s.Best - leader) * (s.BestCost - s.PreviousBestCost) / (s.PreviousBest - s.Best)
                : s.Cost * (s.Best - leader) / Math.Max(Math.Abs(leader), 1e-12);
            return Math.Max(Math.Max(eci1, eci2), 1e-6);
        }).ToArray();
    }

    private sealed class FamilyState
    {
        public int Trials;
        public double Cost;
        public double? FirstCost;
        public double Best = double.PositiveInfinity, BestCost;
        public double PreviousBest = double.PositiveInfinity, PreviousBestCost;
    }
}
