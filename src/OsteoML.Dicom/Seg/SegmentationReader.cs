using OsteoML.Imaging;

namespace OsteoML.Dicom.Seg;

/// <summary>
/// Reads a binary Segmentation back onto an image grid: each frame's segment from its Segment Identification group and
/// its slice from its Plane Position projected on the grid — not from frame order, which the standard leaves free.
/// </summary>
public static class SegmentationReader
{
    /// <summary>Tolerance for a frame's plane to lie on a grid slice, as a fraction of the slice step.</summary>
    public const double SliceTolerance = 0.01;

    public static IReadOnlyList<BinarySegment> Read(DicomDataset seg, VolumeGeometry grid)
    {
        if (seg.GetStringOrDefault(DicomTag.SegmentationType) != "BINARY")
            throw new NotSupportedException($"SegmentationType {seg.GetStringOrDefault(DicomTag.SegmentationType) ?? "(none)"}: only BINARY segmentations are read.");
        var pixels = DicomPixelData.Create(seg);
        if (pixels.Rows != grid.Size.Y || pixels.Columns != grid.Size.X)
            throw new DicomDataException($"segmentation frames are {pixels.Columns}×{pixels.Rows}, the grid's slices {grid.Size.X}×{grid.Size.Y}.");
        var segments = seg.GetSequence(DicomTag.SegmentSequence).Items.Select(SegmentDescription.From).ToDictionary(s => s.Number);
        var planes = segments.Keys.ToDictionary(n => n, _ => new SortedDictionary<int, byte[]>());
        for (var f = 0; f < pixels.NumberOfFrames; f++)
        {
            var number = (DicomPixelData.FunctionalGroup(seg, f, DicomTag.SegmentIdentificationSequence)
                          ?? throw new DicomDataException($"frame {f + 1} has no Segment Identification Sequence.")).GetSingleValue<int>(DicomTag.ReferencedSegmentNumber);
            var position = (DicomPixelData.FunctionalGroup(seg, f, DicomTag.PlanePositionSequence)
                            ?? throw new DicomDataException($"frame {f + 1} has no Plane Position Sequence.")).GetValues<double>(DicomTag.ImagePositionPatient);
            var index = grid.WorldToIndex(new Vec3(position[0], position[1], position[2]));
            var k = (int)Math.Round(index.Z);
            if (Math.Abs(index.X) > SliceTolerance || Math.Abs(index.Y) > SliceTolerance || Math.Abs(index.Z - k) > SliceTolerance || k < 0 || k >= grid.Size.Z)
                throw new DicomDataException($"frame {f + 1} at ({position[0]}, {position[1]}, {position[2]}) is not a slice of the grid.");
            if (!planes.TryGetValue(number, out var byK))
                throw new DicomDataException($"frame {f + 1} names segment {number}, which the Segment Sequence does not describe.");
            var frame = pixels.GetFrame(f);
            if (byK.TryGetValue(k, out var existing))
            {
                // Two frames of one segment on one plane (allowed): their union.
                for (var i = 0; i < frame.Length; i++) existing[i] |= frame[i];
            }
            else if (frame.Any(b => b != 0))
            {
                byK[k] = frame;
            }
        }
        return segments.Values.OrderBy(s => s.Number).Select(s => new BinarySegment(s, planes[s.Number])).ToList();
    }
}
