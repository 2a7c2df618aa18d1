using OsteoML.Dicom.Series;
using OsteoML.Imaging;

namespace OsteoML.Pipelines.Segmentation;

/// <summary>
/// Bring your own segmentation: a <see cref="VertebraSegmentation"/> made from someone else's per-level vertebra masks
/// (TotalSegmentator, VerSe, nnU-Net …) instead of our network, so the rest of the chain — ROI, tissues, DenseNet crop,
/// heads, calibration, QA — runs unchanged. Levels come from the masks' labels, so there is no level count and no rib
/// rule; L1 and L2 must both be there and not cut by the scan's craniocaudal edge, else the study is refused as "not
/// covered". The masks stand in for our trabecular class: whole bodies (or whole vertebrae without a body mask) keep
/// their cortex, and the measurement's in-plane rim is what leaves the shell out. Confidence is 1: the user vouches for them.
/// </summary>
public static class MaskSegmentation
{
    public static VertebraSegmentation Build(CtVolume ct, ReferenceVertebrae masks, double modelSpacingMm, string modelSha256)
    {
        var codes = new Volume<byte>(ct.Hu.Geometry);
        foreach (var level in VertebraSegmentation.Levels)
        {
            if (!masks.Masks.TryGetValue(level, out var mask)) continue;
            var code = VertebraSegmentation.LevelCode(level);
            for (var v = 0; v < mask.Voxels.Length; v++)
                if (mask.Voxels[v]) codes.Voxels[v] = code;
        }
        return ReferenceSegmentation.FromLabels(codes, VertebraSegmentation.LevelName, ct.SeriesInstanceUid, modelSha256, modelSpacingMm, "the masks' labels");
    }
}
