namespace OsteoML.Dicom;

/// <summary>
/// A transfer syntax (PS3.5 §10, PS3.6 Table A-1): byte order, explicit or implicit VR, and how pixel data is
/// encoded. Well-known syntaxes are static instances; <see cref="Lookup"/> finds one by UID and makes up an
/// unknown one (which reads as Explicit VR Little Endian with encapsulated pixel data, PS3.5 §10.1).
/// </summary>
public sealed class DicomTransferSyntax
{
    private DicomTransferSyntax(string uid, string name, bool isExplicitVR = true, bool isBigEndian = false,
        bool isEncapsulated = true, bool isDeflated = false, bool isLossy = false, bool isRetired = false, bool isKnown = true)
    {
        UID = uid;
        Name = name;
        IsExplicitVR = isExplicitVR;
        IsBigEndian = isBigEndian;
        IsEncapsulated = isEncapsulated;
        IsDeflated = isDeflated;
        IsLossy = isLossy;
        IsRetired = isRetired;
        IsKnown = isKnown;
    }

    public string UID { get; }
    public string Name { get; }
    public bool IsExplicitVR { get; }
    public bool IsBigEndian { get; }
    /// <summary>Pixel data is a sequence of fragments (compressed frames), PS3.5 §A.4.</summary>
    public bool IsEncapsulated { get; }
    /// <summary>The whole dataset after the file meta is deflate-compressed (RFC 1951), PS3.5 §A.5.</summary>
    public bool IsDeflated { get; }
    public bool IsLossy { get; }
    public bool IsRetired { get; }
    /// <summary>False for a UID this library does not know (it is still read as explicit VR little endian).</summary>
    public bool IsKnown { get; }

    public override string ToString() => $"{Name} ({UID})";

    public static readonly DicomTransferSyntax ImplicitVRLittleEndian = new("1.2.840.10008.1.2", "Implicit VR Little Endian", isExplicitVR: false, isEncapsulated: false);
    public static readonly DicomTransferSyntax ExplicitVRLittleEndian = new("1.2.840.10008.1.2.1", "Explicit VR Little Endian", isEncapsulated: false);
    public static readonly DicomTransferSyntax EncapsulatedUncompressedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian");
    public static readonly DicomTransferSyntax DeflatedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", isEncapsulated: false, isDeflated: true);
    public static readonly DicomTransferSyntax ExplicitVRBigEndian = new("1.2.840.10008.1.2.2", "Explicit VR Big Endian", isBigEndian: true, isEncapsulated: false, isRetired: true);
    public static readonly DicomTransferSyntax JPEGBaseline = new("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", isLossy: true);
    public static readonly DicomTransferSyntax JPEGExtended = new("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", isLossy: true);
    public static readonly DicomTransferSyntax JPEGLossless = new("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)");
    public static readonly DicomTransferSyntax JPEGLosslessSV1 = new("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])");
    public static readonly DicomTransferSyntax JPEGLSLossless = new("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression");
    public static readonly DicomTransferSyntax JPEGLSNearLossless = new("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression", isLossy: true);
    public static readonly DicomTransferSyntax JPEG2000Lossless = new("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)");
    public static readonly DicomTransferSyntax JPEG2000 = new("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", isLossy: true);
    public static readonly DicomTransferSyntax JPEG2000Part2MultiComponentLossless = new("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)");
    public static readonly DicomTransferSyntax JPEG2000Part2MultiComponent = new("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression", isLossy: true);
    public static readonly DicomTransferSyntax JPIPReferenced = new("1.2.840.10008.1.2.4.94", "JPIP Referenced");
    public static readonly DicomTransferSyntax JPIPReferencedDeflate = new("1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate", isDeflated: true);
    public static readonly DicomTransferSyntax MPEG2MainProfile = new("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level", isLossy: true);
    public static readonly DicomTransferSyntax MPEG4HighProfile = new("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1", isLossy: true);
    public static readonly DicomTransferSyntax HEVCMainProfile = new("1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1", isLossy: true);
    public static readonly DicomTransferSyntax HTJ2KLossless = new("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)");
    public static readonly DicomTransferSyntax HTJ2KLosslessRPCL = new("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)");
    public static readonly DicomTransferSyntax HTJ2K = new("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression", isLossy: true);
    public static readonly DicomTransferSyntax RLELossless = new("1.2.840.10008.1.2.5", "RLE Lossless");

    /// <summary>Every syntax this library names.</summary>
    public static IReadOnlyList<DicomTransferSyntax> All { get; } =
    [
        ImplicitVRLittleEndian, ExplicitVRLittleEndian, EncapsulatedUncompressedExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian,
        ExplicitVRBigEndian, JPEGBaseline, JPEGExtended, JPEGLossless, JPEGLosslessSV1, JPEGLSLossless, JPEGLSNearLossless,
        JPEG2000Lossless, JPEG2000, JPEG2000Part2MultiComponentLossless, JPEG2000Part2MultiComponent, JPIPReferenced,
        JPIPReferencedDeflate, MPEG2MainProfile, MPEG4HighProfile, HEVCMainProfile, HTJ2KLossless, HTJ2KLosslessRPCL, HTJ2K, RLELossless,
    ];

    private static readonly Dictionary<string, DicomTransferSyntax> ByUid = All.ToDictionary(ts => ts.UID, StringComparer.Ordinal);

    /// <summary>The syntax with this UID; an unknown UID gives an encapsulated explicit VR little endian syntax named "unknown".</summary>
    public static DicomTransferSyntax Lookup(string uid)
    {
        var key = uid.Trim().TrimEnd('\0');
        return ByUid.TryGetValue(key, out var ts) ? ts : new DicomTransferSyntax(DicomValues.Printable(key), "unknown transfer syntax", isKnown: false);
    }
}
