using System.Text.Json;
using OsteoML.Domain;

namespace OsteoML.Evaluation;

/// <summary>
/// Writes <c>metrics.json</c>, the file other tools read:
/// <code>
/// {"classes": [...], "bootstrap": {"replicates", "seed", "level", "resampling": "patient"},
///  "subsets": [{"by": {} | {"split": …} | {"split": …, "site": …}, "n": N,
///    "classification": {"auc": {"normal", "osteopenia", "osteoporosis", "mean"}, "accuracy", "precision",
///                       "recall", "specificity", "f1", "confusion": [[…]]},
///    "regression": {"mae", "rmse", "r2", "pearsonR", "pearsonP", "baBias", "baLoaLow", "baLoaHigh"},
///    "ci": {the same metric keys (auc nested by class) → [low, high]}}]}
/// </code>
/// Plain JSON numbers at full precision; null where a value is undefined. "ci" has no confusion matrix, and
/// its "pearsonP" is always null (a p-value has no interval); with no bootstrap every interval is null.
/// </summary>
public static class MetricsJson
{
    public static void Write(EvaluationResult result, string path)
    {
        using var stream = File.Create(path);
        Write(result, stream);
    }

    public static void Write(EvaluationResult result, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("classes");
        foreach (var name in AcrClasses.Names) json.WriteStringValue(name);
        json.WriteEndArray();
        json.WriteStartObject("bootstrap");
        json.WriteNumber("replicates", result.Options.Replicates);
        json.WriteNumber("seed", result.Options.Seed);
        json.WriteNumber("level", result.Options.Level);
        json.WriteString("resampling", "patient");
        json.WriteEndObject();
        json.WriteStartArray("subsets");
        foreach (var subset in result.Subsets)
            WriteSubset(json, subset);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteSubset(Utf8JsonWriter json, SubsetEvaluation subset)
    {
        var c = subset.Classification;
        var r = subset.Regression;
        json.WriteStartObject();
        json.WriteStartObject("by");
        foreach (var (dimension, value) in subset.Key.By) json.WriteString(dimension, value);
        json.WriteEndObject();
        json.WriteNumber("n", subset.N);

        json.WriteStartObject("classification");
        WriteAuc(json, c.PerClass.Select(k => k.Auc).ToArray(), c.MeanAuc, Number);
        Number(json, "accuracy", c.Accuracy);
        Number(json, "precision", c.Precision);
        Number(json, "recall", c.Recall);
        Number(json, "specificity", c.Specificity);
        Number(json, "f1", c.F1);
        json.WriteStartArray("confusion");
        foreach (var row in c.Confusion.Counts)
        {
            json.WriteStartArray();
            foreach (var count in row) json.WriteNumberValue(count);
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndObject();

        json.WriteStartObject("regression");
        Number(json, "mae", r.Mae);
        Number(json, "rmse", r.Rmse);
        Number(json, "r2", r.R2);
        Number(json, "pearsonR", r.PearsonR);
        Number(json, "pearsonP", r.PearsonP);
        Number(json, "baBias", r.Bias);
        Number(json, "baLoaLow", r.LowerLimitOfAgreement);
        Number(json, "baLoaHigh", r.UpperLimitOfAgreement);
        json.WriteEndObject();

        var ci = c.Ci;
        var rci = r.Ci;
        json.WriteStartObject("ci");
        WriteAuc(json, ci?.Auc ?? new ConfidenceInterval?[c.PerClass.Count], ci?.MeanAuc, Interval);
        Interval(json, "accuracy", ci?.Accuracy);
        Interval(json, "precision", ci?.Precision);
        Interval(json, "recall", ci?.Recall);
        Interval(json, "specificity", ci?.Specificity);
        Interval(json, "f1", ci?.F1);
        Interval(json, "mae", rci?.Mae);
        Interval(json, "rmse", rci?.Rmse);
        Interval(json, "r2", rci?.R2);
        Interval(json, "pearsonR", rci?.PearsonR);
        Interval(json, "pearsonP", null);
        Interval(json, "baBias", rci?.Bias);
        Interval(json, "baLoaLow", rci?.LowerLimitOfAgreement);
        Interval(json, "baLoaHigh", rci?.UpperLimitOfAgreement);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteAuc<T>(Utf8JsonWriter json, IReadOnlyList<T> perClass, T mean, Action<Utf8JsonWriter, string, T> write)
    {
        json.WriteStartObject("auc");
        for (var k = 0; k < perClass.Count; k++)
            write(json, AcrClasses.Names[k], perClass[k]);
        write(json, "mean", mean);
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }

    private static void Interval(Utf8JsonWriter json, string name, ConfidenceInterval? interval)
    {
        if (interval is null)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartArray(name);
        json.WriteNumberValue(interval.Low);
        json.WriteNumberValue(interval.High);
        json.WriteEndArray();
    }
}
