namespace OsteoML.Dicom.Sr;

/// <summary>
/// The Referenced SOP Sequence item of an IMAGE or COMPOSITE content item (PS3.3 §C.18.3/§C.18.4): the instance, and
/// for a segmentation the segment (Referenced Segment Number, PS3.3 Table C.18.4-1) or for a multi-frame image its frames.
/// </summary>
public sealed record SrReference(string SopClassUid, string SopInstanceUid, int? SegmentNumber = null, int? FrameNumber = null)
{
    public DicomDataset ToDataset()
    {
        var item = new DicomDataset();
        item.Add(DicomTag.ReferencedSOPClassUID, SopClassUid);
        item.Add(DicomTag.ReferencedSOPInstanceUID, SopInstanceUid);
        if (FrameNumber is { } frame)
            item.Add(DicomTag.ReferencedFrameNumber, frame);
        if (SegmentNumber is { } segment)
            item.Add(DicomTag.ReferencedSegmentNumber, (ushort)segment);
        return item;
    }
}
