namespace OsteoML.Dicom;

/// <summary>
/// A value representation (PS3.5 §6.2): how an element's bytes encode its values. Instances are singletons
/// (<c>DicomVR.US</c>, <c>DicomVR.SQ</c>, …), so reference equality works.
/// </summary>
public sealed class DicomVR
{
    private DicomVR(string code, bool isString, bool longHeader, int unitSize, byte padding, bool isMultiValued = true)
    {
        Code = code;
        IsString = isString;
        HasLongHeader = longHeader;
        UnitSize = unitSize;
        PaddingByte = padding;
        IsMultiValued = isMultiValued;
    }

    /// <summary>The two-letter code, e.g. "US".</summary>
    public string Code { get; }

    /// <summary>Text values (character repertoire applies to some: see <see cref="UsesSpecificCharacterSet"/>).</summary>
    public bool IsString { get; }

    /// <summary>Explicit VR encodes these with 2 reserved bytes and a 32-bit length (PS3.5 §7.1.2, Table 7.1-1).</summary>
    public bool HasLongHeader { get; }

    /// <summary>Size of one binary value in bytes (its byte-swapping unit in big endian); 1 for strings and OB/UN.</summary>
    public int UnitSize { get; }

    /// <summary>Pads values to even length: space for text, NUL for UI and binary VRs.</summary>
    public byte PaddingByte { get; }

    /// <summary>Backslash separates values (false for LT, ST, UT, UR and binary VRs that are one blob).</summary>
    public bool IsMultiValued { get; }

    /// <summary>VRs whose text is decoded with the Specific Character Set (0008,0005); the others are ASCII.</summary>
    public bool UsesSpecificCharacterSet => this == SH || this == LO || this == ST || this == PN || this == LT || this == UC || this == UT;

    public bool IsBinaryNumber => !IsString && this != SQ && this != OB && this != UN && this != AT;

    public override string ToString() => Code;

    public static readonly DicomVR AE = new("AE", true, false, 1, (byte)' ');
    public static readonly DicomVR AS = new("AS", true, false, 1, (byte)' ');
    public static readonly DicomVR AT = new("AT", false, false, 2, 0);
    public static readonly DicomVR CS = new("CS", true, false, 1, (byte)' ');
    public static readonly DicomVR DA = new("DA", true, false, 1, (byte)' ');
    public static readonly DicomVR DS = new("DS", true, false, 1, (byte)' ');
    public static readonly DicomVR DT = new("DT", true, false, 1, (byte)' ');
    public static readonly DicomVR FD = new("FD", false, false, 8, 0);
    public static readonly DicomVR FL = new("FL", false, false, 4, 0);
    public static readonly DicomVR IS = new("IS", true, false, 1, (byte)' ');
    public static readonly DicomVR LO = new("LO", true, false, 1, (byte)' ');
    public static readonly DicomVR LT = new("LT", true, false, 1, (byte)' ', isMultiValued: false);
    public static readonly DicomVR OB = new("OB", false, true, 1, 0);
    public static readonly DicomVR OD = new("OD", false, true, 8, 0);
    public static readonly DicomVR OF = new("OF", false, true, 4, 0);
    public static readonly DicomVR OL = new("OL", false, true, 4, 0);
    public static readonly DicomVR OV = new("OV", false, true, 8, 0);
    public static readonly DicomVR OW = new("OW", false, true, 2, 0);
    public static readonly DicomVR PN = new("PN", true, false, 1, (byte)' ');
    public static readonly DicomVR SH = new("SH", true, false, 1, (byte)' ');
    public static readonly DicomVR SL = new("SL", false, false, 4, 0);
    public static readonly DicomVR SQ = new("SQ", false, true, 1, 0);
    public static readonly DicomVR SS = new("SS", false, false, 2, 0);
    public static readonly DicomVR ST = new("ST", true, false, 1, (byte)' ', isMultiValued: false);
    public static readonly DicomVR SV = new("SV", false, true, 8, 0);
    public static readonly DicomVR TM = new("TM", true, false, 1, (byte)' ');
    public static readonly DicomVR UC = new("UC", true, true, 1, (byte)' ');
    public static readonly DicomVR UI = new("UI", true, false, 1, 0);
    public static readonly DicomVR UL = new("UL", false, false, 4, 0);
    public static readonly DicomVR UN = new("UN", false, true, 1, 0);
    public static readonly DicomVR UR = new("UR", true, true, 1, (byte)' ', isMultiValued: false);
    public static readonly DicomVR US = new("US", false, false, 2, 0);
    public static readonly DicomVR UT = new("UT", true, true, 1, (byte)' ', isMultiValued: false);
    public static readonly DicomVR UV = new("UV", false, true, 8, 0);

    /// <summary>Every VR of PS3.5 (2024).</summary>
    public static IReadOnlyList<DicomVR> All { get; } =
        [AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST, SV, TM, UC, UI, UL, UN, UR, US, UT, UV];

    // Indexed by the two ASCII letters, so the reader's per-element lookup is one array access.
    private static readonly DicomVR?[] ByCode = BuildIndex();

    private static DicomVR?[] BuildIndex()
    {
        var index = new DicomVR?[26 * 26];
        foreach (var vr in All)
            index[(vr.Code[0] - 'A') * 26 + vr.Code[1] - 'A'] = vr;
        return index;
    }

    /// <summary>The VR with these two ASCII letters, or null when they name none.</summary>
    public static DicomVR? TryGet(byte first, byte second)
    {
        var a = first - 'A';
        var b = second - 'A';
        return (uint)a < 26 && (uint)b < 26 ? ByCode[a * 26 + b] : null;
    }

    public static DicomVR Parse(string code) =>
        code.Length == 2 && TryGet((byte)code[0], (byte)code[1]) is { } vr
            ? vr
            : throw new FormatException($"'{code}' is not a DICOM value representation.");
}
