using OsteoML.Dicom;
using OsteoML.Dicom.Codecs;

namespace OsteoML.Tests.Dicom;

/// <summary>Codec features no reference tool here can produce, on streams written out bit by bit from T.81 and PS3.5.</summary>
[TestClass]
public sealed class HandCodedStreamTests
{
    /// <summary>
    /// 4×2, 8 bits, predictor 2 (above), a restart interval of one row (DRI = 4 MCUs). Huffman table: category 0 →
    /// "0", 1 → "10", 2 → "110", 5 → "111". After RST0 the second row must be predicted like a first row (2^(P−1),
    /// then left), not from the row above.
    /// Row 0: 100 (−28: 111 00011), 101 (+1: 10 1), 101 (0: 0), 103 (+2: 110 10) → E3 AD 7F (padded with ones).
    /// Row 1: 130 (+2 from 128: 110 10), 131 (+1: 10 1), 131 (0: 0), 129 (−2: 110 01) → D5 67.
    /// </summary>
    [TestMethod]
    public void Jpeg_lossless_restart_interval_resets_prediction()
    {
        byte[] stream =
        [
            0xFF, 0xD8,
            0xFF, 0xC4, 0x00, 0x17, 0x00, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x02, 0x05,
            0xFF, 0xC3, 0x00, 0x0B, 0x08, 0x00, 0x02, 0x00, 0x04, 0x01, 0x01, 0x11, 0x00,
            0xFF, 0xDD, 0x00, 0x04, 0x00, 0x04,
            0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x02, 0x00, 0x00,
            0xE3, 0xAD, 0x7F, 0xFF, 0xD0, 0xD5, 0x67,
            0xFF, 0xD9,
        ];
        var format = new DicomPixelFormat(2, 4, 1, 8, 8, 0);
        var output = new byte[8];
        new JpegLosslessCodec(DicomTransferSyntax.JPEGLossless).Decode(stream, format, output);
        CollectionAssert.AreEqual(new byte[] { 100, 101, 101, 103, 130, 131, 131, 129 }, output);

        // Cut anywhere, the stream gives a DicomDataException or (past the last needed bit) the same pixels — nothing else.
        for (var cut = 0; cut < stream.Length; cut++)
        {
            try
            {
                new JpegLosslessCodec(DicomTransferSyntax.JPEGLossless).Decode(stream.AsSpan(0, cut), format, new byte[8]);
            }
            catch (DicomDataException)
            {
            }
        }
    }

    /// <summary>PS3.5 §G.3.1 PackBits: a literal run (n ≥ 0: n+1 bytes), a replicate run (−127..−1: 1−n copies), −128 a no-op.</summary>
    [TestMethod]
    public void Rle_segments_follow_packbits()
    {
        // One 8-bit segment of 4×3 pixels: literal [1 2 3], no-op, replicate 9 ×5, literal [7 8 9 10].
        byte[] segment = [2, 1, 2, 3, 0x80, unchecked((byte)-4), 9, 3, 7, 8, 9, 10];
        var frame = new byte[64 + segment.Length];
        BitConverter.GetBytes(1u).CopyTo(frame, 0);
        BitConverter.GetBytes(64u).CopyTo(frame, 4);
        segment.CopyTo(frame, 64);
        var output = new byte[12];
        new RleCodec().Decode(frame, new DicomPixelFormat(3, 4, 1, 8, 8, 0), output);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 9, 9, 9, 9, 9, 7, 8, 9, 10 }, output);

        // 16 bits: the first segment holds the high bytes.
        byte[] high = [0, 0x12, unchecked((byte)-1), 0xAB];
        byte[] low = [2, 0x34, 0x56, 0x78];
        var frame16 = new byte[64 + high.Length + low.Length];
        BitConverter.GetBytes(2u).CopyTo(frame16, 0);
        BitConverter.GetBytes(64u).CopyTo(frame16, 4);
        BitConverter.GetBytes((uint)(64 + high.Length)).CopyTo(frame16, 8);
        high.CopyTo(frame16, 64);
        low.CopyTo(frame16, 64 + high.Length);
        var output16 = new byte[6];
        new RleCodec().Decode(frame16, new DicomPixelFormat(1, 3, 1, 16, 16, 0), output16);
        CollectionAssert.AreEqual(new ushort[] { 0x1234, 0xAB56, 0xAB78 }, Enumerable.Range(0, 3).Select(i => BitConverter.ToUInt16(output16, 2 * i)).ToArray());
    }
}
