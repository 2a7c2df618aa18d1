using OsteoML.AutoTune.Search;

namespace OsteoML.AutoTune.Tuners;

/// <summary>
/// Grid search: every discrete parameter takes all its values when it has at most <see cref="StepsPerDimension"/>
/// of them, every other parameter <see cref="StepsPerDimension"/> evenly spaced cell centres. The grid is visited
/// in a seeded random order, so a run cut short by a budget still covers the space evenly; once the grid is
/// exhausted the tuner continues with uniform random points.
/// </summary>
public sealed class GridTuner : ITuner
{
    private readonly Random _random;
    private readonly int[] _levels;
    private readonly long[] _order;
    private int _next;

    public GridTuner(SearchSpace space, int seed, int stepsPerDimension = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerDimension, 1);
        (Space, StepsPerDimension, _random) = (space, stepsPerDimension, new Random(seed));
        _levels = space.Select(p => p.Cardinality is int c && c <= stepsPerDimension ? c : stepsPerDimension).ToArray();
        var size = _levels.Aggregate(1L, (acc, n) => checked(acc * n));
        if (size > 1_000_000) throw new ArgumentException($"the grid has {size} points; lower the steps per dimension.");
        _order = new long[size];
        for (long i = 0; i < size; i++) _order[i] = i;
        _random.Shuffle(_order);
    }

    public SearchSpace Space { get; }
    public int StepsPerDimension { get; }
    public long GridSize => _order.LongLength;

    public Proposal Propose()
    {
        var point = new double[Space.Dimension];
        if (_next < _order.Length)
        {
            var index = _order[_next];
            for (var d = point.Length - 1; d >= 0; d--)
            {
                point[d] = (index % _levels[d] + 0.5) / _levels[d];
                index /= _levels[d];
            }
        }
        else
        {
            for (var d = 0; d < point.Length; d++) point[d] = _random.NextDouble();
        }
        return new Proposal(_next++, point, Space.Decode(point));
    }

    public void Update(Observation observation) { }
}
