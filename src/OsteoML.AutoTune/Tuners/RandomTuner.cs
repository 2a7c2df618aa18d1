using OsteoML.AutoTune.Search;

namespace OsteoML.AutoTune.Tuners;

/// <summary>Uniform random search over the unit cube (log-scaled parameters are therefore log-uniform).</summary>
public sealed class RandomTuner(SearchSpace space, int seed) : ITuner
{
    private readonly Random _random = new(seed);
    private int _next;

    public SearchSpace Space { get; } = space;

    public Proposal Propose()
    {
        var point = new double[Space.Dimension];
        for (var i = 0; i < point.Length; i++) point[i] = _random.NextDouble();
        return new Proposal(_next++, point, Space.Decode(point));
    }

    public void Update(Observation observation) { }
}
