namespace OsteoML.Synthesis.Physics;

/// <summary>A rod of a calibration phantom: mineral density (mg/cm³, the QCT reference's mineral; 0 = water) and
/// its centre from the phantom's centre (x towards the patient's left, y posterior).</summary>
public sealed record CalibrationPhantomInsert(string Name, double DensityMgCm3, double XMm, double YMm, double RadiusMm);
