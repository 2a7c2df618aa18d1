using System.Globalization;

namespace OsteoML.Evaluation;

/// <summary>How metric values read in text: 3 significant decimals, "n/a" for undefined, p-values as the study shows them.</summary>
public static class MetricText
{
    public static string Value(double? value, int decimals = 3) =>
        value is { } v ? v.ToString("F" + decimals, CultureInfo.InvariantCulture) : "n/a";

    public static string WithCi(double? value, ConfidenceInterval? ci, int decimals = 3) =>
        ci is null ? Value(value, decimals) : $"{Value(value, decimals)} [{Value(ci.Low, decimals)}, {Value(ci.High, decimals)}]";

    /// <summary>"&lt; 0.001" below a thousandth (the full value stays in metrics.json).</summary>
    public static string PValue(double? p) => p switch
    {
        null => "n/a",
        < 0.001 => "< 0.001",
        _ => p.Value.ToString("F3", CultureInfo.InvariantCulture),
    };
}
