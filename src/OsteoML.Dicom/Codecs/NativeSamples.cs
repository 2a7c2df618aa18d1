using System.Buffers.Binary;

namespace OsteoML.Dicom.Codecs;

/// <summary>
/// Moves samples between native DICOM frames (little endian, BitsAllocated wide, interleaved) and the integer
/// planes or buffers the C codecs use: one place for the widths, the BitsStored mask and the sign extension.
/// </summary>
internal static class NativeSamples
{
    /// <summary>Writes one sample (two's complement truncated to the sample width, as DICOM stores it).</summary>
    public static void Write(Span<byte> frame, int index, int bytesPerSample, int value)
    {
        switch (bytesPerSample)
        {
            case 1:
                frame[index] = (byte)value;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(frame[(2 * index)..], (ushort)value);
                break;
            default:
                BinaryPrimitives.WriteInt32LittleEndian(frame[(4 * index)..], value);
                break;
        }
    }

    /// <summary>The stored value of one sample: masked to BitsStored (high bit BitsStored − 1) and sign-extended when signed.</summary>
    public static int Read(ReadOnlySpan<byte> frame, int index, DicomPixelFormat format)
    {
        ulong raw = format.BytesPerSample switch
        {
            1 => frame[index],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(frame[(2 * index)..]),
            _ => BinaryPrimitives.ReadUInt32LittleEndian(frame[(4 * index)..]),
        };
        return (int)DicomPixelData.StoredValue(raw, 0, format.BitsStored, format.IsSigned);
    }

    /// <summary>The stored value masked to BitsStored without sign extension: the unsigned code JPEG-LS carries.</summary>
    public static int ReadUnsigned(ReadOnlySpan<byte> frame, int index, DicomPixelFormat format) =>
        (int)((uint)Read(frame, index, format) & (uint)((1L << format.BitsStored) - 1));

    /// <summary>Refuses formats the C codecs cannot carry: samples wider than 16 bits, 1-bit images.</summary>
    public static void RequireCodecFormat(DicomPixelFormat format, string codec)
    {
        if (format.BitsAllocated is not (8 or 16) || format.BitsStored > 16)
            throw new NotSupportedException($"{codec} carries 2–16-bit samples in 8- or 16-bit words; this image is {format}.");
    }
}
