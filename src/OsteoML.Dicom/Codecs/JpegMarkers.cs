using System.Buffers.Binary;

namespace OsteoML.Dicom.Codecs;

/// <summary>Reads what a DCT JPEG stream declares before a library is handed it (ISO 10918-1 §B.2).</summary>
internal static class JpegMarkers
{
    /// <summary>The sample precision P of the first frame header (SOF0–SOF15 except DHT, JPG and DAC).</summary>
    public static int FramePrecision(ReadOnlySpan<byte> jpeg)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
            throw new DicomDataException("JPEG frame does not start with a start-of-image marker (FFD8).");
        var at = 2;
        while (at + 4 <= jpeg.Length)
        {
            if (jpeg[at] != 0xFF)
                throw new DicomDataException($"JPEG stream has no marker at byte {at} before its frame header.");
            var marker = jpeg[at + 1];
            if (marker == 0xFF)
            {
                at++; // fill byte
                continue;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(at + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                return at + 4 < jpeg.Length ? jpeg[at + 4] : throw new DicomDataException("JPEG frame header is truncated.");
            if (length < 2)
                throw new DicomDataException($"JPEG segment FF{marker:X2} at byte {at} has length {length}.");
            at += 2 + length;
        }
        throw new DicomDataException("JPEG stream ends before its frame header.");
    }
}
