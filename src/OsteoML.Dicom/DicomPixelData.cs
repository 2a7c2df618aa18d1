using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using OsteoML.Dicom.Codecs;
using OsteoML.Dicom.IO;

namespace OsteoML.Dicom;

/// <summary>
/// The pixel data of a dataset and the Image Pixel module that describes it (PS3.3 §C.7.6.3): frames read one at
/// a time from the file (decoded through the transfer syntax's codec), stored values masked to BitsStored and
/// sign-extended (PS3.5 §8.1.1), and the modality rescale of each frame (classic or functional groups).
/// </summary>
public sealed class DicomPixelData
{
    private readonly DicomDataset _dataset;
    private readonly DicomItem _pixelItem;
    private (int First, int Count)[]? _frameFragments;
    private readonly List<string> _warnings = [];

    /// <summary>What was read despite not following the standard (e.g. an offset table that does not fit), one line each.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    private DicomPixelData(DicomDataset dataset, DicomItem pixelItem)
    {
        _dataset = dataset;
        _pixelItem = pixelItem;
        Rows = Required(dataset, DicomTag.Rows);
        Columns = Required(dataset, DicomTag.Columns);
        BitsAllocated = Required(dataset, DicomTag.BitsAllocated);
        BitsStored = dataset.GetSingleValueOrDefault(DicomTag.BitsStored, BitsAllocated);
        HighBit = dataset.GetSingleValueOrDefault(DicomTag.HighBit, BitsStored - 1);
        PixelRepresentation = dataset.GetSingleValueOrDefault(DicomTag.PixelRepresentation, 0);
        SamplesPerPixel = dataset.GetSingleValueOrDefault(DicomTag.SamplesPerPixel, 1);
        PlanarConfiguration = dataset.GetSingleValueOrDefault(DicomTag.PlanarConfiguration, 0);
        NumberOfFrames = Math.Max(1, dataset.GetSingleValueOrDefault(DicomTag.NumberOfFrames, 1));
        PhotometricInterpretation = dataset.GetStringOrDefault(DicomTag.PhotometricInterpretation, "MONOCHROME2")!;
        TransferSyntax = dataset.InternalTransferSyntax;

        if (Rows <= 0 || Columns <= 0)
            throw new DicomDataException($"image is {Columns}×{Rows}; Rows and Columns must be positive.");
        if (BitsAllocated is not (1 or 8 or 16 or 32 or 64))
            throw new DicomDataException($"BitsAllocated {BitsAllocated} is not 1, 8, 16, 32 or 64.");
        if (BitsStored < 1 || BitsStored > BitsAllocated || HighBit < BitsStored - 1 || HighBit >= BitsAllocated)
            throw new DicomDataException($"BitsStored {BitsStored} / HighBit {HighBit} do not fit BitsAllocated {BitsAllocated}.");
        if (SamplesPerPixel is < 1 or > 4)
            throw new DicomDataException($"SamplesPerPixel {SamplesPerPixel} is outside 1–4.");
        if (PixelRepresentation is not (0 or 1))
            throw new DicomDataException($"PixelRepresentation {PixelRepresentation} is neither 0 nor 1.");
    }

    /// <summary>The pixel data of a dataset; fails with the reason when it has none or its Image Pixel module is inconsistent.</summary>
    public static DicomPixelData Create(DicomDataset dataset)
    {
        var item = dataset.Find(DicomTag.PixelData)
                   ?? throw new DicomDataException("the dataset has no pixel data (7FE0,0010).");
        return new DicomPixelData(dataset, item);
    }

    private static int Required(DicomDataset dataset, DicomTag tag) =>
        dataset.TryGetSingleValue<int>(tag, out var value)
            ? value
            : throw new DicomDataException($"{tag.Keyword} {tag} is missing or unreadable; the pixel data cannot be interpreted.");

    public int Rows { get; }
    public int Columns { get; }
    public int BitsAllocated { get; }
    public int BitsStored { get; }
    public int HighBit { get; }
    public int PixelRepresentation { get; }
    public int SamplesPerPixel { get; }
    public int PlanarConfiguration { get; }
    public int NumberOfFrames { get; }
    public string PhotometricInterpretation { get; }
    public DicomTransferSyntax TransferSyntax { get; }
    public bool IsSigned => PixelRepresentation == 1;

    public DicomPixelFormat Format => new(Rows, Columns, SamplesPerPixel, BitsAllocated, BitsStored, PixelRepresentation);

    /// <summary>
    /// One frame as native little endian bytes, samples interleaved (colour-by-pixel) whatever the stored planar
    /// configuration; BitsAllocated 1 is unpacked to one byte (0 or 1) per pixel. Values are as stored (not masked).
    /// </summary>
    public byte[] GetFrame(int frame)
    {
        CheckFrameSize();
        var bytes = new byte[Format.FrameBytes];
        ReadFrame(frame, bytes);
        return bytes;
    }

    /// <summary><see cref="GetFrame"/> into a caller's buffer of <see cref="DicomPixelFormat.FrameBytes"/> bytes.</summary>
    public void ReadFrame(int frame, Span<byte> destination)
    {
        CheckFrame(frame);
        CheckFrameSize();
        var format = Format;
        if (destination.Length != format.FrameBytes)
            throw new ArgumentException($"frame buffer has {destination.Length} bytes; {format.FrameBytes} needed.", nameof(destination));
        switch (_pixelItem)
        {
            case DicomFragmentSequence fragments:
                DecodeFrame(fragments, frame, destination);
                break;
            case DicomElement native when BitsAllocated == 1:
                UnpackBits(native.Buffer, frame, destination);
                break;
            case DicomElement native:
                ReadNative(native.Buffer, frame, destination);
                break;
            default:
                throw new DicomDataException($"pixel data {_pixelItem.Tag} is a {_pixelItem.VR} item, not pixel values.");
        }
    }

    /// <summary>
    /// Refuses a frame size the data cannot hold before anything is allocated for it: native data must contain
    /// every frame; compressed data can expand only as far as its codec allows (<see cref="IDicomCodec.MaxDecodedBytes"/>),
    /// so a corrupt header cannot make us allocate gigabytes for a small file.
    /// </summary>
    private void CheckFrameSize()
    {
        var frameBytes = Format.FrameBytes;
        if (frameBytes > Array.MaxLength)
            throw new DicomDataException($"a frame of {Format} ({frameBytes} bytes) is too large to decode.");
        switch (_pixelItem)
        {
            case DicomElement native:
                var needed = BitsAllocated == 1 ? (Format.PixelCount * SamplesPerPixel * NumberOfFrames + 7) / 8 : frameBytes * NumberOfFrames;
                if (needed > native.Buffer.Size)
                    throw new DicomDataException($"native pixel data holds {native.Buffer.Size} bytes; {NumberOfFrames} frame(s) of {Format} need {needed}.");
                break;
            case DicomFragmentSequence fragments:
                var codec = DicomCodecRegistry.Get(TransferSyntax);
                var compressed = fragments.Fragments.Sum(f => f.Size);
                if (frameBytes > codec.MaxDecodedBytes(compressed))
                    throw new DicomDataException($"{compressed} bytes of compressed data cannot hold {NumberOfFrames} frame(s) of {Format}.");
                break;
        }
    }

    private void CheckFrame(int frame)
    {
        if ((uint)frame >= (uint)NumberOfFrames)
            throw new ArgumentOutOfRangeException(nameof(frame), $"frame {frame} of {NumberOfFrames}.");
    }

    private void ReadNative(IByteBuffer buffer, int frame, Span<byte> destination)
    {
        var frameBytes = Format.FrameBytes;
        var offset = frame * frameBytes;
        if (offset + frameBytes > buffer.Size)
            throw new DicomDataException($"native pixel data holds {buffer.Size} bytes; frame {frame} needs bytes {offset}..{offset + frameBytes} ({NumberOfFrames} frames of {Format}).");
        if (PlanarConfiguration == 0 || SamplesPerPixel == 1)
        {
            buffer.CopyTo(offset, destination);
            return;
        }
        // Colour-by-plane: gather each plane into its interleaved position.
        var planar = ArrayPool<byte>.Shared.Rent((int)frameBytes);
        try
        {
            buffer.CopyTo(offset, planar.AsSpan(0, (int)frameBytes));
            Interleave(planar.AsSpan(0, (int)frameBytes), destination, SamplesPerPixel, Format.BytesPerSample, (int)Format.PixelCount);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(planar);
        }
    }

    private static void Interleave(ReadOnlySpan<byte> planar, Span<byte> interleaved, int samples, int bytesPerSample, int pixels)
    {
        for (var s = 0; s < samples; s++)
        {
            for (var p = 0; p < pixels; p++)
            {
                planar.Slice((s * pixels + p) * bytesPerSample, bytesPerSample)
                    .CopyTo(interleaved.Slice((p * samples + s) * bytesPerSample, bytesPerSample));
            }
        }
    }

    /// <summary>BitsAllocated 1: frames are packed back to back, least significant bit first (PS3.5 §8.1.1, §D.2).</summary>
    private void UnpackBits(IByteBuffer buffer, int frame, Span<byte> destination)
    {
        var bitsPerFrame = Format.PixelCount * SamplesPerPixel;
        var firstBit = frame * bitsPerFrame;
        var firstByte = firstBit / 8;
        var byteCount = (int)((firstBit + bitsPerFrame + 7) / 8 - firstByte);
        if (firstByte + byteCount > buffer.Size)
            throw new DicomDataException($"1-bit pixel data holds {buffer.Size} bytes; frame {frame} needs {firstByte + byteCount}.");
        var packed = new byte[byteCount];
        buffer.CopyTo(firstByte, packed);
        var shift = (int)(firstBit % 8);
        for (var i = 0; i < destination.Length; i++)
        {
            var bit = i + shift;
            destination[i] = (byte)((packed[bit >> 3] >> (bit & 7)) & 1);
        }
    }

    private void DecodeFrame(DicomFragmentSequence fragments, int frame, Span<byte> destination)
    {
        var codec = DicomCodecRegistry.Get(TransferSyntax);
        var (first, count) = FrameFragments(fragments)[frame];
        long total = 0;
        for (var i = first; i < first + count; i++)
            total += fragments.Fragments[i].Size;
        if (total > Array.MaxLength)
            throw new DicomDataException($"frame {frame} spans {total} bytes of fragments, more than can be decoded at once.");
        var compressed = ArrayPool<byte>.Shared.Rent((int)total);
        try
        {
            var at = 0;
            for (var i = first; i < first + count; i++)
            {
                var fragment = fragments.Fragments[i];
                fragment.CopyTo(0, compressed.AsSpan(at, (int)fragment.Size));
                at += (int)fragment.Size;
            }
            try
            {
                codec.Decode(compressed.AsSpan(0, at), Format, destination);
            }
            catch (DicomDataException ex)
            {
                throw new DicomDataException($"frame {frame} ({TransferSyntax.Name}): {ex.Message}", ex);
            }
            catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentException)
            {
                // Corrupt data the codec's checks missed: still one clear error, never a crash.
                throw new DicomDataException($"frame {frame} ({TransferSyntax.Name}): corrupt compressed data ({ex.GetType().Name}).", ex);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }

    /// <summary>
    /// Which fragments make up each frame (PS3.5 §A.4): from the Extended Offset Table, else the Basic Offset
    /// Table, else one fragment per frame, else all fragments for a single frame, else JPEG start-of-image markers.
    /// </summary>
    internal (int First, int Count)[] FrameFragments(DicomFragmentSequence fragments)
    {
        if (_frameFragments is not null)
            return _frameFragments;
        var n = fragments.Fragments.Count;
        var frames = NumberOfFrames;
        if (n == 0)
            throw new DicomDataException("encapsulated pixel data has no fragments.");

        IReadOnlyList<ulong>? offsets = null;
        if (_dataset.TryGetValues<ulong>(DicomTag.ExtendedOffsetTable, out var extended) && extended.Length > 0)
            offsets = extended;
        else if (fragments.OffsetTable.Count > 0)
            offsets = fragments.OffsetTable.Select(o => (ulong)o).ToArray();

        (int, int)[]? result = null;
        if (offsets is not null)
        {
            // dcmtk, GDCM and pydicom read past a table with a surplus entry (GDCM's own examples have one) or one
            // that does not fit the fragments: so do we, with a warning, falling back to the fragments themselves.
            if (offsets.Count > frames)
            {
                _warnings.Add($"the offset table lists {offsets.Count} frames; NumberOfFrames is {frames}: the surplus entries are ignored.");
                offsets = offsets.Take(frames).ToArray();
            }
            if (offsets.Count < frames)
                _warnings.Add($"the offset table lists {offsets.Count} frames; NumberOfFrames is {frames}: frames are found from the fragments instead.");
            else if (MapOffsets(fragments, offsets, out var mapped, out var problem))
                result = mapped;
            else
                _warnings.Add($"{problem}: frames are found from the fragments instead.");
        }
        if (result is not null)
            return _frameFragments = result;
        if (frames == 1)
            result = [(0, n)];
        else if (n == frames)
            result = Enumerable.Range(0, n).Select(i => (i, 1)).ToArray();
        else
            result = SplitAtStartOfImage(fragments, frames);
        return _frameFragments = result;
    }

    /// <summary>Fragment ranges from offsets (counted from the first fragment's item tag, 8 header bytes each).</summary>
    private static bool MapOffsets(DicomFragmentSequence fragments, IReadOnlyList<ulong> offsets, out (int, int)[] result, out string? problem)
    {
        var n = fragments.Fragments.Count;
        var frames = offsets.Count;
        var starts = new Dictionary<ulong, int>(n);
        ulong position = 0;
        for (var i = 0; i < n; i++)
        {
            starts[position] = i;
            position += 8 + (ulong)fragments.Fragments[i].Size;
        }
        result = new (int, int)[frames];
        problem = null;
        var firsts = new int[frames + 1];
        firsts[frames] = n;
        for (var f = 0; f < frames; f++)
        {
            if (!starts.TryGetValue(offsets[f], out firsts[f]))
            {
                problem = $"the offset table points frame {f} at byte {offsets[f]}, where no fragment starts";
                return false;
            }
        }
        for (var f = 0; f < frames; f++)
        {
            var (first, next) = (firsts[f], firsts[f + 1]);
            if (next <= first)
            {
                problem = $"the offset table is not increasing at frame {f}";
                return false;
            }
            result[f] = (first, next - first);
        }
        return true;
    }

    /// <summary>
    /// Frames without a usable offset table: each starts with a fragment that opens a codestream — JPEG's and
    /// JPEG-LS's start of image (FFD8) or JPEG 2000's start of codestream (FF4F) or JP2 signature box.
    /// </summary>
    private (int, int)[] SplitAtStartOfImage(DicomFragmentSequence fragments, int frames)
    {
        Span<byte> head = stackalloc byte[4];
        var starts = new List<int>();
        for (var i = 0; i < fragments.Fragments.Count; i++)
        {
            if (fragments.Fragments[i].Size < 4)
                continue;
            fragments.Fragments[i].CopyTo(0, head);
            if (head[0] == 0xFF && head[1] is 0xD8 or 0x4F || head is [0, 0, 0, 12])
                starts.Add(i);
        }
        if (starts.Count != frames || starts[0] != 0)
            throw new DicomDataException($"{fragments.Fragments.Count} fragments without a usable offset table cannot be split into {frames} frames.");
        starts.Add(fragments.Fragments.Count);
        return Enumerable.Range(0, frames).Select(f => (starts[f], starts[f + 1] - starts[f])).ToArray();
    }

    // ---- stored values and rescale -------------------------------------------------------------------------

    /// <summary>
    /// The stored values of a frame (frame, row, column, sample order), masked to BitsStored and sign-extended when
    /// PixelRepresentation is 1 — what dcmtk and GDCM return (PS3.5 §8.1.1).
    /// </summary>
    public long[] GetStoredValues(int frame)
    {
        var bytes = GetFrame(frame);
        var count = (int)(Format.PixelCount * SamplesPerPixel);
        var values = new long[count];
        var shift = HighBit + 1 - BitsStored;
        var bits = BitsStored;
        for (var i = 0; i < count; i++)
        {
            ulong raw = BitsAllocated switch
            {
                1 or 8 => bytes[i],
                16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i)),
                32 => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4 * i)),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8 * i)),
            };
            values[i] = StoredValue(raw, shift, bits, IsSigned);
        }
        return values;
    }

    /// <summary>Moves the stored bits down from HighBit, masks them and sign-extends when signed.</summary>
    internal static long StoredValue(ulong raw, int shift, int bits, bool signed)
    {
        var v = raw >> shift;
        if (bits < 64)
            v &= (1UL << bits) - 1;
        if (signed && bits < 64 && (v >> (bits - 1) & 1) == 1)
            return (long)(v | ~((1UL << bits) - 1));
        return (long)v;
    }

    /// <summary>
    /// Modality LUT rescale of a frame (PS3.3 §C.11.1): from the frame's Pixel Value Transformation in the
    /// per-frame functional groups, else the shared ones, else the top-level RescaleSlope/Intercept; identity
    /// when none is given.
    /// </summary>
    public (double Slope, double Intercept) GetRescale(int frame)
    {
        CheckFrame(frame);
        return FindRescale(_dataset, frame) ?? (1.0, 0.0);
    }

    /// <summary>The rescale a dataset gives for a frame (functional groups first), or null when it gives none.</summary>
    public static (double Slope, double Intercept)? FindRescale(DicomDataset dataset, int frame)
    {
        var item = FunctionalGroup(dataset, frame, DicomTag.PixelValueTransformationSequence);
        var source = item ?? dataset;
        if (source.TryGetSingleValue<double>(DicomTag.RescaleSlope, out var slope) | source.TryGetSingleValue<double>(DicomTag.RescaleIntercept, out var intercept))
            return (source.Contains(DicomTag.RescaleSlope) ? slope : 1.0, intercept);
        return null;
    }

    /// <summary>The item of a functional group macro (e.g. PixelMeasuresSequence) for a frame of an enhanced
    /// multi-frame image: the per-frame item first, then the shared one; null when neither has it.</summary>
    public static DicomDataset? FunctionalGroup(DicomDataset dataset, int frame, DicomTag macro)
    {
        if (dataset.TryGetSequence(DicomTag.PerFrameFunctionalGroupsSequence, out var perFrame) && frame < perFrame.Items.Count
            && perFrame.Items[frame].TryGetSequence(macro, out var own) && own.Items.Count > 0)
            return own.Items[0];
        if (dataset.TryGetSequence(DicomTag.SharedFunctionalGroupsSequence, out var shared) && shared.Items.Count > 0
            && shared.Items[0].TryGetSequence(macro, out var common) && common.Items.Count > 0)
            return common.Items[0];
        return null;
    }

    /// <summary>
    /// The rescaled values (stored value × slope + intercept, as float) of a single-sample frame — Hounsfield units
    /// for CT — written to <paramref name="destination"/> (Rows × Columns). The 16-bit path is vectorised.
    /// </summary>
    public void ReadRescaledFrame(int frame, Span<float> destination)
    {
        if (SamplesPerPixel != 1)
            throw new DicomDataException($"rescaled values need one sample per pixel; this image has {SamplesPerPixel} ({PhotometricInterpretation}).");
        CheckFrameSize();
        var pixels = (int)Format.PixelCount;
        if (destination.Length != pixels)
            throw new ArgumentException($"destination holds {destination.Length} values; the frame has {pixels}.", nameof(destination));
        var (slope, intercept) = GetRescale(frame);
        if (BitsAllocated == 16)
        {
            var raw = ArrayPool<byte>.Shared.Rent(pixels * 2);
            try
            {
                ReadFrame(frame, raw.AsSpan(0, pixels * 2));
                Rescale16(MemoryMarshal.Cast<byte, ushort>(raw.AsSpan(0, pixels * 2)), destination, HighBit + 1 - BitsStored, BitsStored, IsSigned, (float)slope, (float)intercept);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(raw);
            }
            return;
        }
        var values = GetStoredValues(frame);
        for (var i = 0; i < pixels; i++)
            destination[i] = (float)(values[i] * slope + intercept);
    }

    /// <summary>16-bit stored values → float: shift the stored bits to the top, shift back arithmetically (signed) or logically (unsigned), scale.</summary>
    internal static void Rescale16(ReadOnlySpan<ushort> raw, Span<float> destination, int shift, int bits, bool signed, float slope, float intercept)
    {
        var up = 16 - bits - shift; // after >> shift, the stored bits sit at 0..bits-1; move them to the top
        var down = 16 - bits;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vSlope = Vector256.Create(slope);
            var vIntercept = Vector256.Create(intercept);
            for (; i + 16 <= raw.Length; i += 16)
            {
                var v = Vector256.Create(raw.Slice(i, 16));
                Vector256<int> lo, hi;
                if (signed)
                {
                    var s = Vector256.ShiftRightArithmetic(Vector256.ShiftLeft(v.AsInt16(), up), down);
                    (lo, hi) = Vector256.Widen(s);
                }
                else
                {
                    var u = Vector256.ShiftRightLogical(Vector256.ShiftLeft(v, up), down);
                    var (ulo, uhi) = Vector256.Widen(u);
                    (lo, hi) = (ulo.AsInt32(), uhi.AsInt32());
                }
                (Vector256.ConvertToSingle(lo) * vSlope + vIntercept).CopyTo(destination.Slice(i, 8));
                (Vector256.ConvertToSingle(hi) * vSlope + vIntercept).CopyTo(destination.Slice(i + 8, 8));
            }
        }
        for (; i < raw.Length; i++)
        {
            int value = signed ? (short)(raw[i] << up) >> down : (ushort)(raw[i] << up) >> down;
            destination[i] = value * slope + intercept;
        }
    }
}
