namespace OsteoML.Dicom.Seg;

/// <summary>
/// A segment and its mask on the source grid: for each slice index k that holds any of it, the plane as one byte per
/// pixel (0 or 1), row by row (x fastest) — one SEG frame per plane. Planes without a set pixel are left out.
/// </summary>
public sealed record BinarySegment(SegmentDescription Segment, IReadOnlyDictionary<int, byte[]> Planes)
{
    public long VoxelCount => Planes.Values.Sum(p => (long)p.Count(b => b != 0));
}
