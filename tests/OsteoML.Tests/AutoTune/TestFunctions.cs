using OsteoML.AutoTune.Search;
using OsteoML.AutoTune.Tuners;

namespace OsteoML.Tests.AutoTune;

/// <summary>Optimisation test functions with known minima, each with the search space it is posed on.</summary>
internal sealed record TestFunction(string Name, SearchSpace Space, Func<ParameterSet, double> Evaluate, double Minimum)
{
    /// <summary>Branin–Hoo on [−5, 10] × [0, 15]; global minimum 0.397887 at (−π, 12.275), (π, 2.275), (9.42478, 2.475).</summary>
    public static TestFunction Branin { get; } = new("branin",
        new SearchSpace(SearchParameter.Float("x1", -5, 10, start: -5), SearchParameter.Float("x2", 0, 15, start: 0)),
        p =>
        {
            double x1 = p.GetDouble("x1"), x2 = p.GetDouble("x2");
            const double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
            var q = x2 - b * x1 * x1 + c * x1 - 6;
            return q * q + 10 * (1 - t) * Math.Cos(x1) + 10;
        },
        0.397887);

    /// <summary>
    /// A 4-D bowl mixing parameter kinds: a uniform float, a log-scaled float (optimum 0.01 on [1e-4, 1]), and
    /// two integers (one log-scaled). Minimum 0 at (0.3, 0.01, 7, 40).
    /// </summary>
    public static TestFunction Quadratic { get; } = new("quadratic",
        new SearchSpace(
            SearchParameter.Float("a", 0, 1, start: 0),
            SearchParameter.Float("rate", 1e-4, 1, start: 1e-4, log: true),
            SearchParameter.Int("depth", 1, 20, start: 1),
            SearchParameter.Int("trees", 2, 500, start: 2, log: true)),
        p =>
        {
            var a = p.GetDouble("a") - 0.3;
            var r = Math.Log10(p.GetDouble("rate")) + 2;
            var d = (p.GetInt("depth") - 7) / 19.0;
            var n = Math.Log(p.GetInt("trees") / 40.0) / Math.Log(250);
            return 4 * (a * a + r * r / 16 + d * d + n * n);
        },
        0);

    /// <summary>
    /// A choice between three "trainers", each with its own offset and its own optimum of a continuous knob:
    /// f = offset(kind) + (x − x*(kind))². Minimum 0 for kind "c" at x = 0.8.
    /// </summary>
    public static TestFunction CategoricalMix { get; } = new("categorical",
        new SearchSpace(
            SearchParameter.Choice("kind", ["a", "b", "c"]),
            SearchParameter.Float("x", 0, 1, start: 0),
            SearchParameter.Choice("flag", [false, true])),
        p =>
        {
            var (offset, optimum) = p.GetString("kind") switch { "a" => (0.3, 0.2), "b" => (0.15, 0.5), _ => (0.0, 0.8) };
            var x = p.GetDouble("x") - optimum;
            return offset + 4 * x * x + (p.GetBool("flag") ? 0 : 0.05);
        },
        0);

    /// <summary>Runs <paramref name="tuner"/> for <paramref name="trials"/> evaluations; returns the best value seen.</summary>
    public double Minimise(ITuner tuner, int trials)
    {
        var best = double.PositiveInfinity;
        for (var i = 0; i < trials; i++)
        {
            var proposal = tuner.Propose();
            var value = Evaluate(proposal.Parameters);
            tuner.Update(new Observation(proposal, value, 0));
            best = Math.Min(best, value);
        }
        return best;
    }
}
