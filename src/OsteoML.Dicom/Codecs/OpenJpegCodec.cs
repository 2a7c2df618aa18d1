using System.Runtime.InteropServices;
using OsteoML.Dicom.Codecs.Native;

namespace OsteoML.Dicom.Codecs;

/// <summary>
/// JPEG 2000 (PS3.5 §A.4.4) and High-Throughput JPEG 2000 (§A.4.11) through OpenJPEG 2.5 (Debian libopenjp2-7),
/// the library fo-dicom, GDCM and pydicom's pylibjpeg-openjpeg use: decodes J2K codestreams and JP2 files from
/// memory; encodes reversible (lossless) J2K codestreams. One instance per transfer syntax.
/// </summary>
public sealed unsafe class OpenJpegCodec : IDicomCodec
{
    public OpenJpegCodec(DicomTransferSyntax syntax)
    {
        if (!IsJpeg2000(syntax))
            throw new ArgumentException($"{syntax.UID} ({syntax.Name}) is not a JPEG 2000 transfer syntax.", nameof(syntax));
        TransferSyntax = syntax;
    }

    public DicomTransferSyntax TransferSyntax { get; }

    /// <summary>The syntaxes OpenJPEG decodes (2.5 reads HTJ2K codestreams too).</summary>
    public static IReadOnlyList<DicomTransferSyntax> Syntaxes { get; } =
    [
        DicomTransferSyntax.JPEG2000Lossless, DicomTransferSyntax.JPEG2000,
        DicomTransferSyntax.HTJ2KLossless, DicomTransferSyntax.HTJ2KLosslessRPCL, DicomTransferSyntax.HTJ2K,
    ];

    private static bool IsJpeg2000(DicomTransferSyntax syntax) => Syntaxes.Any(s => s.UID == syntax.UID);

    /// <summary>
    /// A constant frame codes to a couple of hundred bytes whatever its size, so the bound is loose: 16 MiB plus
    /// 10,000× the compressed bytes — enough that a few corrupt kilobytes cannot claim gigabytes.
    /// </summary>
    public long MaxDecodedBytes(long compressedBytes) => CodecLimits.MaxDecodedBytes(compressedBytes);

    public void Decode(ReadOnlySpan<byte> compressed, DicomPixelFormat format, Span<byte> destination)
    {
        if (format.BitsAllocated is not (8 or 16 or 32))
            throw new NotSupportedException($"JPEG 2000 frames of {format} cannot be stored in DICOM words.");
        CheckSiz(compressed, format);
        var api = OpenJpegApi.Get();
        var codecFormat = compressed.Length >= 12 && compressed[..12].SequenceEqual(Jp2Signature) ? OpenJpegApi.CodecJP2 : OpenJpegApi.CodecJ2K;
        var errors = new OpenJpegMessages();
        var errorsHandle = GCHandle.Alloc(errors);
        nint codec = 0, stream = 0, image = 0;
        var parameters = NativeMemory.AllocZeroed(OpenJpegApi.DecoderParametersBytes);
        fixed (byte* data = compressed)
        {
            var source = new MemorySource { Data = data, Length = compressed.Length };
            try
            {
                stream = api.StreamCreate((nuint)Math.Clamp(compressed.Length, 4096, 1 << 20), 1);
                codec = api.CreateDecompress(codecFormat);
                if (stream == 0 || codec == 0)
                    throw new InsufficientMemoryException("OpenJPEG could not create a decoder.");
                api.StreamSetReadFunction(stream, (nint)(delegate* unmanaged<byte*, nuint, MemorySource*, nuint>)&Read);
                api.StreamSetSkipFunction(stream, (nint)(delegate* unmanaged<long, MemorySource*, long>)&Skip);
                api.StreamSetSeekFunction(stream, (nint)(delegate* unmanaged<long, MemorySource*, int>)&Seek);
                api.StreamSetUserData(stream, (nint)(&source), 0);
                api.StreamSetUserDataLength(stream, (ulong)compressed.Length);
                api.SetErrorHandler(codec, (nint)(delegate* unmanaged<byte*, nint, void>)&OnError, GCHandle.ToIntPtr(errorsHandle));
                api.SetDefaultDecoderParameters((nint)parameters);
                if (api.SetupDecoder(codec, (nint)parameters) == 0)
                    throw errors.Failure("could not set up the decoder");
                if (api.ReadHeader(stream, codec, &image) == 0 || image == 0)
                    throw errors.Failure("the codestream header is unreadable");
                // Check the header against the DICOM format before anything is decoded: the decode then allocates
                // exactly one frame's planes, whatever a corrupt header claims.
                CheckHeader(image, format);
                if (api.DecodeImage(codec, stream, image) == 0)
                    throw errors.Failure("the codestream could not be decoded");
                if (api.EndDecompress(codec, stream) == 0)
                    throw errors.Failure("the codestream does not end properly");
                CopyOut(image, format, destination);
            }
            finally
            {
                if (image != 0) api.ImageDestroy(image);
                if (codec != 0) api.DestroyCodec(codec);
                if (stream != 0) api.StreamDestroy(stream);
                NativeMemory.Free(parameters);
                errorsHandle.Free();
            }
        }
    }

    /// <summary>
    /// Reads the image and tile sizes (SIZ, ISO 15444-1 §A.5.1, right after the start of codestream) before OpenJPEG
    /// does: OpenJPEG 2.5 allocates coding parameters for every tile while reading the header, so a 97-byte
    /// codestream declaring 65,535 tiles cost 640 MB and a second (a codec fuzz finding). Image size, components
    /// and a tile count of at most one per 64 pixels are checked against the dataset first.
    /// </summary>
    private static void CheckSiz(ReadOnlySpan<byte> data, DicomPixelFormat format)
    {
        ReadOnlySpan<byte> soc = [0xFF, 0x4F, 0xFF, 0x51];
        var at = data.IndexOf(soc); // a J2K codestream starts with it; in JP2 it opens the contiguous codestream box
        if (at < 0 || data.Length < at + 4 + 38)
            throw new DicomDataException("JPEG 2000 data has no image and tile size (SIZ) header.");
        var siz = data[(at + 4)..];
        var v = new uint[9]; // Lsiz+Rsiz, then Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz, XTOsiz, YTOsiz
        for (var i = 1; i < 9; i++)
            v[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(siz[(4 * i)..]);
        uint U32(int offset) => v[offset / 4];
        long width = (long)U32(4) - U32(12), height = (long)U32(8) - U32(16);
        long tileWidth = U32(20), tileHeight = U32(24), tileX0 = U32(28), tileY0 = U32(32);
        var components = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(siz[36..]);
        if (width != format.Columns || height != format.Rows || components != format.SamplesPerPixel)
            throw new DicomDataException($"JPEG 2000 codestream is {width}×{height} with {components} component(s); the dataset says {format}.");
        if (tileWidth == 0 || tileHeight == 0 || tileX0 > U32(12) || tileY0 > U32(16))
            throw new DicomDataException($"JPEG 2000 tiles of {tileWidth}×{tileHeight} at ({tileX0}, {tileY0}) do not tile the image.");
        var tiles = (U32(4) - tileX0 + tileWidth - 1) / tileWidth * ((U32(8) - tileY0 + tileHeight - 1) / tileHeight);
        if (tiles > format.PixelCount / 64 + 1)
            throw new DicomDataException($"JPEG 2000 codestream declares {tiles} tiles for a {format.Columns}×{format.Rows} image.");
    }

    private static ReadOnlySpan<byte> Jp2Signature => [0, 0, 0, 12, (byte)'j', (byte)'P', (byte)' ', (byte)' ', 0x0D, 0x0A, 0x87, 0x0A];

    private static void CheckHeader(nint image, DicomPixelFormat format)
    {
        var x0 = *(uint*)image; var y0 = *(uint*)(image + 4); var x1 = *(uint*)(image + 8); var y1 = *(uint*)(image + 12);
        var components = *(uint*)(image + OpenJpegApi.ImageNumCompsOffset);
        if (x1 - x0 != format.Columns || y1 - y0 != format.Rows || components != format.SamplesPerPixel)
            throw new DicomDataException($"JPEG 2000 codestream is {x1 - x0}×{y1 - y0} with {components} component(s); the dataset says {format}.");
        var comps = *(nint*)(image + OpenJpegApi.ImageCompsOffset);
        for (var c = 0; c < components; c++)
        {
            var comp = (uint*)(comps + c * OpenJpegApi.ComponentBytes);
            // dx, dy, w, h, x0, y0, prec
            if (comp[0] != 1 || comp[1] != 1 || comp[2] != format.Columns || comp[3] != format.Rows)
                throw new NotSupportedException($"JPEG 2000 component {c} is subsampled ({comp[0]}×{comp[1]}); DICOM frames need full-resolution samples.");
            if (comp[6] > format.BitsAllocated)
                throw new DicomDataException($"JPEG 2000 component {c} has {comp[6]}-bit samples; BitsAllocated is {format.BitsAllocated}.");
        }
    }

    private static void CopyOut(nint image, DicomPixelFormat format, Span<byte> destination)
    {
        var comps = *(nint*)(image + OpenJpegApi.ImageCompsOffset);
        var samples = format.SamplesPerPixel;
        var pixels = checked((int)format.PixelCount);
        var bytes = format.BytesPerSample;
        for (var c = 0; c < samples; c++)
        {
            var data = *(int**)(comps + c * OpenJpegApi.ComponentBytes + OpenJpegApi.ComponentDataOffset);
            if (data == null)
                throw new DicomDataException($"JPEG 2000 component {c} decoded to no data.");
            var plane = new ReadOnlySpan<int>(data, pixels);
            for (var i = 0; i < pixels; i++)
                NativeSamples.Write(destination, i * samples + c, bytes, plane[i]);
        }
    }

    /// <summary>Only JPEG 2000 Lossless: OpenJPEG 2.5 writes no HTJ2K, and lossy output is not ours to choose.</summary>
    public bool CanEncode => TransferSyntax.UID == DicomTransferSyntax.JPEG2000Lossless.UID;

    /// <summary>A reversible 5/3 J2K codestream (lossless), one tile, one quality layer, as GDCM writes for .90.</summary>
    public byte[] Encode(ReadOnlySpan<byte> frame, DicomPixelFormat format)
    {
        if (TransferSyntax.IsLossy)
            throw new NotSupportedException($"{TransferSyntax.Name}: only lossless JPEG 2000 is encoded (1.2.840.10008.1.2.4.90).");
        if (TransferSyntax.UID != DicomTransferSyntax.JPEG2000Lossless.UID)
            throw new NotSupportedException($"{TransferSyntax.Name}: OpenJPEG 2.5 writes no HTJ2K codestreams; encode as JPEG 2000 Lossless (1.2.840.10008.1.2.4.90).");
        NativeSamples.RequireCodecFormat(format, "the JPEG 2000 encoder");
        var api = OpenJpegApi.Get();
        var samples = format.SamplesPerPixel;
        var pixels = checked((int)format.PixelCount);
        var sink = new MemoryStream();
        var sinkHandle = GCHandle.Alloc(sink);
        var errors = new OpenJpegMessages();
        var errorsHandle = GCHandle.Alloc(errors);
        nint codec = 0, stream = 0, image = 0;
        var parameters = (byte*)NativeMemory.AllocZeroed(OpenJpegApi.EncoderParametersBytes);
        var componentParameters = stackalloc uint[9 * samples];
        try
        {
            for (var c = 0; c < samples; c++)
            {
                var p = componentParameters + 9 * c; // dx, dy, w, h, x0, y0, prec, bpp, sgnd
                p[0] = 1; p[1] = 1; p[2] = (uint)format.Columns; p[3] = (uint)format.Rows;
                p[6] = (uint)format.BitsStored; p[7] = (uint)format.BitsStored; p[8] = format.IsSigned ? 1u : 0u;
            }
            image = api.ImageCreate((uint)samples, (nint)componentParameters, samples == 1 ? OpenJpegApi.ColorSpaceGray : OpenJpegApi.ColorSpaceSrgb);
            if (image == 0)
                throw new InsufficientMemoryException("OpenJPEG could not allocate the image.");
            ((uint*)image)[2] = (uint)format.Columns;
            ((uint*)image)[3] = (uint)format.Rows;
            var comps = *(nint*)(image + OpenJpegApi.ImageCompsOffset);
            for (var c = 0; c < samples; c++)
            {
                var plane = new Span<int>(*(int**)(comps + c * OpenJpegApi.ComponentBytes + OpenJpegApi.ComponentDataOffset), pixels);
                for (var i = 0; i < pixels; i++)
                    plane[i] = NativeSamples.Read(frame, i * samples + c, format);
            }

            api.SetDefaultEncoderParameters((nint)parameters);
            *(int*)(parameters + OpenJpegApi.TcpNumLayersOffset) = 1;
            *(float*)(parameters + OpenJpegApi.TcpRatesOffset) = 0; // rate 0: every bit, lossless
            *(int*)(parameters + OpenJpegApi.CpDistoAllocOffset) = 1;
            // OpenJPEG refuses more decomposition levels than the smaller side allows (6 resolutions need 32 pixels).
            *(int*)(parameters + OpenJpegApi.NumResolutionOffset) = Math.Min(6, 1 + (int)Math.Log2(Math.Min(format.Rows, format.Columns)));
            parameters[OpenJpegApi.TcpMctOffset] = (byte)(samples == 3 ? 1 : 0);

            codec = api.CreateCompress(OpenJpegApi.CodecJ2K);
            stream = api.StreamCreate(1 << 20, 0);
            if (codec == 0 || stream == 0)
                throw new InsufficientMemoryException("OpenJPEG could not create an encoder.");
            api.SetErrorHandler(codec, (nint)(delegate* unmanaged<byte*, nint, void>)&OnError, GCHandle.ToIntPtr(errorsHandle));
            api.StreamSetWriteFunction(stream, (nint)(delegate* unmanaged<byte*, nuint, nint, nuint>)&Write);
            api.StreamSetSkipFunction(stream, (nint)(delegate* unmanaged<long, nint, long>)&SkipOutput);
            api.StreamSetSeekFunction(stream, (nint)(delegate* unmanaged<long, nint, int>)&SeekOutput);
            api.StreamSetUserData(stream, GCHandle.ToIntPtr(sinkHandle), 0);
            if (api.SetupEncoder(codec, (nint)parameters, image) == 0 || api.StartCompress(codec, image, stream) == 0
                || api.EncodeImage(codec, stream) == 0 || api.EndCompress(codec, stream) == 0)
                throw errors.Failure("could not encode the frame");
        }
        finally
        {
            if (stream != 0) api.StreamDestroy(stream); // flushes the last bytes into the sink
            if (codec != 0) api.DestroyCodec(codec);
            if (image != 0) api.ImageDestroy(image);
            NativeMemory.Free(parameters);
            sinkHandle.Free();
            errorsHandle.Free();
        }
        if ((sink.Length & 1) == 1)
            sink.WriteByte(0);
        return sink.ToArray();
    }

    // ---- OpenJPEG stream callbacks over memory -----------------------------------------------------------------

    [StructLayout(LayoutKind.Sequential)]
    private struct MemorySource
    {
        public byte* Data;
        public long Length;
        public long Position;
    }

    [UnmanagedCallersOnly]
    private static nuint Read(byte* buffer, nuint count, MemorySource* source)
    {
        var left = source->Length - source->Position;
        if (left <= 0)
            return unchecked((nuint)(-1)); // OpenJPEG's end of stream
        var n = (long)Math.Min((ulong)left, count);
        Buffer.MemoryCopy(source->Data + source->Position, buffer, (long)count, n);
        source->Position += n;
        return (nuint)n;
    }

    [UnmanagedCallersOnly]
    private static long Skip(long count, MemorySource* source)
    {
        if (count < 0)
            return -1;
        var n = Math.Min(count, source->Length - source->Position);
        source->Position += n;
        return n;
    }

    [UnmanagedCallersOnly]
    private static int Seek(long position, MemorySource* source)
    {
        if (position < 0 || position > source->Length)
            return 0;
        source->Position = position;
        return 1;
    }

    [UnmanagedCallersOnly]
    private static nuint Write(byte* buffer, nuint count, nint sink)
    {
        try
        {
            var stream = (MemoryStream)GCHandle.FromIntPtr(sink).Target!;
            stream.Write(new ReadOnlySpan<byte>(buffer, checked((int)count)));
            return count;
        }
        catch (Exception)
        {
            return unchecked((nuint)(-1)); // never let an exception cross into C
        }
    }

    [UnmanagedCallersOnly]
    private static long SkipOutput(long count, nint sink)
    {
        var stream = (MemoryStream)GCHandle.FromIntPtr(sink).Target!;
        if (count < 0 || stream.Position + count > int.MaxValue)
            return -1;
        stream.Position += count;
        return count;
    }

    [UnmanagedCallersOnly]
    private static int SeekOutput(long position, nint sink)
    {
        var stream = (MemoryStream)GCHandle.FromIntPtr(sink).Target!;
        if (position < 0 || position > int.MaxValue)
            return 0;
        stream.Position = position;
        return 1;
    }

    [UnmanagedCallersOnly]
    private static void OnError(byte* message, nint messages)
    {
        try
        {
            ((OpenJpegMessages)GCHandle.FromIntPtr(messages).Target!).Add(Marshal.PtrToStringUTF8((nint)message));
        }
        catch (Exception)
        {
            // A message lost is better than an exception thrown into OpenJPEG.
        }
    }
}
