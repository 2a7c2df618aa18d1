using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.Data;
using OsteoML.AutoTune.Experiments;

namespace OsteoML.Export.ModelBuilder;

// The .mbconfig file of ML.NET Model Builder, version 4 ("Type": "TrainingConfig"): the scenario, the tabular data
// source with one entry per column, the environment, the run history (one entry per trial with its estimator
// parameters, the estimator vocabulary and the search schema) and the training option. Property names, order and the
// metric names are Model Builder's; the values are ours (our tuner's trials, cross-validated as it ran them).

/// <summary>The whole .mbconfig document.</summary>
public sealed record MbConfig(string Scenario, MbDataSource DataSource, MbEnvironment Environment, MbRunHistory RunHistory, MbTrainingOption TrainingOption)
{
    public const int FileVersion = 4;

    [JsonPropertyOrder(10)] public string Type { get; init; } = "TrainingConfig";
    [JsonPropertyOrder(11)] public int Version { get; init; } = FileVersion;
    [JsonPropertyOrder(12)] public MbTrainingOption TrainingOption { get; init; } = TrainingOption;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// The metric a head's run history is scored in, by Model Builder's name (its regression metrics RSquared,
    /// MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError; multiclass MicroAccuracy, MacroAccuracy, LogLoss,
    /// LogLossReduction — ML.NET AutoML's RegressionMetric and MulticlassClassificationMetric). The BMD head is tuned on
    /// MAE, so its scores rank trials as the tuner did; the class head is tuned on macro-AUC, which Model Builder has no
    /// name for, so it reports macro-accuracy (mean per-class recall), which, like macro-AUC, weighs the rarer
    /// osteoporosis class as much as the others.
    /// </summary>
    public static string MetricName(HeadTask task) =>
        task == HeadTask.BmdRegression ? nameof(RegressionMetrics.MeanAbsoluteError) : nameof(MulticlassClassificationMetrics.MacroAccuracy);
}

public sealed record MbDataSource(string FilePath, string Delimiter, string DecimalMarker, bool HasHeader, IReadOnlyList<MbColumn> ColumnProperties)
{
    [JsonPropertyOrder(-2)] public string Type { get; init; } = "TabularFile";
    [JsonPropertyOrder(-1)] public int Version { get; init; } = 1;
}

/// <summary>A column: <c>ColumnPurpose</c> Feature, Label or Ignore; <c>ColumnDataFormat</c> Single or String.</summary>
public sealed record MbColumn(string ColumnName, string ColumnPurpose, string ColumnDataFormat, bool IsCategorical)
{
    public string Type { get; init; } = "Column";
    public int Version { get; init; } = 4;
}

public sealed record MbEnvironment(string Type = "LocalCPU", int Version = 1);

/// <summary>Trials, the estimators by id (<c>e0</c>, <c>e1</c>, …), the search schema, the metric and the model file.</summary>
public sealed record MbRunHistory(IReadOnlyList<MbTrial> Trials, IReadOnlyDictionary<string, string> Estimators, string Schema, string MetricName, string ModelFilePath)
{
    [JsonPropertyOrder(-2)] public int Version { get; init; } = 3;
    [JsonPropertyOrder(-1)] public string Type { get; init; } = "Result";
}

/// <summary>One trial: its trainer, score (<see cref="MbRunHistory.MetricName"/>, the folds' mean; null when undefined), seconds and parameters.</summary>
public sealed record MbTrial(string TrainerName, double? Score, double RuntimeInSeconds, IReadOnlyDictionary<string, object> Parameter)
{
    [JsonPropertyOrder(-2)] public int Version { get; init; } = 1;
    [JsonPropertyOrder(-1)] public string Type { get; init; } = "Trial";
}

public sealed record MbTrainingOption(string Type, int TrainingTime, string LabelColumn, MbValidationOption ValidationOption)
{
    [JsonPropertyOrder(-1)] public int Version { get; init; } = 1;
}

public sealed record MbValidationOption(int NumberOfFolds)
{
    [JsonPropertyOrder(-2)] public int Version { get; init; } = 0;
    [JsonPropertyOrder(-1)] public string Type { get; init; } = "CrossValidationValidationOption";
}
