using System.Globalization;

namespace OsteoML.Dicom;

/// <summary>
/// A data element tag (group, element), PS3.5 §7.1. The well-known tags of PS3.6 are static members named by
/// their keyword (<c>DicomTag.PatientID</c>, <c>DicomTag.Rows</c>); <see cref="DicomDictionary"/> knows their VR.
/// </summary>
public readonly partial record struct DicomTag(ushort Group, ushort Element) : IComparable<DicomTag>
{
    /// <summary>Group in the high 16 bits, element in the low: the order tags are sorted in a dataset.</summary>
    public uint Value => ((uint)Group << 16) | Element;

    public static DicomTag FromValue(uint value) => new((ushort)(value >> 16), (ushort)value);

    /// <summary>Odd groups other than 0001, 0003, 0005, 0007 and FFFF hold private data elements (PS3.5 §7.8).</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group > 0x0008 && Group != 0xFFFF;

    /// <summary>(gggg,0010–00FF) in a private group: reserves a block of 256 elements for a creator (PS3.5 §7.8.1).</summary>
    public bool IsPrivateCreator => IsPrivate && Element is >= 0x0010 and <= 0x00FF;

    /// <summary>(gggg,0000): a group length element.</summary>
    public bool IsGroupLength => Element == 0x0000;

    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    public static bool operator <(DicomTag a, DicomTag b) => a.Value < b.Value;
    public static bool operator >(DicomTag a, DicomTag b) => a.Value > b.Value;

    /// <summary>The keyword from PS3.6 (e.g. "PatientID"), or null for private and unknown tags.</summary>
    public string? Keyword => DicomDictionary.Lookup(this)?.Keyword;

    /// <summary>"(0010,0020)".</summary>
    public override string ToString() => $"({Group:X4},{Element:X4})";

    /// <summary>Parses "(0010,0020)", "0010,0020", "00100020" or a keyword such as "PatientID".</summary>
    public static DicomTag Parse(string text)
    {
        if (TryParse(text, out var tag))
            return tag;
        throw new FormatException($"'{DicomValues.Printable(text)}' is neither a DICOM tag (gggg,eeee) nor a known keyword.");
    }

    public static bool TryParse(string text, out DicomTag tag)
    {
        var s = text.Trim().TrimStart('(').TrimEnd(')').Replace(",", "", StringComparison.Ordinal);
        if (s.Length == 8 && uint.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            tag = FromValue(value);
            return true;
        }
        var entry = DicomDictionary.LookupKeyword(text.Trim());
        tag = entry?.Tag ?? default;
        return entry is not null;
    }
}
