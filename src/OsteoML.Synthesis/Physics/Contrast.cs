using OsteoML.Synthesis.Sampling;

namespace OsteoML.Synthesis.Physics;

public enum ContrastPhase
{
    None,
    Arterial,
    PortalVenous,
}

public static class ContrastPhases
{
    /// <summary>The manifest spelling: none, arterial, portal_venous.</summary>
    public static string Name(this ContrastPhase phase) => phase switch
    {
        ContrastPhase.Arterial => "arterial",
        ContrastPhase.PortalVenous => "portal_venous",
        _ => "none",
    };
}

/// <summary>A site's mix of unenhanced, arterial and portal-venous series among its opportunistic CTs.</summary>
public sealed record ContrastMix(double None = 0.5, double Arterial = 0.1, double PortalVenous = 0.4)
{
    public ContrastPhase Sample(SynthRandom random) => (ContrastPhase)random.Choose([None, Arterial, PortalVenous]);
}

/// <summary>
/// Enhancement (HU over unenhanced, at 120 kVp) of each tissue in one contrast-enhanced scan. Drawn per scan from
/// published means and spreads: L1 trabecular bone +13.5 HU arterial and +18.2 HU portal venous (Pompe et al., Eur
/// Radiol 2015); aorta +210 ± 99 / +110 ± 49 HU and IVC +47 ± 35 / +73 ± 28 HU, muscle and subcutaneous fat
/// &lt; 5 HU arterial (Bartenschlager et al., Eur J Radiol 2025); muscle and bone enhancing most in the portal
/// phase (Boutin et al., AJR 2016). Liver, spleen, kidney and bowel: typical textbook values (docs/synthesis.md).
/// Red (young) marrow enhances more than fatty marrow.
/// </summary>
public sealed record ContrastEnhancement(
    double Aorta, double Ivc, double Liver, double Spleen, double Kidney, double Bowel,
    double Muscle, double Fat, double Bone, double Disc)
{
    public static readonly ContrastEnhancement Unenhanced = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public static ContrastEnhancement Sample(ContrastPhase phase, double marrowFatFraction, SynthRandom random)
    {
        // Bone enhancement scales with the marrow's vascular (red) fraction, normalised to a typical 0.45 fat fraction.
        var marrow = Math.Clamp((1 - marrowFatFraction) / 0.55, 0.5, 1.6);
        return phase switch
        {
            ContrastPhase.Arterial => new ContrastEnhancement(
                Aorta: random.TruncatedNormal(230, 60, 110, 400),
                Ivc: random.TruncatedNormal(47, 30, 0, 150),
                Liver: random.TruncatedNormal(12, 5, 2, 30),
                Spleen: random.TruncatedNormal(65, 20, 20, 130),
                Kidney: random.TruncatedNormal(130, 30, 60, 220),
                Bowel: random.TruncatedNormal(15, 5, 3, 35),
                Muscle: random.TruncatedNormal(3, 2, 0, 10),
                Fat: random.TruncatedNormal(2, 1.5, 0, 6),
                Bone: marrow * random.TruncatedNormal(13.5, 5, 3, 35),
                Disc: random.TruncatedNormal(2, 1, 0, 6)),
            ContrastPhase.PortalVenous => new ContrastEnhancement(
                Aorta: random.TruncatedNormal(120, 35, 60, 250),
                Ivc: random.TruncatedNormal(73, 28, 20, 170),
                Liver: random.TruncatedNormal(55, 12, 25, 95),
                Spleen: random.TruncatedNormal(75, 15, 35, 120),
                Kidney: random.TruncatedNormal(140, 30, 70, 230),
                Bowel: random.TruncatedNormal(20, 6, 5, 40),
                Muscle: random.TruncatedNormal(8, 3, 1, 18),
                Fat: random.TruncatedNormal(4, 2, 0, 10),
                Bone: marrow * random.TruncatedNormal(18.2, 6, 4, 40),
                Disc: random.TruncatedNormal(5, 2, 0, 12)),
            _ => Unenhanced,
        };
    }

    /// <summary>The same enhancement at another effective kVp (iodine's CT number rises steeply at low kVp).</summary>
    public ContrastEnhancement AtKvp(double effectiveKvp)
    {
        var s = XRayMaterials.IodineScale(effectiveKvp);
        return new ContrastEnhancement(Aorta * s, Ivc * s, Liver * s, Spleen * s, Kidney * s, Bowel * s, Muscle * s, Fat * s, Bone * s, Disc * s);
    }
}
