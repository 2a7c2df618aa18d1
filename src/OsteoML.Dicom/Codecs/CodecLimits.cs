namespace OsteoML.Dicom.Codecs;

/// <summary>Bounds shared by the codecs whose best case has no fixed ratio (JPEG 2000, JPEG-LS, DCT JPEG).</summary>
internal static class CodecLimits
{
    /// <summary>
    /// A constant frame codes to a few hundred bytes whatever its size, so no tight ratio exists: 16 MiB plus
    /// 10,000× the compressed bytes still stops a few corrupt kilobytes from claiming gigabytes.
    /// </summary>
    public static long MaxDecodedBytes(long compressedBytes) => (16L << 20) + 10_000 * compressedBytes;
}
