using System.Buffers.Binary;
using OsteoML.Dicom.Codecs;
using OsteoML.Dicom.IO;

namespace OsteoML.Dicom.Fuzz;

/// <summary>
/// Fuzz input for the codecs: byte 0 picks the transfer syntax, bytes 1–2 the rows, 3–4 the columns, 5 the bits
/// (stored; allocated follows) and signedness, 6 the samples per pixel; the rest is one compressed frame. Seeds are
/// the frames of the reference files with their real format, so mutations start from valid codestreams.
/// </summary>
internal static class CodecTarget
{
    private const int HeaderBytes = 7;

    private static readonly DicomTransferSyntax[] Syntaxes =
    [
        DicomTransferSyntax.JPEG2000Lossless, DicomTransferSyntax.JPEG2000, DicomTransferSyntax.HTJ2KLossless,
        DicomTransferSyntax.JPEGLSLossless, DicomTransferSyntax.JPEGLSNearLossless,
        DicomTransferSyntax.JPEGBaseline, DicomTransferSyntax.JPEGExtended,
        DicomTransferSyntax.JPEGLossless, DicomTransferSyntax.RLELossless,
    ];

    public static void Run(Stream input)
    {
        var bytes = new MemoryStream();
        input.CopyTo(bytes);
        var data = bytes.ToArray();
        if (data.Length < HeaderBytes)
            return;
        var syntax = Syntaxes[data[0] % Syntaxes.Length];
        var rows = Math.Clamp((int)BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(1)), 1, 1024);
        var columns = Math.Clamp((int)BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(3)), 1, 1024);
        var bitsStored = Math.Clamp(data[5] & 0x1F, 2, 16);
        var format = new DicomPixelFormat(rows, columns, data[6] % 3 == 2 ? 3 : 1, bitsStored <= 8 ? 8 : 16, bitsStored, data[5] >> 7);
        var codec = DicomCodecRegistry.Get(syntax);
        var compressed = data.AsSpan(HeaderBytes);
        // The guard DicomPixelData applies before allocating a frame.
        if (format.FrameBytes > codec.MaxDecodedBytes(compressed.Length))
            return;
        var frame = new byte[format.FrameBytes];
        try
        {
            codec.Decode(compressed, format, frame);
        }
        catch (Exception ex) when (ex is DicomDataException or NotSupportedException)
        {
        }
    }

    /// <summary>Writes one seed per frame of each DICOM file whose syntax is fuzzed.</summary>
    public static void MakeSeeds(string folder, string[] files)
    {
        Directory.CreateDirectory(folder);
        foreach (var path in files)
        {
            try
            {
                var file = DicomFile.Open(path);
                var index = Array.FindIndex(Syntaxes, s => s.UID == file.Dataset.InternalTransferSyntax.UID);
                if (index < 0 || file.Dataset.Find(DicomTag.PixelData) is not DicomFragmentSequence fragments)
                    continue;
                var pixels = DicomPixelData.Create(file.Dataset);
                var (first, count) = pixels.FrameFragments(fragments)[0];
                var seed = new MemoryStream();
                seed.WriteByte((byte)index);
                var header = new byte[6];
                BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)pixels.Rows);
                BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), (ushort)pixels.Columns);
                header[4] = (byte)(pixels.BitsStored | (pixels.PixelRepresentation << 7));
                header[5] = (byte)(pixels.SamplesPerPixel == 3 ? 2 : 0);
                seed.Write(header);
                for (var i = first; i < first + count; i++)
                {
                    var fragment = fragments.Fragments[i];
                    var buffer = new byte[fragment.Size];
                    fragment.CopyTo(0, buffer);
                    seed.Write(buffer);
                }
                if (seed.Length < 200_000)
                    File.WriteAllBytes(Path.Combine(folder, Path.GetFileNameWithoutExtension(path) + ".seed"), seed.ToArray());
            }
            catch (Exception ex) when (ex is DicomDataException or NotSupportedException)
            {
            }
        }
    }
}
