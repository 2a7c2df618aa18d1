namespace OsteoML.Calibration;

/// <summary>What a per-study calibration reads from one study.</summary>
/// <param name="SiteKey">The scanner site (phantom profiles are keyed by it).</param>
/// <param name="Kvp">Nominal tube voltage (NaN when unknown).</param>
/// <param name="Tissues">Reference-tissue HUs in <see cref="ReferenceTissues.Names"/> order (NaN where missing), or null.</param>
/// <param name="ContrastSuspected">The study looks or is declared contrast-enhanced.</param>
public sealed record ScanContext(string SiteKey, double Kvp, IReadOnlyList<double>? Tissues, bool ContrastSuspected);
