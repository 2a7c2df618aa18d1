namespace OsteoML.Inference;

/// <summary>
/// What VB-Net-lite labels. Bone classes, not vertebral levels: a patch-sized receptive field cannot count
/// vertebrae, so the level (L1, L2) comes from <see cref="VertebraLevels"/>, which counts trabecular
/// bodies down from the lowest rib-bearing one (T12).
/// </summary>
public static class SegmentationClasses
{
    public const int Background = 0;
    /// <summary>Cancellous bone of a vertebral body: the ROI whose HU the product measures; one connected piece per vertebra.</summary>
    public const int Trabecular = 1;
    /// <summary>The rest of a vertebra: cortical shell, endplates, posterior elements (and the sacrum).</summary>
    public const int OtherVertebralBone = 2;
    /// <summary>Ribs: their heads mark the thoracic vertebrae, the anchor of the level count.</summary>
    public const int Rib = 3;

    public static readonly IReadOnlyList<string> Names = ["background", "vertebral_body_trabecular", "vertebra_other", "rib"];
    public static int Count => Names.Count;
}
