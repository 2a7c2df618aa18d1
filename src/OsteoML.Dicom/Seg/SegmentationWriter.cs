using OsteoML.Dicom.Derived;
using OsteoML.Dicom.Sr;

namespace OsteoML.Dicom.Seg;

/// <summary>
/// Writes a binary Segmentation (Segmentation IOD, PS3.3 §A.51; Segmentation Storage): one 1-bit frame per segment and
/// source slice that holds any of it, in segment order then slice order. Shared functional groups hold the plane
/// orientation and pixel measures; each frame's own groups hold its position, its segment, its dimension indices and
/// the Derivation Image Sequence naming the CT slice it was derived from, so a viewer overlays it without guessing.
/// </summary>
public static class SegmentationWriter
{
    /// <summary>(121322, DCM, "Source image for image processing operation"): why a frame points at its CT slice.</summary>
    public static readonly DicomCodeItem SourceForProcessing = new("121322", "DCM", "Source image for image processing operation");
    /// <summary>(113076, DCM, "Segmentation"): how the frame was derived.</summary>
    public static readonly DicomCodeItem SegmentationDerivation = new("113076", "DCM", "Segmentation");

    public static DicomDataset Create(DicomDataset sourceHeader, DerivedInstance instance, SegmentationSource source, IReadOnlyList<BinarySegment> segments,
        string contentLabel, string contentDescription)
    {
        source.Validate();
        if (segments.Count == 0)
            throw new ArgumentException("A segmentation needs at least one segment.", nameof(segments));
        var g = source.Grid;
        int rows = g.Size.Y, columns = g.Size.X, planeSize = rows * columns;
        var frames = segments.OrderBy(s => s.Segment.Number)
            .SelectMany(s => s.Planes.Where(p => p.Value.Any(b => b != 0)).OrderBy(p => p.Key).Select(p => (s.Segment.Number, K: p.Key, Plane: p.Value)))
            .ToList();
        foreach (var f in frames)
        {
            if (f.Plane.Length != planeSize || f.K < 0 || f.K >= g.Size.Z)
                throw new ArgumentException($"segment {f.Number}, slice {f.K}: the plane does not fit the {columns}×{rows}×{g.Size.Z} grid.");
        }
        // An empty segmentation still has to be a valid object: one empty frame of the first segment on the first slice.
        if (frames.Count == 0)
            frames.Add((segments[0].Segment.Number, 0, new byte[planeSize]));

        var ds = DerivedHeader.Create(sourceHeader, instance);
        ds.Add(DicomTag.ImageType, "DERIVED", "PRIMARY");
        ds.Add(DicomTag.FrameOfReferenceUID, source.FrameOfReferenceUid);
        ds.Add(DicomTag.PositionReferenceIndicator, Array.Empty<string>());
        ds.Add(DicomTag.ContentLabel, contentLabel);
        ds.Add(DicomTag.ContentDescription, contentDescription);
        ds.Add(DicomTag.ContentCreatorName, Array.Empty<string>());
        ds.Add(DicomTag.SamplesPerPixel, (ushort)1);
        ds.Add(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        ds.Add(DicomTag.NumberOfFrames, frames.Count);
        ds.Add(DicomTag.Rows, (ushort)rows);
        ds.Add(DicomTag.Columns, (ushort)columns);
        ds.Add(DicomTag.BitsAllocated, (ushort)1);
        ds.Add(DicomTag.BitsStored, (ushort)1);
        ds.Add(DicomTag.HighBit, (ushort)0);
        ds.Add(DicomTag.PixelRepresentation, (ushort)0);
        ds.Add(DicomTag.LossyImageCompression, "00");
        ds.Add(DicomTag.SegmentationType, "BINARY");
        ds.Add(DicomTag.SegmentSequence, [.. segments.OrderBy(s => s.Segment.Number).Select(s => s.Segment.ToDataset())]);

        // Multi-frame Dimension module: frames are indexed by segment, then by position (PS3.3 §C.8.20.2.1 recommends this organisation).
        var organisation = DerivedUid.From(instance.SopInstanceUid, "dimension-organization");
        var dimensionOrganisation = new DicomDataset();
        dimensionOrganisation.Add(DicomTag.DimensionOrganizationUID, organisation);
        ds.Add(DicomTag.DimensionOrganizationSequence, dimensionOrganisation);
        ds.Add(DicomTag.DimensionOrganizationType, "3D");
        ds.Add(DicomTag.DimensionIndexSequence,
            Dimension(organisation, DicomTag.ReferencedSegmentNumber, DicomTag.SegmentIdentificationSequence, "Segment Number"),
            Dimension(organisation, DicomTag.ImagePositionPatient, DicomTag.PlanePositionSequence, "Image Position Patient"));

        var shared = new DicomDataset();
        var orientation = new DicomDataset();
        orientation.Add(DicomTag.ImageOrientationPatient, g.Direction.I.X, g.Direction.I.Y, g.Direction.I.Z, g.Direction.J.X, g.Direction.J.Y, g.Direction.J.Z);
        var measures = new DicomDataset();
        measures.Add(DicomTag.SliceThickness, g.Spacing.Z);
        measures.Add(DicomTag.PixelSpacing, g.Spacing.Y, g.Spacing.X);
        measures.Add(DicomTag.SpacingBetweenSlices, g.Spacing.Z);
        shared.Add(DicomTag.PixelMeasuresSequence, measures);
        shared.Add(DicomTag.PlaneOrientationSequence, orientation);
        ds.Add(DicomTag.SharedFunctionalGroupsSequence, shared);

        // Dimension index values of a position are 1-based indices into the sorted set of positions used.
        var positionIndex = frames.Select(f => f.K).Distinct().Order().Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i + 1);
        ds.Add(DicomTag.PerFrameFunctionalGroupsSequence, [.. frames.Select(f => PerFrame(source, f.Number, f.K, positionIndex[f.K]))]);

        ds.Add(DicomTag.ReferencedSeriesSequence, ReferencedSeries(source, frames.Select(f => f.K)));
        ds.Add(new DicomElement(DicomTag.PixelData, DicomVR.OB, Pack(frames.Select(f => f.Plane), planeSize)));
        return ds;
    }

    private static DicomDataset Dimension(string organisation, DicomTag pointer, DicomTag group, string label)
    {
        var item = new DicomDataset();
        item.Add(DicomTag.DimensionOrganizationUID, organisation);
        item.Add(DicomTag.DimensionIndexPointer, pointer);
        item.Add(DicomTag.FunctionalGroupPointer, group);
        item.Add(DicomTag.DimensionDescriptionLabel, label);
        return item;
    }

    private static DicomDataset PerFrame(SegmentationSource source, int segment, int k, int positionIndex)
    {
        var frame = new DicomDataset();
        var sourceImage = source.Slices[k].ToDataset();
        sourceImage.Add(DicomTag.PurposeOfReferenceCodeSequence, SourceForProcessing.ToDataset());
        var derivation = new DicomDataset();
        derivation.Add(DicomTag.SourceImageSequence, sourceImage);
        derivation.Add(DicomTag.DerivationCodeSequence, SegmentationDerivation.ToDataset());
        frame.Add(DicomTag.DerivationImageSequence, derivation);

        var content = new DicomDataset();
        content.Add(DicomTag.DimensionIndexValues, DicomVR.UL, (uint)segment, (uint)positionIndex);
        frame.Add(DicomTag.FrameContentSequence, content);

        var position = new DicomDataset();
        var p = source.Grid.IndexToWorld(0, 0, k);
        position.Add(DicomTag.ImagePositionPatient, p.X, p.Y, p.Z);
        frame.Add(DicomTag.PlanePositionSequence, position);

        var identification = new DicomDataset();
        identification.Add(DicomTag.ReferencedSegmentNumber, (ushort)segment);
        frame.Add(DicomTag.SegmentIdentificationSequence, identification);
        return frame;
    }

    /// <summary>Common Instance Reference module: the source instances the frames were derived from, by series.</summary>
    private static DicomDataset ReferencedSeries(SegmentationSource source, IEnumerable<int> slices)
    {
        var series = new DicomDataset();
        series.Add(DicomTag.ReferencedInstanceSequence, [.. slices.Distinct().Order().Select(k => source.Slices[k]).DistinctBy(s => s.SopInstanceUid).Select(s =>
        {
            var item = new DicomDataset();
            item.Add(DicomTag.ReferencedSOPClassUID, s.SopClassUid);
            item.Add(DicomTag.ReferencedSOPInstanceUID, s.SopInstanceUid);
            return item;
        })]);
        series.Add(DicomTag.SeriesInstanceUID, source.SeriesInstanceUid);
        return series;
    }

    /// <summary>1-bit pixels, packed across frame boundaries, first pixel in the least significant bit (PS3.5 §8.1.1, §8.2).</summary>
    internal static byte[] Pack(IEnumerable<byte[]> planes, int planeSize)
    {
        var all = planes.ToList();
        var bits = (long)all.Count * planeSize;
        var packed = new byte[(bits + 7) / 8 + ((bits + 7) / 8 & 1)];
        long n = 0;
        foreach (var plane in all)
        {
            foreach (var value in plane)
            {
                if (value != 0)
                    packed[n >> 3] |= (byte)(1 << (int)(n & 7));
                n++;
            }
        }
        return packed;
    }
}
