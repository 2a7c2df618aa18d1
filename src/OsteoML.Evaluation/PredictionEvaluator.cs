using OsteoML.Domain;

namespace OsteoML.Evaluation;

/// <summary>How to evaluate a predictions table.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Group by these dimensions (and all their combinations); the all-rows subset is always there.</summary>
    public IReadOnlyList<string> By { get; init; } = [GroupingDimensions.Split];

    /// <summary>B, the patient-level bootstrap replicates per subset; 0 computes no intervals.</summary>
    public int Replicates { get; init; } = PatientBootstrap.DefaultReplicates;

    public ulong Seed { get; init; } = PatientBootstrap.DefaultSeed;

    public double Level { get; init; } = PatientBootstrap.DefaultLevel;
}

/// <summary>The metrics of one subset. <see cref="Rows"/> are kept for plots.</summary>
public sealed record SubsetEvaluation(
    SubsetKey Key,
    int N,
    int Patients,
    ClassificationMetrics Classification,
    RegressionMetrics Regression,
    IReadOnlyList<PredictionRow> Rows)
{
    public override string ToString() => $"{Key}: n = {N}, {Patients} patients{Environment.NewLine}{Classification}{Regression}";
}

/// <summary>Every subset's metrics, the options that produced them, and where the predictions came from.</summary>
public sealed record EvaluationResult(IReadOnlyList<SubsetEvaluation> Subsets, EvaluationOptions Options, string Source, bool PredictedClassGiven)
{
    public SubsetEvaluation AllRows => Subsets[0];

    public override string ToString() => string.Join(Environment.NewLine, Subsets.Select(s => s.ToString()));
}

/// <summary>Evaluates a predictions table: all rows, and each subset of the chosen grouping.</summary>
public static class PredictionEvaluator
{
    public static EvaluationResult Evaluate(PredictionTable table, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        options ??= new EvaluationOptions();
        if (options.Replicates < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.Replicates, "bootstrap replicates cannot be negative.");
        if (options.By.Contains(GroupingDimensions.Scanner) && !table.HasScanner)
            throw new InvalidDataException($"{table.Source}: grouping by scanner needs a '{PredictionColumns.Scanner}' column");

        var subsets = SubsetKey.Enumerate(table.Rows, options.By)
            .Select(s => EvaluateSubset(s.Key, s.Rows, options))
            .ToArray();
        return new EvaluationResult(subsets, options, table.Source, table.PredictedClassGiven);
    }

    private static SubsetEvaluation EvaluateSubset(SubsetKey key, IReadOnlyList<PredictionRow> rows, EvaluationOptions options)
    {
        var ids = rows.Select(r => r.Id).ToArray();
        var bootstrap = options.Replicates > 0 ? new PatientBootstrap(ids, options.Replicates, options.Seed, options.Level) : null;
        var classification = Metrics.Classification(
            rows.Select(r => r.ClassTrue).ToArray(),
            rows.Select(r => r.Probabilities).ToArray(),
            rows.Select(r => r.ClassPred).ToArray(),
            AcrClasses.Names,
            bootstrap);
        var regression = Metrics.Regression(rows.Select(r => r.BmdTrue).ToArray(), rows.Select(r => r.BmdPred).ToArray(), bootstrap);
        return new SubsetEvaluation(key, rows.Count, ids.Distinct(StringComparer.Ordinal).Count(), classification, regression, rows);
    }
}
