using OsteoML.Dicom.Derived;
using OsteoML.Imaging;

namespace OsteoML.Dicom.Seg;

/// <summary>
/// The image series a segmentation is drawn on: its grid (one SEG frame per slice index k of it), the SOP instance of
/// each slice (the Derivation Image Sequence's sources), its series and Frame of Reference UIDs.
/// </summary>
public sealed record SegmentationSource(VolumeGeometry Grid, IReadOnlyList<SourceImage> Slices, string SeriesInstanceUid, string FrameOfReferenceUid)
{
    public SegmentationSource Validate() =>
        Slices.Count == Grid.Size.Z ? this : throw new ArgumentException($"{Slices.Count} source images for a grid of {Grid.Size.Z} slices.");
}
