namespace OsteoML.Calibration;

/// <summary>
/// What each reference tissue reads on an ideally calibrated scanner at 120 kVp, unenhanced, and how much a patient's
/// own value scatters around it — the anchors of phantomless (internal) calibration. Values come from the literature,
/// never from our generator:
/// <list type="bullet">
/// <item>air: −1000 HU by the definition of the Hounsfield scale (room air, 0.0012 g/cm³, ICRU Report 44); scatter
/// 5 HU (scatter and the reconstruction circle's edge).</item>
/// <item>adipose tissue: −100 HU (ICRU Report 44 adipose tissue, 0.95 g/cm³; subcutaneous fat reads about −90 to −110
/// HU at 120 kVp; the −190…−30 HU window commonly used to segment adipose tissue goes back to Kvist et al., Am J Clin
/// Nutr 1988); scatter
/// 8 HU. Fat's CT number falls at lower tube voltage (about −10 HU from 120 to 80 kVp), handled by
/// <see cref="AdiposeAt"/>.</item>
/// <item>skeletal muscle: 50 HU (ICRU Report 44 skeletal muscle, 1.05 g/cm³; paraspinal muscle reads 40–60 HU,
/// lower with fatty infiltration in older patients, Goodpaster et al., J Appl Physiol 2000); scatter 8 HU.</item>
/// <item>blood: 40 HU (ICRU Report 44 whole blood, 1.06 g/cm³; unenhanced aortic blood 35–50 HU, rising with
/// haematocrit); scatter 5 HU. Enhanced blood is not a reference: the contrast bolus adds 100–300 HU.</item>
/// </list>
/// Internal calibration with air plus blood or adipose tissue was validated against phantom calibration by Lee et al.
/// (Bone 2017;103:325–333); air, adipose, muscle and blood as internal calibration ROIs were compared in PLOS ONE
/// 2022 (doi:10.1371/journal.pone.0273203); Boden et al. (J Digit Imaging 1989) and Gudmundsdottir et al. (Osteoporos
/// Int 1993) measured spinal QCT without an external phantom from the patient's own soft tissues (docs/calibration.md
/// says which of these sources were re-read for this work).
/// </summary>
public static class ReferenceTissueValues
{
    /// <summary>Ideal-scale HU at 120 kVp, unenhanced, in <see cref="ReferenceTissues.Names"/> order.</summary>
    public static IReadOnlyList<double> Hu120 { get; } = [-1000, -100, 50, 40];

    /// <summary>Between-patient scatter of each tissue around its value (HU): the fit weights each by 1/scatter².</summary>
    public static IReadOnlyList<double> ScatterHu { get; } = [5, 8, 8, 5];

    /// <summary>Adipose tissue's drop in CT number per kV below 120 kVp (and rise above), HU/kV: about −10 HU at 80 kVp.</summary>
    public const double AdiposeHuPerKv = 0.25;

    public static double AdiposeAt(double kvp) => Hu120[1] + AdiposeHuPerKv * (Math.Clamp(kvp, 70, 150) - 120);

    /// <summary>Ideal-scale value of tissue <paramref name="index"/> at <paramref name="kvp"/> (NaN kVp: 120).</summary>
    public static double At(int index, double kvp) => index == 1 ? AdiposeAt(double.IsFinite(kvp) ? kvp : 120) : Hu120[index];
}
