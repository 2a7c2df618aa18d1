using System.IO.Compression;

namespace OsteoML.Dicom.IO;

/// <summary>
/// Inflates a Deflated Explicit VR Little Endian dataset (PS3.5 §A.5) without letting a "deflate bomb" (a few MB
/// that inflate to gigabytes) take the machine's memory:
/// <list type="bullet">
/// <item>the inflated size is capped by what the dataset's own header implies — the offset of its pixel data plus
/// NumberOfFrames × Rows × Columns × SamplesPerPixel × BitsAllocated/8 (or the element's declared length when
/// smaller) plus 1 MiB for trailing elements — found by parsing the inflated prefix as it grows; a dataset with no
/// pixel data in its first 64 MiB is refused; <see cref="DicomReadOptions.MaxInflatedBytes"/> caps everything;</item>
/// <item>a header-only read (<see cref="DicomReadOptions.StopAtPixelData"/>, folder scans) keeps only the prefix up to
/// the pixel data, and inflates the rest into a scratch buffer to check it against the same cap;</item>
/// <item>only one inflation at a time may grow past 32 MiB (a process-wide slot), so parallel reads of several
/// bombs in one folder cost one bomb's cap, not one per thread.</item>
/// </list>
/// </summary>
internal static class DeflatedDataset
{
    private const int FirstProbeBytes = 1 << 20;
    private const int HeaderLimitBytes = 64 << 20;
    private const int TrailingSlackBytes = 1 << 20;
    private const int LargeInflationBytes = 32 << 20;

    private static readonly SemaphoreSlim LargeInflation = new(1, 1);

    /// <summary>The inflated dataset (for a header-only read, its prefix up to the pixel data) as in-memory input, and
    /// for a header-only read the size of the whole inflated dataset.</summary>
    public static (DicomInput Input, long? InflatedLength) Inflate(DicomInput input, DicomReadOptions options)
    {
        var name = input.Name;
                using var compressed = input.RestAsStream();
        using var inflater = new DeflateStream(compressed, CompressionMode.Decompress);
        var limit = Math.Min(options.MaxInflatedBytes, Array.MaxLength);
        var buffer = new byte[(int)Math.Min(limit, 64 * 1024)];
        var length = 0;
        long? implied = null;
        var nextProbe = (long)FirstProbeBytes;
        var holdsLargeSlot = false;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var cap = Math.Min(limit, implied ?? limit);
                    if (buffer.Length >= cap)
                    {
                        if (!HasMore(inflater)) break;
                        throw new DicomDataException(implied is { } bound && bound < limit
                            ? $"{name}: the deflated dataset inflates past the {bound} bytes its header implies (pixel data offset + frames × rows × columns × bytes + 1 MiB); refusing a decompression bomb."
                            : $"{name}: the deflated dataset inflates past {limit} bytes (the limit for deflated datasets); refusing a decompression bomb.");
                    }
                    var size = (int)Math.Min(cap, 2L * buffer.Length);
                    if (size > LargeInflationBytes && !holdsLargeSlot)
                    {
                        LargeInflation.Wait();
                        holdsLargeSlot = true;
                    }
                    Array.Resize(ref buffer, size);
                }
                var n = inflater.Read(buffer, length, buffer.Length - length);
                if (n == 0) break;
                length += n;
                if (implied is null && length >= nextProbe)
                {
                    nextProbe *= 2;
                    if (Probe(buffer, length) is { } found)
                    {
                        if (options.StopAtPixelData)
                        {
                            // The header is all a scan keeps, but the rest is inflated (and dropped) up to the implied
                            // size, so a bomb behind a valid header is a failed file at scan time, not a failed series later.
                            var total = InflateRest(inflater, length, Math.Min(found, limit), name);
                            return (DicomInput.FromMemory(buffer, length, name + " (inflated)"), total);
                        }
                        implied = found;
                    }
                    else if (length >= HeaderLimitBytes)
                        throw new DicomDataException($"{name}: the deflated dataset holds no pixel data in its first {HeaderLimitBytes >> 20} MiB; refusing it (a header is never that large).");
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new DicomDataException($"{name}: the deflated dataset is corrupt ({ex.Message}).", ex);
        }
        finally
        {
            if (holdsLargeSlot) LargeInflation.Release();
        }
        return (DicomInput.FromMemory(buffer, length, name + " (inflated)"), null);
    }

    /// <summary>Inflates the rest into a scratch buffer, refusing past <paramref name="cap"/>; returns the whole inflated size.</summary>
    private static long InflateRest(DeflateStream inflater, long total, long cap, string name)
    {
        var scratch = new byte[64 * 1024];
        int n;
        while ((n = inflater.Read(scratch)) > 0)
        {
            total += n;
            if (total > cap)
                throw new DicomDataException($"{name}: the deflated dataset inflates past the {cap} bytes its header implies (pixel data offset + frames × rows × columns × bytes + 1 MiB); refusing a decompression bomb.");
        }
        return total;
    }

    private static bool HasMore(DeflateStream inflater)
    {
        Span<byte> one = stackalloc byte[1];
        return inflater.Read(one) > 0;
    }

    /// <summary>The size the inflated prefix's header implies for the whole dataset, or null when its pixel data is not reached yet.</summary>
    private static long? Probe(byte[] buffer, int length)
    {
        (DicomDataset Dataset, long Offset, long? Declared)? found;
        try
        {
            found = DicomReader.ProbeToPixelData(buffer, length);
        }
        catch (Exception ex) when (ex is DicomDataException or FormatException)
        {
            return null; // the prefix ends inside an element: inflate more and look again
        }
        if (found is not { } f) return null;
        long? pixelBytes;
        try { pixelBytes = ImpliedPixelBytes(f.Dataset); }
        catch (FormatException) { pixelBytes = null; }
        if (f.Declared is { } declared) pixelBytes = pixelBytes is { } p ? Math.Min(p, declared) : declared;
        return pixelBytes is { } bytes ? f.Offset + 12 + bytes + TrailingSlackBytes : null;
    }

    /// <summary>NumberOfFrames × Rows × Columns × SamplesPerPixel × BitsAllocated / 8 (rounded up, plus a pad byte), or null when the module is incomplete.</summary>
    internal static long? ImpliedPixelBytes(DicomDataset dataset)
    {
        if (!dataset.TryGetSingleValue<int>(DicomTag.Rows, out var rows) || !dataset.TryGetSingleValue<int>(DicomTag.Columns, out var columns)
            || !dataset.TryGetSingleValue<int>(DicomTag.BitsAllocated, out var bits) || rows <= 0 || columns <= 0 || bits <= 0)
            return null;
        var samples = Math.Max(1, dataset.GetSingleValueOrDefault(DicomTag.SamplesPerPixel, 1));
        var frames = Math.Max(1, dataset.GetSingleValueOrDefault(DicomTag.NumberOfFrames, 1));
        return ((long)rows * columns * samples * frames * bits + 7) / 8 + 1;
    }
}
