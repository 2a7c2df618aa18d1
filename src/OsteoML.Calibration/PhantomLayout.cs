using System.Text.Json;

namespace OsteoML.Calibration;

/// <summary>
/// A calibration phantom's layout as the <c>--inserts</c> file gives it (JSON, camelCase): a cylinder of
/// water-equivalent material with rods of known mineral density, one of them water (density 0). The finder locates
/// the body, then each rod near its nominal place; the fit needs at least three rods of different density.
/// </summary>
public sealed record PhantomLayout
{
    public required string Name { get; init; }
    public required double BodyRadiusMm { get; init; }
    /// <summary>What the densities are of (e.g. "hydroxyapatite" or "K2HPO4"): reported, not used.</summary>
    public string Material { get; init; } = "hydroxyapatite";
    public required IReadOnlyList<PhantomInsert> Inserts { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static PhantomLayout Load(string path)
    {
        PhantomLayout? layout;
        try { layout = JsonSerializer.Deserialize<PhantomLayout>(File.ReadAllText(path), Json); }
        catch (JsonException ex) { throw new InvalidDataException($"{path}: not a phantom insert file ({ex.Message})."); }
        if (layout is null || layout.Inserts is null || layout.Inserts.Count == 0) throw new InvalidDataException($"{path}: no inserts.");
        if (layout.Inserts.Select(i => i.DensityMgCm3).Distinct().Count() < 3)
            throw new InvalidDataException($"{path}: a line needs inserts of at least three different densities.");
        if (!layout.Inserts.Any(i => i.DensityMgCm3 == 0))
            throw new InvalidDataException($"{path}: no water insert (density 0): the scanner's water offset cannot be read.");
        if (layout.Inserts.Any(i => i.RadiusMm <= 0 || Math.Sqrt(i.XMm * i.XMm + i.YMm * i.YMm) + i.RadiusMm > layout.BodyRadiusMm))
            throw new InvalidDataException($"{path}: an insert has no positive radius or lies outside the body.");
        return layout;
    }
}
