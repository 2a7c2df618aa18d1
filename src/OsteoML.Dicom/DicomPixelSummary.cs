using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OsteoML.Dicom;

/// <summary>
/// A fingerprint of decoded pixel data that independent decoders can be compared on: SHA-256 of the stored
/// values (all frames in order; frame, row, column, sample), each masked to BitsStored, sign-extended when
/// signed, written little endian in the integer type of BitsAllocated — the definition of the reference corpus
/// (tests/data/reference-dicom/README.md) — with min, max and sum.
/// </summary>
public sealed record DicomPixelSummary(string Sha256, long Min, long Max, long Sum, long Count)
{
    public static DicomPixelSummary Of(DicomPixelData pixels)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long min = long.MaxValue, max = long.MinValue, sum = 0, count = 0;
        var width = pixels.BitsAllocated == 1 ? 1 : pixels.BitsAllocated / 8;
        for (var f = 0; f < pixels.NumberOfFrames; f++)
        {
            var values = pixels.GetStoredValues(f);
            var bytes = new byte[values.Length * width];
            for (var i = 0; i < values.Length; i++)
            {
                var v = values[i];
                min = Math.Min(min, v);
                max = Math.Max(max, v);
                sum += v;
                switch (width)
                {
                    case 1: bytes[i] = (byte)v; break;
                    case 2: BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), (ushort)v); break;
                    case 4: BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4 * i), (uint)v); break;
                    default: BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8 * i), (ulong)v); break;
                }
            }
            hash.AppendData(bytes);
            count += values.Length;
        }
        return new DicomPixelSummary(Convert.ToHexStringLower(hash.GetHashAndReset()), min, max, sum, count);
    }
}
