using OsteoML.Dicom.IO;
using OsteoML.Dicom.Series;

namespace OsteoML.Dicom.Derived;

/// <summary>One source image plane a derived object points back to: SOP class and instance, and the frame of a multi-frame source.</summary>
public sealed record SourceImage(string SopClassUid, string SopInstanceUid, int? FrameNumber)
{
    /// <summary>
    /// The stack's planes in volume order (index k of the loaded volume), with the SOP class read from each file's
    /// header once. Frame numbers are given only for multi-frame files (PS3.3 §10.3, Referenced Frame Number is 1-based).
    /// </summary>
    public static IReadOnlyList<SourceImage> FromStack(DicomStack stack)
    {
        var options = new DicomReadOptions { StopAtPixelData = true };
        var headers = stack.Slices.Select(s => s.File).Distinct(StringComparer.Ordinal).AsParallel()
            .Select(file =>
            {
                var dicom = DicomFile.Open(file, options);
                var sopClass = dicom.Dataset.GetStringOrDefault(DicomTag.SOPClassUID) ?? dicom.FileMetaInfo.GetStringOrDefault(DicomTag.MediaStorageSOPClassUID)
                               ?? throw new DicomDataException($"{file}: no SOP Class UID to reference.");
                return (File: file, SopClass: sopClass, Frames: dicom.Dataset.GetSingleValueOrDefault(DicomTag.NumberOfFrames, 1));
            })
            .ToDictionary(h => h.File, StringComparer.Ordinal);
        return stack.Slices.Select(s =>
        {
            var header = headers[s.File];
            var sop = s.SopInstanceUid ?? throw new DicomDataException($"{s.File}: no SOP Instance UID to reference.");
            return new SourceImage(header.SopClass, sop, header.Frames > 1 ? s.Frame + 1 : null);
        }).ToList();
    }

    /// <summary>The Source Image Sequence / Referenced Image Sequence item (Image SOP Instance Reference Macro, PS3.3 Table 10-3).</summary>
    public DicomDataset ToDataset()
    {
        var item = new DicomDataset();
        item.Add(DicomTag.ReferencedSOPClassUID, SopClassUid);
        item.Add(DicomTag.ReferencedSOPInstanceUID, SopInstanceUid);
        if (FrameNumber is { } frame)
            item.Add(DicomTag.ReferencedFrameNumber, frame);
        return item;
    }
}
