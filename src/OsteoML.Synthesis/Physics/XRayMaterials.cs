namespace OsteoML.Synthesis.Physics;

/// <summary>
/// CT numbers of the phantom's materials as a function of the effective tube voltage. Soft tissue is treated as
/// water-like (its HU barely depends on kVp); fat, bone mineral and iodine are interpolated from tables at
/// 80/100/120/140 kVp. Calibrated so that L1 trabecular bone at typical BMD and marrow fat reads about +10 HU at
/// 100 kVp and −10 HU at 140 kVp relative to 120 kVp (cf. Garner et al., AJR 2017; a 16 747-scan cohort reported
/// 148.1 / 140.9 / 131.3 HU at 100 / 120 / 140 kVp), and L1 HU falls with age from ~230 to ~60–90 HU as in Jang et
/// al. (Radiology 2019). Effective kVp = nominal + the scanner's filtration shift + residual beam hardening × size.
/// </summary>
public static class XRayMaterials
{
    private static readonly double[] Kvps = [80, 100, 120, 140];
    // HU per mg/cm³ of bone mineral (QCT-equivalent) in a water background.
    private static readonly double[] MineralSlope = [1.75, 1.38, 1.25, 1.13];
    // Iodine enhancement relative to 120 kVp.
    private static readonly double[] IodineFactor = [1.62, 1.25, 1.0, 0.84];
    // Adipose tissue.
    private static readonly double[] Fat = [-118, -106, -100, -95];

    /// <summary>Fat-free hematopoietic marrow (cells, water, protein).</summary>
    public const double RedMarrowHu = 60;
    public const double AirHu = -1000;

    public static double MineralHuPerMg(double effectiveKvp) => Interpolate(MineralSlope, effectiveKvp);

    public static double IodineScale(double effectiveKvp) => Interpolate(IodineFactor, effectiveKvp);

    public static double FatHu(double effectiveKvp) => Interpolate(Fat, effectiveKvp);

    /// <summary>A soft tissue with the given water-like HU and fat fraction (by volume).</summary>
    public static double SoftTissueHu(double leanHu, double fatFraction, double effectiveKvp) =>
        (1 - fatFraction) * leanHu + fatFraction * FatHu(effectiveKvp);

    /// <summary>Unenhanced trabecular bone: marrow (red + fat) plus mineral. This is the line HU = slope·BMD + offset
    /// that a phantom calibration at this kVp and marrow composition would find.</summary>
    public static double TrabecularHu(double bmd, double marrowFatFraction, double effectiveKvp) =>
        SoftTissueHu(RedMarrowHu, marrowFatFraction, effectiveKvp) + MineralHuPerMg(effectiveKvp) * bmd;

    /// <summary>Effective kVp: nominal, shifted by the scanner's filtration and by residual beam hardening in a
    /// patient whose water-equivalent diameter differs from 30 cm.</summary>
    public static double EffectiveKvp(ScannerProfile scanner, int kvp, double waterDiameterCm) =>
        kvp + scanner.SpectralShiftKv + scanner.BeamHardeningKvPerCm * (waterDiameterCm - 30);

    private static double Interpolate(double[] table, double kvp)
    {
        var x = Math.Clamp(kvp, Kvps[0] - 10, Kvps[^1] + 10);
        var i = x <= Kvps[1] ? 0 : x <= Kvps[2] ? 1 : 2;
        var t = (x - Kvps[i]) / (Kvps[i + 1] - Kvps[i]);
        return table[i] + t * (table[i + 1] - table[i]);
    }
}
