using System.Buffers.Binary;

namespace OsteoML.Dicom.Codecs;

/// <summary>
/// RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits segment per byte plane,
/// most significant byte first, sample by sample. Decodes to interleaved little endian samples.
/// </summary>
public sealed class RleCodec : IDicomCodec
{
    private const int HeaderSize = 64;

    public DicomTransferSyntax TransferSyntax => DicomTransferSyntax.RLELossless;

    /// <summary>A two-byte replicate run yields at most 128 bytes.</summary>
    public long MaxDecodedBytes(long compressedBytes) => 64 * compressedBytes;

    public void Decode(ReadOnlySpan<byte> compressed, DicomPixelFormat format, Span<byte> destination)
    {
        var bytesPerSample = format.BytesPerSample;
        var expectedSegments = format.SamplesPerPixel * bytesPerSample;
        if (compressed.Length < HeaderSize)
            throw new DicomDataException($"RLE frame of {compressed.Length} bytes is shorter than its 64-byte header.");
        var segments = BinaryPrimitives.ReadUInt32LittleEndian(compressed);
        if (segments != expectedSegments)
            throw new DicomDataException($"RLE frame has {segments} segments; {expectedSegments} expected for {format}.");
        var pixels = checked((int)format.PixelCount);
        var stride = format.SamplesPerPixel * bytesPerSample;
        for (var s = 0; s < segments; s++)
        {
            var start = BinaryPrimitives.ReadUInt32LittleEndian(compressed[(4 + 4 * s)..]);
            var end = s + 1 < segments ? BinaryPrimitives.ReadUInt32LittleEndian(compressed[(8 + 4 * s)..]) : (uint)compressed.Length;
            if (start < HeaderSize || start > end || end > compressed.Length)
                throw new DicomDataException($"RLE segment {s + 1} has offsets {start}..{end} outside the {compressed.Length}-byte frame.");
            var sample = s / bytesPerSample;
            var byteInSample = bytesPerSample - 1 - s % bytesPerSample; // segments run from the most significant byte
            var decoded = DecodeSegment(compressed[(int)start..(int)end], destination[(sample * bytesPerSample + byteInSample)..], stride, pixels);
            if (decoded < pixels)
                throw new DicomDataException($"RLE segment {s + 1} decodes to {decoded} bytes; {pixels} expected for {format}.");
        }
    }

    /// <summary>PackBits into every <paramref name="stride"/>-th byte of the output; returns the bytes produced (at most <paramref name="count"/>).</summary>
    private static int DecodeSegment(ReadOnlySpan<byte> input, Span<byte> output, int stride, int count)
    {
        int i = 0, o = 0;
        while (o < count && i < input.Length)
        {
            var n = (sbyte)input[i++];
            if (n >= 0)
            {
                var run = Math.Min(n + 1, Math.Min(count - o, input.Length - i));
                for (var k = 0; k < run; k++)
                    output[(o + k) * stride] = input[i + k];
                i += n + 1;
                o += run;
            }
            else if (n != -128)
            {
                if (i >= input.Length)
                    break;
                var value = input[i++];
                var run = Math.Min(1 - n, count - o);
                for (var k = 0; k < run; k++)
                    output[(o + k) * stride] = value;
                o += run;
            }
        }
        return o;
    }

    public byte[] Encode(ReadOnlySpan<byte> frame, DicomPixelFormat format)
    {
        var bytesPerSample = format.BytesPerSample;
        var segments = format.SamplesPerPixel * bytesPerSample;
        if (segments > 15)
            throw new NotSupportedException($"RLE holds at most 15 segments; {format} needs {segments}.");
        if (frame.Length != format.FrameBytes)
            throw new ArgumentException($"frame has {frame.Length} bytes; {format.FrameBytes} expected for {format}.");
        var stride = segments;
        var output = new List<byte>(frame.Length + HeaderSize);
        output.AddRange(new byte[HeaderSize]);
        var header = new uint[16];
        header[0] = (uint)segments;
        var plane = new byte[format.Columns];
        for (var s = 0; s < segments; s++)
        {
            header[s + 1] = (uint)output.Count;
            var sample = s / bytesPerSample;
            var byteInSample = bytesPerSample - 1 - s % bytesPerSample;
            var offset = sample * bytesPerSample + byteInSample;
            // Each row separately: runs never cross a row boundary (PS3.5 §G.3.1).
            for (var row = 0; row < format.Rows; row++)
            {
                for (var c = 0; c < format.Columns; c++)
                    plane[c] = frame[((row * format.Columns) + c) * stride + offset];
                EncodeRow(plane, output);
            }
            if ((output.Count & 1) == 1)
                output.Add(0);
        }
        var result = output.ToArray();
        for (var k = 0; k < 16; k++)
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4 * k), header[k]);
        return result;
    }

    /// <summary>PackBits: runs of three or more equal bytes as replicate runs, the rest as literal runs, each at most 128 long.</summary>
    private static void EncodeRow(ReadOnlySpan<byte> row, List<byte> output)
    {
        var i = 0;
        while (i < row.Length)
        {
            var run = 1;
            while (i + run < row.Length && run < 128 && row[i + run] == row[i])
                run++;
            if (run >= 3)
            {
                output.Add((byte)(sbyte)(1 - run));
                output.Add(row[i]);
                i += run;
                continue;
            }
            var start = i;
            while (i < row.Length && i - start < 128)
            {
                if (i + 2 < row.Length && row[i] == row[i + 1] && row[i] == row[i + 2])
                    break;
                i++;
            }
            output.Add((byte)(i - start - 1));
            for (var k = start; k < i; k++)
                output.Add(row[k]);
        }
    }
}
