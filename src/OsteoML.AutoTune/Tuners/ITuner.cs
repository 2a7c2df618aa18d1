using OsteoML.AutoTune.Search;

namespace OsteoML.AutoTune.Tuners;

/// <summary>A point the tuner wants evaluated: its unit-cube coordinates and the decoded hyper-parameters.</summary>
public sealed record Proposal(int Id, double[] Point, ParameterSet Parameters);

/// <summary>The outcome of evaluating a proposal: a loss to minimise (NaN or ∞ for a failed trial) and its cost in seconds.</summary>
public sealed record Observation(Proposal Proposal, double Loss, double CostSeconds);

/// <summary>
/// A hyper-parameter tuner over one <see cref="SearchSpace"/>: it proposes a point, is told the loss, proposes the
/// next. Tuners are deterministic given their seed and the sequence of observations they receive.
/// </summary>
public interface ITuner
{
    SearchSpace Space { get; }

    Proposal Propose();

    void Update(Observation observation);
}

/// <summary>The tuners by name, as the command line spells them (<c>--tuner cfo|smac|random|grid</c>).</summary>
public enum TunerKind
{
    Cfo,
    Smac,
    Random,
    Grid,
}

public static class Tuner
{
    public static ITuner Create(TunerKind kind, SearchSpace space, int seed) => kind switch
    {
        TunerKind.Cfo => new CostFrugalTuner(space, seed),
        TunerKind.Smac => new SmacTuner(space, seed),
        TunerKind.Random => new RandomTuner(space, seed),
        TunerKind.Grid => new GridTuner(space, seed),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown tuner"),
    };

    /// <summary>Parses <c>cfo</c>, <c>smac</c>, <c>random</c> or <c>grid</c> (any case).</summary>
    public static TunerKind Parse(string name) =>
        Enum.TryParse<TunerKind>(name, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
            ? kind
            : throw new ArgumentException($"unknown tuner '{name}': expected cfo, smac, random or grid.");

    /// <summary>A failed trial counts as worse than anything seen: tuners must never prefer it.</summary>
    internal static double Sanitise(double loss) => double.IsFinite(loss) ? loss : double.PositiveInfinity;
}
