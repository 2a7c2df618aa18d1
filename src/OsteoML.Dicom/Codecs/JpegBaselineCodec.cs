using OsteoML.Dicom.Codecs.Native;

namespace OsteoML.Dicom.Codecs;

/// <summary>
/// JPEG Baseline (Process 1, .50) and the 8-bit half of JPEG Extended (Process 2 &amp; 4, .51) through libjpeg-turbo's
/// TurboJPEG API (Debian libturbojpeg0): accurate integer IDCT and fancy upsampling, the libjpeg defaults dcmtk
/// and GDCM decode with. Colour is returned as RGB. Decode only (lossy encoding is out of scope).
/// </summary>
public sealed unsafe class JpegBaselineCodec : IDicomCodec
{
    public JpegBaselineCodec(DicomTransferSyntax syntax)
    {
        if (syntax.UID != DicomTransferSyntax.JPEGBaseline.UID && syntax.UID != DicomTransferSyntax.JPEGExtended.UID)
            throw new ArgumentException($"{syntax.UID} ({syntax.Name}) is not JPEG Baseline or Extended.", nameof(syntax));
        TransferSyntax = syntax;
    }

    public DicomTransferSyntax TransferSyntax { get; }

    public long MaxDecodedBytes(long compressedBytes) => CodecLimits.MaxDecodedBytes(compressedBytes);

    public void Decode(ReadOnlySpan<byte> compressed, DicomPixelFormat format, Span<byte> destination)
    {
        var precision = JpegMarkers.FramePrecision(compressed);
        if (precision != 8)
            throw new NotSupportedException($"{TransferSyntax.UID} ({TransferSyntax.Name}): {precision}-bit DCT JPEG cannot be decoded: libjpeg-turbo 2.1's TurboJPEG API decodes 8-bit samples only.");
        if (format.BitsAllocated != 8 || format.SamplesPerPixel is not (1 or 3))
            throw new DicomDataException($"an 8-bit JPEG frame cannot fill {format}.");
        var api = TurboJpegApi.Get();
        var handle = api.InitDecompress();
        if (handle == 0)
            throw new InsufficientMemoryException("libjpeg-turbo could not create a decompressor.");
        try
        {
            fixed (byte* source = compressed)
            fixed (byte* target = destination)
            {
                int width, height, subsampling, colourSpace;
                if (api.DecompressHeader3(handle, source, (nuint)compressed.Length, &width, &height, &subsampling, &colourSpace) != 0)
                    throw new DicomDataException($"libjpeg-turbo: {api.LastError(handle)}.");
                if (width != format.Columns || height != format.Rows)
                    throw new DicomDataException($"JPEG stream is {width}×{height}; the dataset says {format}.");
                var pixelFormat = format.SamplesPerPixel == 1 ? TurboJpegApi.PixelFormatGray : TurboJpegApi.PixelFormatRgb;
                // The destination is exactly one frame (width × height × samples), so the decoder cannot write past it.
                if (api.Decompress2(handle, source, (nuint)compressed.Length, target, width, width * format.SamplesPerPixel, height, pixelFormat, 0) != 0
                    && api.GetErrorCode(handle) != TurboJpegApi.ErrorWarning)
                    throw new DicomDataException($"libjpeg-turbo: {api.LastError(handle)}.");
            }
        }
        finally
        {
            api.Destroy(handle);
        }
    }

    public bool CanEncode => false;

    public byte[] Encode(ReadOnlySpan<byte> frame, DicomPixelFormat format) =>
        throw new NotSupportedException($"{TransferSyntax.Name} is decode-only here; write lossless syntaxes instead.");
}
