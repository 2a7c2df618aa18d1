using OsteoML.Imaging;
using OsteoML.Synthesis.Physics;

namespace OsteoML.Synthesis.Rendering;

/// <summary>A rendered phantom scan and what it was rendered with (the truth a reader is tested against).</summary>
public sealed record PhantomScan(Volume<float> Hu, CalibrationPhantom Phantom, ScannerProfile Scanner, int Kvp, double EffectiveKvp,
    DateOnly Date, double GainError, double OffsetHu, double CentreXMm, double CentreYMm, double RotationDeg)
{
    /// <summary>Noiseless HU at an insert's centre on this scan: the mineral's CT number at the effective kVp plus the
    /// residual cupping there, through the scanner's gain and water offset.</summary>
    public double InsertHu(CalibrationPhantomInsert insert) =>
        (1 + GainError) * (XRayMaterials.MineralHuPerMg(EffectiveKvp) * insert.DensityMgCm3 + CuppingAt(insert)) + OffsetHu;

    /// <summary>Residual cupping at an insert's centre (HU, ≤ 0): lower at the body's centre, zero at its edge.</summary>
    public double CuppingAt(CalibrationPhantomInsert insert)
    {
        var r2 = (insert.XMm * insert.XMm + insert.YMm * insert.YMm) / (Phantom.BodyRadiusMm * Phantom.BodyRadiusMm);
        return -Scanner.CuppingHu * Math.Max(0, 1 - r2);
    }
}
