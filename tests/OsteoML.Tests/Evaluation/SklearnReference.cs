using System.Text.Json;
using System.Text.Json.Nodes;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Evaluation;

/// <summary>One data set for tests/data/evaluation/sklearn_metrics.py (scikit-learn, scipy, numpy).</summary>
internal sealed record ReferenceCase(
    int Classes,
    int[]? Truth,
    double[][]? Proba,
    int[]? Pred,
    double[]? Reference,
    double[]? Predicted,
    int[]? Weights = null);

/// <summary>Runs the reference script once for many cases and compares our numbers with its answers.</summary>
internal static class SklearnReference
{
    /// <summary>Relative agreement the issue demands.</summary>
    public const double Tolerance = 1e-6;

    private static readonly JsonSerializerOptions Camel = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static JsonArray Run(IReadOnlyList<ReferenceCase> cases)
    {
        var dir = TestPaths.NewTempDirectory("osteoml-sklearn");
        try
        {
            var input = Path.Combine(dir, "cases.json");
            File.WriteAllText(input, JsonSerializer.Serialize(cases, Camel));
            var result = ExternalTool.Run(ExternalTool.DebianPython, [TestPaths.Data("evaluation", "sklearn_metrics.py"), input])
                .EnsureSuccess("sklearn_metrics.py");
            var answers = JsonNode.Parse(result.StdOut)!.AsArray();
            Assert.HasCount(cases.Count, answers);
            return answers;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static double? Number(JsonNode? node) => node is null ? null : node.GetValue<double>();
}

/// <summary>Compares values with the reference and remembers the largest relative difference seen.</summary>
internal sealed class Agreement
{
    public double MaxRelativeDifference { get; private set; }
    public int Compared { get; private set; }

    /// <summary>
    /// Null must meet null; numbers must agree to <see cref="SklearnReference.Tolerance"/> relative, or within
    /// <paramref name="floor"/> absolute (differences of values that should be 0). p-values pass a tiny floor.
    /// </summary>
    public void Check(double? expected, double? actual, string what, double floor = 1e-12)
    {
        if (expected is null || actual is null)
        {
            Assert.AreEqual(expected is null, actual is null, $"{what}: reference {expected?.ToString() ?? "null"}, ours {actual?.ToString() ?? "null"}");
            return;
        }
        var scale = Math.Max(Math.Abs(expected.Value), Math.Abs(actual.Value));
        var difference = Math.Abs(expected.Value - actual.Value);
        if (scale > floor)
            MaxRelativeDifference = Math.Max(MaxRelativeDifference, difference / scale);
        Compared++;
        Assert.IsTrue(difference <= SklearnReference.Tolerance * scale || difference <= floor,
            $"{what}: reference {expected:R}, ours {actual:R}");
    }

    public void Check(JsonNode? expected, double? actual, string what, double floor = 1e-12) =>
        Check(SklearnReference.Number(expected), actual, what, floor);
}
