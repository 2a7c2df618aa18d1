using OsteoML.Dicom.Codecs.Native;

namespace OsteoML.Dicom.Codecs;

/// <summary>
/// JPEG-LS lossless and near-lossless (PS3.5 §A.4.3) through CharLS 2 (Debian libcharls2), the library fo-dicom,
/// GDCM and dcmtk use. Decodes any interleave mode to interleaved samples; encodes lossless (.80) or, for .81,
/// with the given NEAR.
/// </summary>
public sealed unsafe class JpegLsCodec : IDicomCodec
{
    private readonly int _nearLossless;

    /// <param name="syntax">.80 or .81.</param>
    /// <param name="nearLossless">the NEAR parameter the encoder of .81 uses (the largest error per sample); .80 always encodes with 0.</param>
    public JpegLsCodec(DicomTransferSyntax syntax, int nearLossless = 2)
    {
        if (syntax.UID != DicomTransferSyntax.JPEGLSLossless.UID && syntax.UID != DicomTransferSyntax.JPEGLSNearLossless.UID)
            throw new ArgumentException($"{syntax.UID} ({syntax.Name}) is not a JPEG-LS transfer syntax.", nameof(syntax));
        ArgumentOutOfRangeException.ThrowIfNegative(nearLossless);
        TransferSyntax = syntax;
        _nearLossless = syntax.IsLossy ? nearLossless : 0;
    }

    public DicomTransferSyntax TransferSyntax { get; }

    /// <summary>Run mode codes a constant line in about a byte, so the bound is loose (see <see cref="CodecLimits"/>).</summary>
    public long MaxDecodedBytes(long compressedBytes) => CodecLimits.MaxDecodedBytes(compressedBytes);

    public void Decode(ReadOnlySpan<byte> compressed, DicomPixelFormat format, Span<byte> destination)
    {
        NativeSamples.RequireCodecFormat(format, "JPEG-LS");
        var api = CharLSApi.Get();
        compressed = WithEndOfImage(compressed);
        var decoder = api.DecoderCreate();
        if (decoder == 0)
            throw new InsufficientMemoryException("CharLS could not create a decoder.");
        try
        {
            fixed (byte* source = compressed)
            {
                api.Check(api.DecoderSetSourceBuffer(decoder, source, (nuint)compressed.Length), "source");
                api.Check(api.DecoderReadHeader(decoder), "header");
                CharLSApi.FrameInfo info;
                api.Check(api.DecoderGetFrameInfo(decoder, &info), "frame info");
                int interleave;
                api.Check(api.DecoderGetInterleaveMode(decoder, &interleave), "interleave mode");
                if (info.Width != format.Columns || info.Height != format.Rows || info.ComponentCount != format.SamplesPerPixel)
                    throw new DicomDataException($"JPEG-LS stream is {info.Width}×{info.Height} with {info.ComponentCount} component(s); the dataset says {format}.");
                if (info.BitsPerSample > format.BitsAllocated)
                    throw new DicomDataException($"JPEG-LS stream has {info.BitsPerSample}-bit samples; BitsAllocated is {format.BitsAllocated}.");
                // CharLS writes 8-bit samples as bytes and 9–16-bit samples as 16-bit words: the same layout as the
                // DICOM frame when the widths agree, so it decodes in place; otherwise through a buffer.
                var codecBytes = info.BitsPerSample <= 8 ? 1 : 2;
                nuint size;
                api.Check(api.DecoderGetDestinationSize(decoder, 0, &size), "destination size");
                var expected = (nuint)(format.PixelCount * format.SamplesPerPixel * codecBytes);
                if (size != expected)
                    throw new DicomDataException($"JPEG-LS stream decodes to {size} bytes; {expected} expected for {format}.");
                var planar = interleave == CharLSApi.InterleaveNone && format.SamplesPerPixel > 1;
                if (codecBytes == format.BytesPerSample && !planar)
                {
                    fixed (byte* target = destination)
                        api.Check(api.DecoderDecodeToBuffer(decoder, target, size, 0), "decode");
                    return;
                }
                var buffer = new byte[(int)size];
                fixed (byte* target = buffer)
                    api.Check(api.DecoderDecodeToBuffer(decoder, target, size, 0), "decode");
                var samples = format.SamplesPerPixel;
                var pixels = (int)format.PixelCount;
                var unsignedFormat = format with { BitsAllocated = codecBytes * 8, BitsStored = codecBytes * 8, PixelRepresentation = 0 };
                for (var i = 0; i < pixels; i++)
                    for (var c = 0; c < samples; c++)
                    {
                        var from = planar ? c * pixels + i : i * samples + c;
                        NativeSamples.Write(destination, i * samples + c, format.BytesPerSample, NativeSamples.Read(buffer, from, unsignedFormat));
                    }
            }
        }
        finally
        {
            api.DecoderDestroy(decoder);
        }
    }

    /// <summary>
    /// The stream as CharLS should see it: ending in EOI (FFD9). CharLS 2.4.1 reading past the end of a stream cut
    /// without its EOI spends seconds per 64×64 frame before it fails (found by the codec fuzzer); with the marker
    /// appended a cut stream fails at once and a complete one that only lacks the marker decodes as before.
    /// </summary>
    private static ReadOnlySpan<byte> WithEndOfImage(ReadOnlySpan<byte> stream)
    {
        var end = stream.Length;
        while (end > 0 && stream[end - 1] == 0)
            end--; // DICOM's padding to even length
        if (end >= 2 && stream[end - 2] == 0xFF && stream[end - 1] == 0xD9)
            return stream;
        // Appended after everything, padding included: no byte of the stream is dropped.
        var copy = new byte[stream.Length + 2];
        stream.CopyTo(copy);
        copy[^2] = 0xFF;
        copy[^1] = 0xD9;
        return copy;
    }

    public byte[] Encode(ReadOnlySpan<byte> frame, DicomPixelFormat format)
    {
        NativeSamples.RequireCodecFormat(format, "JPEG-LS");
        if (format.BitsStored < 2)
            throw new NotSupportedException($"JPEG-LS carries 2–16-bit samples; this image is {format}.");
        var api = CharLSApi.Get();
        // JPEG-LS codes unsigned values of BitsStored bits: signed samples go in as their two's complement bits,
        // as GDCM and dcmtk write them, and come back through the usual sign extension.
        var codecBytes = format.BitsStored <= 8 ? 1 : 2;
        var count = (int)(format.PixelCount * format.SamplesPerPixel);
        var source = new byte[count * codecBytes];
        for (var i = 0; i < count; i++)
            NativeSamples.Write(source, i, codecBytes, NativeSamples.ReadUnsigned(frame, i, format));
        var encoder = api.EncoderCreate();
        if (encoder == 0)
            throw new InsufficientMemoryException("CharLS could not create an encoder.");
        try
        {
            var info = new CharLSApi.FrameInfo
            {
                Width = (uint)format.Columns, Height = (uint)format.Rows, BitsPerSample = format.BitsStored, ComponentCount = format.SamplesPerPixel,
            };
            api.Check(api.EncoderSetFrameInfo(encoder, &info), "frame info");
            api.Check(api.EncoderSetNearLossless(encoder, _nearLossless), "near-lossless");
            if (format.SamplesPerPixel > 1)
                api.Check(api.EncoderSetInterleaveMode(encoder, CharLSApi.InterleaveSample), "interleave mode");
            nuint capacity;
            api.Check(api.EncoderGetEstimatedDestinationSize(encoder, &capacity), "destination size");
            var output = new byte[checked((int)capacity)];
            nuint written;
            fixed (byte* target = output)
            fixed (byte* input = source)
            {
                api.Check(api.EncoderSetDestinationBuffer(encoder, target, capacity), "destination");
                api.Check(api.EncoderEncodeFromBuffer(encoder, input, (nuint)source.Length, 0), "encode");
                api.Check(api.EncoderGetBytesWritten(encoder, &written), "bytes written");
            }
            var length = (int)written;
            var result = new byte[length + (length & 1)];
            output.AsSpan(0, length).CopyTo(result);
            return result;
        }
        finally
        {
            api.EncoderDestroy(encoder);
        }
    }
}
