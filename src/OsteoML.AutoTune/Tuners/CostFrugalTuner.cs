using OsteoML.AutoTune.Search;
using OsteoML.Evaluation;

namespace OsteoML.AutoTune.Tuners;

/// <summary>
/// Cost-frugal local search in the style of FLAML's CFO (Wu, Wang, Huang, Liu; AAAI 2021): start at the cheap
/// point of the space (small trees, few iterations), then repeatedly try <c>x ± δ·u</c> for a random unit
/// direction <c>u</c> (initial δ = 0.1·√d in unit-cube distance). A success moves the incumbent and doubles δ
/// (up to 0.3·√d: larger jumps were mostly wasted on the test functions); after <c>max(2, d)</c>
/// directions that failed both ways δ halves; when δ falls below 10⁻³·√d the local search has converged and a new
/// one restarts from a uniformly random point (with the initial δ). Because the search walks outward from the
/// cheap corner, expensive configurations are only tried once cheaper ones have stopped improving.
/// A choice has no neighbours, so a move switches it to another value with probability min(1, δ/δ₀)/d.
/// Moves that decode to the incumbent's own values (discrete parameters) or to an already evaluated set are
/// answered from memory instead of being proposed again.
/// </summary>
public sealed class CostFrugalTuner : ITuner
{
    private const double InitialStepPerAxis = 0.1;
    private const double MaximumStepPerAxis = 0.3;
    private const double MinimumStepPerAxis = 1e-3;

    private readonly Random _random;
    private readonly double _initialStep, _minimumStep, _maximumStep;
    private readonly int _failuresBeforeShrink;
    private readonly Dictionary<string, double> _seen = [];

    private double[]? _incumbent;
    private double _incumbentLoss = double.PositiveInfinity;
    private string _incumbentKey = "";
    private double[] _direction = [];
    private double _step;
    private int _failures;
    private Phase _phase = Phase.Start;
    private double[] _restartPoint;
    private Proposal? _pending;
    private int _next;

    private enum Phase { Start, Plus, Minus }

    public CostFrugalTuner(SearchSpace space, int seed)
    {
        Space = space;
        _random = new Random(seed);
        var root = Math.Sqrt(Math.Max(1, space.Dimension));
        (_initialStep, _minimumStep, _maximumStep) = (InitialStepPerAxis * root, MinimumStepPerAxis * root, root * MaximumStepPerAxis);
        _step = _initialStep;
        _failuresBeforeShrink = Math.Max(2, space.Dimension);
        _restartPoint = space.StartPoint();
    }

    public SearchSpace Space { get; }

    /// <summary>Current step size in unit-cube distance (exposed for tests and progress displays).</summary>
    public double StepSize => _step;

    /// <summary>Number of local searches started so far (1 + restarts).</summary>
    public int LocalSearches { get; private set; }

    public Proposal Propose()
    {
        if (_pending is not null) throw new InvalidOperationException("the previous proposal has not been updated yet.");
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            var point = NextPoint();
            var parameters = Space.Decode(point);
            var key = parameters.ToString();
            if (_phase != Phase.Start && (key == _incumbentKey || _seen.ContainsKey(key)))
            {
                // No new information to gain from evaluating it: answer from memory and move on.
                Observe(point, key, key == _incumbentKey ? _incumbentLoss : _seen[key]);
                continue;
            }
            _pending = new Proposal(_next++, point, parameters);
            return _pending;
        }
        // A small, fully discrete space can be exhausted: fall back to a random point.
        var random = RandomPoint();
        _pending = new Proposal(_next++, random, Space.Decode(random));
        return _pending;
    }

    public void Update(Observation observation)
    {
        if (_pending is null || observation.Proposal.Id != _pending.Id)
            throw new InvalidOperationException($"update for proposal {observation.Proposal.Id} does not match the pending proposal.");
        var key = _pending.Parameters.ToString();
        var loss = Tuner.Sanitise(observation.Loss);
        _seen[key] = loss;
        var point = _pending.Point;
        _pending = null;
        Observe(point, key, loss);
    }

    private double[] NextPoint()
    {
        switch (_phase)
        {
            case Phase.Start:
                return _restartPoint;
            case Phase.Plus:
                _direction = RandomDirection();
                return Move(+1);
            default:
                return Move(-1);
        }
    }

    private void Observe(double[] point, string key, double loss)
    {
        switch (_phase)
        {
            case Phase.Start:
                // A new local search starts where it was placed, whatever its loss.
                (_incumbent, _incumbentLoss, _incumbentKey) = (point, loss, key);
                (_step, _failures, _phase) = (_initialStep, 0, Phase.Plus);
                LocalSearches++;
                return;
            case Phase.Plus when loss < _incumbentLoss:
            case Phase.Minus when loss < _incumbentLoss:
                (_incumbent, _incumbentLoss, _incumbentKey) = (point, loss, key);
                (_step, _failures, _phase) = (Math.Min(_step * 2, _maximumStep), 0, Phase.Plus);
                return;
            case Phase.Plus:
                _phase = Phase.Minus;
                return;
            default:
                _phase = Phase.Plus;
                if (++_failures < _failuresBeforeShrink) return;
                (_step, _failures) = (_step / 2, 0);
                if (_step >= _minimumStep) return;
                _restartPoint = RandomPoint();
                _phase = Phase.Start;
                return;
        }
    }

    private double[] Move(int sign)
    {
        var point = new double[Space.Dimension];
        for (var i = 0; i < point.Length; i++)
        {
            if (!Space[i].IsUnordered)
                point[i] = SearchParameter.ClampUnit(_incumbent![i] + sign * _step * _direction[i]);
            else if (sign > 0 && _random.NextDouble() < Math.Min(1, _step / _initialStep) / Space.Dimension)
                point[i] = OtherChoice(i);
            else
                point[i] = _incumbent![i];
        }
        return point;
    }

    /// <summary>A choice has no neighbours: a move to it switches to a uniformly drawn other value.</summary>
    private double OtherChoice(int dimension)
    {
        var n = Space[dimension].Cardinality!.Value;
        var current = Math.Min((int)(_incumbent![dimension] * n), n - 1);
        if (n == 1) return _incumbent[dimension];
        var other = _random.Next(n - 1);
        if (other >= current) other++;
        return (other + 0.5) / n;
    }

    private double[] RandomDirection()
    {
        var u = new double[Space.Dimension];
        double norm;
        do
        {
            for (var i = 0; i < u.Length; i++) u[i] = Space[i].IsUnordered ? 0 : Gaussian.Sample(_random);
            norm = Math.Sqrt(u.Sum(x => x * x));
        } while (norm < 1e-12 && Space.Any(p => !p.IsUnordered));
        if (norm < 1e-12) return u;
        for (var i = 0; i < u.Length; i++) u[i] /= norm;
        return u;
    }

    private double[] RandomPoint()
    {
        var p = new double[Space.Dimension];
        for (var i = 0; i < p.Length; i++) p[i] = _random.NextDouble();
        return p;
    }
}
