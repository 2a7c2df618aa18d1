using System.Text.Json;
using System.Text.Json.Serialization;

namespace OsteoML.Calibration;

/// <summary>The schema-version gate and atomic write shared by the calibration files (site and phantom profiles).</summary>
internal static class VersionedJson
{
    /// <summary>Indented camelCase JSON with enums by name: the profiles are read by people as well as programs.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Throws naming <paramref name="source"/> unless <paramref name="json"/> carries a schemaVersion this build reads.</summary>
    public static void CheckVersion(string json, string source, string kind, int current)
    {
        int version;
        try
        {
            using var document = JsonDocument.Parse(json);
            version = document.RootElement.TryGetProperty("schemaVersion", out var v) && v.TryGetInt32(out var n) ? n : 0;
        }
        catch (JsonException ex) { throw new InvalidDataException($"{source}: not valid JSON ({ex.Message})."); }
        if (version == 0) throw new InvalidDataException($"{source}: no schemaVersion; not an OsteoML {kind}.");
        if (version > current)
            throw new InvalidDataException($"{source}: {kind} schema version {version}; this OsteoML reads up to {current} — upgrade OsteoML.");
    }
}
