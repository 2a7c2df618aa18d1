namespace OsteoML.Dicom.Codecs;

/// <summary>
/// The layout of one frame (Image Pixel module, PS3.3 §C.7.6.3): what a codec needs to decode or encode it.
/// Native frames are little endian with samples interleaved (colour-by-pixel).
/// </summary>
public readonly record struct DicomPixelFormat(int Rows, int Columns, int SamplesPerPixel, int BitsAllocated, int BitsStored, int PixelRepresentation)
{
    public int BytesPerSample => (BitsAllocated + 7) / 8;
    public long PixelCount => (long)Rows * Columns;
    /// <summary>Bytes of a decoded frame (BitsAllocated 1 is unpacked to one byte per pixel).</summary>
    public long FrameBytes => PixelCount * SamplesPerPixel * BytesPerSample;
    public bool IsSigned => PixelRepresentation == 1;

    public override string ToString() => $"{Columns}×{Rows}, {SamplesPerPixel} sample(s), {BitsStored}/{BitsAllocated} bits, {(IsSigned ? "signed" : "unsigned")}";
}

/// <summary>
/// A pixel data codec for one transfer syntax (fo-dicom's IDicomCodec): decodes one frame's compressed bytes
/// (its fragments joined) into a native frame, and encodes a native frame.
/// </summary>
public interface IDicomCodec
{
    DicomTransferSyntax TransferSyntax { get; }

    /// <summary>Decodes into <paramref name="destination"/> (exactly <see cref="DicomPixelFormat.FrameBytes"/> long).</summary>
    /// <exception cref="DicomDataException">the compressed data is corrupt or does not match the format.</exception>
    void Decode(ReadOnlySpan<byte> compressed, DicomPixelFormat format, Span<byte> destination);

    /// <summary>Whether <see cref="Encode"/> writes this syntax (what transcoding may offer).</summary>
    bool CanEncode => true;

    /// <summary>Encodes one native frame; an even-length result (padded where the syntax allows).</summary>
    /// <exception cref="NotSupportedException">this codec only decodes.</exception>
    byte[] Encode(ReadOnlySpan<byte> frame, DicomPixelFormat format);

    /// <summary>The most bytes of native frames that <paramref name="compressedBytes"/> can decode to (a bound against
    /// corrupt headers); unbounded unless the codec knows better.</summary>
    long MaxDecodedBytes(long compressedBytes) => long.MaxValue;
}

/// <summary>
/// The codecs by transfer syntax UID; native syntaxes need none. What users are told is supported (errors, --help,
/// docs) is read from here, so it cannot drift from what decodes.
/// </summary>
public static class DicomCodecRegistry
{
    private static readonly Dictionary<string, IDicomCodec> Codecs = new(StringComparer.Ordinal);

    static DicomCodecRegistry()
    {
        IDicomCodec[] builtIn =
        [
            new EncapsulatedUncompressedCodec(),
            new RleCodec(),
            new JpegLosslessCodec(DicomTransferSyntax.JPEGLossless),
            new JpegLosslessCodec(DicomTransferSyntax.JPEGLosslessSV1),
            new JpegBaselineCodec(DicomTransferSyntax.JPEGBaseline),
            new JpegBaselineCodec(DicomTransferSyntax.JPEGExtended),
            new JpegLsCodec(DicomTransferSyntax.JPEGLSLossless),
            new JpegLsCodec(DicomTransferSyntax.JPEGLSNearLossless),
            .. OpenJpegCodec.Syntaxes.Select(s => new OpenJpegCodec(s)),
        ];
        foreach (var codec in builtIn)
            Codecs[codec.TransferSyntax.UID] = codec;
    }

    public static IDicomCodec? Find(DicomTransferSyntax syntax)
    {
        lock (Codecs)
            return Codecs.GetValueOrDefault(syntax.UID);
    }

    /// <summary>The encapsulated syntaxes with a codec, by UID.</summary>
    public static IReadOnlyList<DicomTransferSyntax> TransferSyntaxes
    {
        get
        {
            lock (Codecs)
                return Codecs.Values.Select(c => c.TransferSyntax).OrderBy(s => s.UID, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The encapsulated syntaxes whose codec also encodes.</summary>
    public static IReadOnlyList<DicomTransferSyntax> EncodableTransferSyntaxes
    {
        get
        {
            lock (Codecs)
                return Codecs.Values.Where(c => c.CanEncode).Select(c => c.TransferSyntax).OrderBy(s => s.UID, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>One line: the native syntaxes and every registered codec's syntax name.</summary>
    public static string Describe() =>
        "native, Deflated, Big Endian, " + string.Join(", ", TransferSyntaxes.Select(s => s.Name));

    /// <summary>The codec, or an error that names the syntax when there is none.</summary>
    public static IDicomCodec Get(DicomTransferSyntax syntax) =>
        Find(syntax) ?? throw new NotSupportedException(
            $"pixel data in transfer syntax {syntax.UID} ({syntax.Name}) cannot be decoded: no codec for it (supported: {Describe()}).");

    /// <summary>Adds or replaces the codec of its syntax (for codecs outside this library).</summary>
    public static void Register(IDicomCodec codec)
    {
        lock (Codecs)
            Codecs[codec.TransferSyntax.UID] = codec;
    }
}

/// <summary>1.2.840.10008.1.2.1.98: native frames, one per fragment.</summary>
internal sealed class EncapsulatedUncompressedCodec : IDicomCodec
{
    public DicomTransferSyntax TransferSyntax => DicomTransferSyntax.EncapsulatedUncompressedExplicitVRLittleEndian;

    public void Decode(ReadOnlySpan<byte> compressed, DicomPixelFormat format, Span<byte> destination)
    {
        if (compressed.Length < destination.Length)
            throw new DicomDataException($"encapsulated uncompressed frame has {compressed.Length} bytes, {destination.Length} expected for {format}.");
        compressed[..destination.Length].CopyTo(destination);
    }

    public byte[] Encode(ReadOnlySpan<byte> frame, DicomPixelFormat format) =>
        (frame.Length & 1) == 0 ? frame.ToArray() : [.. frame, 0];

    public long MaxDecodedBytes(long compressedBytes) => compressedBytes;
}
