using System.Text.Json;
using System.Text.Json.Nodes;

namespace OsteoML.Cli.Benchmarks;

/// <summary>
/// What one step of <c>bench/run</c> leaves in the results folder (<c>STEP.json</c>): its status, the raw numbers
/// (seconds, bytes, counts; per-round lists for side-by-side comparisons) and notes. Ratios and verdicts are
/// derived from the raw numbers by <see cref="BenchSummary"/>, never stored.
/// </summary>
public sealed record BenchFragment(string Step, bool Ok, string? Error, IReadOnlyDictionary<string, double[]> Values, IReadOnlyList<string> Notes)
{
    public static BenchFragment Parse(string json, string source)
    {
        JsonObject root;
        try { root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("not a JSON object"); }
        catch (Exception ex) when (ex is JsonException or FormatException) { throw new InvalidDataException($"{source}: not a benchmark fragment ({ex.Message})."); }
        var step = root["step"]?.GetValue<string>() ?? throw new InvalidDataException($"{source}: no \"step\".");
        var values = new Dictionary<string, double[]>();
        if (root["values"] is JsonObject valueObject)
            foreach (var (key, node) in valueObject)
                values[key] = node switch
                {
                    JsonArray array => array.Select(v => v!.GetValue<double>()).ToArray(),
                    JsonValue value => [value.GetValue<double>()],
                    _ => throw new InvalidDataException($"{source}: values.{key} is neither a number nor a list of numbers."),
                };
        var notes = root["notes"] is JsonArray n ? n.Select(x => x!.GetValue<string>()).ToArray() : [];
        return new BenchFragment(step, root["status"]?.GetValue<string>() == "ok", root["error"]?.GetValue<string>(), values, notes);
    }

    public string ToJson()
    {
        var values = new JsonObject();
        foreach (var (key, v) in Values)
            values[key] = v.Length == 1 ? JsonValue.Create(v[0]) : new JsonArray(v.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());
        var root = new JsonObject { ["step"] = Step, ["status"] = Ok ? "ok" : "failed" };
        if (Error is not null) root["error"] = Error;
        root["values"] = values;
        root["notes"] = new JsonArray(Notes.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Every fragment in a results folder (top-level <c>*.json</c> with a "step"), by file name.</summary>
    public static IReadOnlyList<BenchFragment> ReadFolder(string directory) =>
        Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal)
            .Select(f => Parse(File.ReadAllText(f), f)).ToArray();
}
