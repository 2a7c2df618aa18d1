namespace OsteoML.Synthesis.Cohort;

/// <summary>
/// Later studies of the cohort's patients (a preset's <c>followUps</c>; null in <c>paper</c>, <c>demo</c> and <c>ci</c>, whose
/// output is unchanged): some patients are scanned again 1–5 years later on the same scanner or another of the same
/// hospital, having lost bone at an age- and sex-dependent rate (<see cref="Truth.BoneLossModel"/>) or, for a share of
/// stable patients (treated, or simply not losing), none; some get a new vertebral fracture; and some are rescanned
/// within days on the same scanner and protocol — the short-term precision study an LSC needs (docs/trends.md).
/// </summary>
public sealed record FollowUpOptions
{
    /// <summary>Share of patients with at least one follow-up study.</summary>
    public double Share { get; init; } = 0.8;
    /// <summary>Share of those with a second follow-up (after the first).</summary>
    public double SecondShare { get; init; } = 0.3;
    public double MinYears { get; init; } = 1;
    public double MaxYears { get; init; } = 5;
    /// <summary>Share of followed patients whose true BMD does not change.</summary>
    public double StableShare { get; init; } = 0.3;
    /// <summary>Share of follow-ups on another scanner of the same hospital (when it has one).</summary>
    public double OtherScannerShare { get; init; } = 0.3;
    /// <summary>Share of patients rescanned 0–14 days after their first study on the same scanner, repositioned.</summary>
    public double RescanShare { get; init; } = 0.4;
    /// <summary>Whether a rescan repeats the first study's protocol (kVp, kernel, slices, contrast phase) — a precision study as
    /// ISCD describes it — or is a routine CT with the scanner's own protocol mix, like the follow-ups it is the precision of.</summary>
    public bool RescanKeepsProtocol { get; init; }
    /// <summary>Whether follow-ups repeat the first study's protocol on its scanner (a surveillance protocol) instead of being
    /// routine CTs drawn from the hospital's scanners and protocol mix.</summary>
    public bool FollowUpsKeepProtocol { get; init; }
    /// <summary>Multiplies the prevalent-fracture model's probability per year of follow-up for a new fracture (not in stable patients).</summary>
    public double NewFractureFactor { get; init; } = 0.1;
}
