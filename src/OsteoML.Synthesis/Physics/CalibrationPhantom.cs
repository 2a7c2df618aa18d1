namespace OsteoML.Synthesis.Physics;

/// <summary>
/// A calibration phantom for asynchronous QCT: a water-equivalent cylinder with mineral rods. The built-in
/// <see cref="Standard"/> carries the mineral densities of the European Spine Phantom's three vertebral inserts —
/// 50, 100 and 200 mg/cm³ hydroxyapatite (Kalender et al., Eur J Radiol 1995;20:83–92; QRM's ESP documentation) —
/// plus a water rod, as 25 mm rods on a 70 mm circle in a 300 mm cylinder (an abdomen-sized body, so the beam hardens
/// as in a 30 cm patient). Commercial rod phantoms differ in layout and material (Mindways' Model 3 uses K₂HPO₄
/// rods in a pad under the patient; QRM's BDC hydroxyapatite inserts): the reader only needs the layout file.
/// </summary>
public sealed record CalibrationPhantom(string Name, double BodyRadiusMm, IReadOnlyList<CalibrationPhantomInsert> Inserts)
{
    public static CalibrationPhantom Standard { get; } = new("rod phantom, ESP densities (water, 50, 100, 200 mg/cm³ HA)", 150,
    [
        new("water", 0, 70, 0, 12.5),
        new("HA 50", 50, 0, 70, 12.5),
        new("HA 100", 100, -70, 0, 12.5),
        new("HA 200", 200, 0, -70, 12.5),
    ]);

    /// <summary>Water-equivalent diameter, cm (for the scanner's effective kVp).</summary>
    public double WaterDiameterCm => 2 * BodyRadiusMm / 10;
}
