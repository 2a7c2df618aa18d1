namespace OsteoML.Calibration;

/// <summary>One insert of a calibration phantom: nominal density and where its centre lies from the phantom's centre.</summary>
/// <param name="XMm">Towards the image's increasing column (patient left in LPS).</param>
/// <param name="YMm">Towards the image's increasing row (posterior).</param>
public sealed record PhantomInsert(string Name, double DensityMgCm3, double XMm, double YMm, double RadiusMm);
