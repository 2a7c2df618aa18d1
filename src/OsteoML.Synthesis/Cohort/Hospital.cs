using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Truth;

namespace OsteoML.Synthesis.Cohort;

/// <summary>A site: who it scans, its contrast-protocol mix, and its scanners.</summary>
public sealed record Hospital
{
    /// <summary>Short stable key (manifest column <c>site</c>).</summary>
    public required string Id { get; init; }
    /// <summary>InstitutionName in the DICOM headers.</summary>
    public required string Name { get; init; }
    public string Address { get; init; } = "";
    public PopulationOptions Population { get; init; } = new();
    public ContrastMix Contrast { get; init; } = new();
    public required IReadOnlyList<ScannerProfile> Scanners { get; init; }
}
