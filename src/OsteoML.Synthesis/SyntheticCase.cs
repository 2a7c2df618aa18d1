using OsteoML.Domain;
using OsteoML.Imaging;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Truth;

namespace OsteoML.Synthesis;

/// <summary>
/// One rendered case, in memory: the HU volume exactly as the DICOM series would read back (integer HU after the
/// scanner's storage convention, its padding value outside the reconstruction circle), the true label map on the
/// same grid (<see cref="Legend"/>), and the case's truth and hidden variables (<see cref="Spec"/>).
/// </summary>
public sealed class SyntheticCase(CaseSpec spec, RenderSize size, Volume<float> hu, Volume<byte> labels, double expectedNoiseSd, double sliceThicknessMm)
{
    public CaseSpec Spec { get; } = spec;
    public RenderSize Size { get; } = size;
    public Volume<float> Hu { get; } = hu;
    public Volume<byte> Labels { get; } = labels;

    /// <summary>Noise SD (HU) the scanner profile predicts for a uniform region on this grid.</summary>
    public double ExpectedNoiseSd { get; } = expectedNoiseSd;

    /// <summary>Reconstructed slice thickness on this grid (the series' own, or the reduced grid's minimum).</summary>
    public double SliceThicknessMm { get; } = sliceThicknessMm;

    public static IReadOnlyDictionary<byte, string> Legend => SyntheticLabels.Legend;

    public string CaseId => Spec.CaseId;
    public CohortSplit Split => Spec.Split;
    public BoneTruth Bone => Spec.Bone;

    /// <summary>The reference QCT BMD (mg/cm³): mean of L1 and L2 trabecular BMD plus measurement error.</summary>
    public double QctBmd => Spec.Bone.QctBmd;

    public BmdClass Class => Spec.Bone.Class;

    /// <summary>False for the series that do not contain both L1 and L2; the product must say so, not guess.</summary>
    public bool CoversL1AndL2 => Spec.Coverage.CoversL1AndL2;
}
