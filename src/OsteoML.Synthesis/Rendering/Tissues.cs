using OsteoML.Synthesis.Physics;

namespace OsteoML.Synthesis.Rendering;

/// <summary>
/// CT numbers (HU, before the scanner's calibration error) of every soft tissue in one scan: unenhanced values at
/// the scan's effective kVp plus its contrast enhancement. Unenhanced values are typical adult CT numbers at 120 kVp
/// (docs/synthesis.md); fat-containing tissues follow fat's kVp dependence.
/// </summary>
internal sealed record Tissues(
    float Skin, float SubcutaneousFat, float VisceralFat, float Muscle, float Lung, float Liver, float Spleen,
    float Kidney, float Bowel, float BowelGas, float Aorta, float Ivc, float Canal, float DiscAnnulus, float DiscNucleus,
    float TablePad, float TableShell, float TableFoam)
{
    public static Tissues For(Acquisition acquisition, double muscleFatFraction, double liverFatFraction, double bloodHu, double lungHu)
    {
        var kvp = acquisition.EffectiveKvp;
        var e = acquisition.Enhancement;
        float Soft(double lean, double fat, double enhancement) => (float)(XRayMaterials.SoftTissueHu(lean, fat, kvp) + enhancement);
        return new Tissues(
            Skin: Soft(45, 0.05, e.Muscle),
            SubcutaneousFat: Soft(40, 0.96, e.Fat),
            VisceralFat: Soft(40, 0.93, e.Fat),
            Muscle: Soft(55, muscleFatFraction, e.Muscle),
            Lung: (float)lungHu,
            Liver: Soft(62, liverFatFraction, e.Liver),
            Spleen: Soft(48, 0, e.Spleen),
            Kidney: Soft(32, 0, e.Kidney),
            Bowel: Soft(38, 0.02, e.Bowel),
            BowelGas: -950,
            Aorta: (float)(bloodHu + e.Aorta),
            Ivc: (float)(bloodHu + e.Ivc),
            Canal: 18,
            DiscAnnulus: (float)(88 + e.Disc),
            DiscNucleus: (float)(70 + e.Disc),
            TablePad: -880,
            TableShell: 260,
            TableFoam: -950);
    }
}
