using System.Text;

namespace OsteoML.Dicom;

/// <summary>
/// Specific Character Set (0008,0005) → text encoding, PS3.3 §C.12.1.1.2 and PS3.5 §6.1. Single-byte sets map
/// to their ISO 8859 code pages, ISO_IR 192 to UTF-8, GB18030/GBK to theirs. Code extension (ISO 2022 escape
/// sequences) is decoded with the first set's encoding: such text reads approximately, and its bytes are kept
/// unchanged, so a file re-written by us carries the original text.
/// </summary>
public static class DicomCharacterSet
{
    static DicomCharacterSet() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The repertoire when (0008,0005) is absent: ASCII (ISO_IR 6), read as Latin-1 so stray 8-bit bytes survive.</summary>
    public static Encoding Default => Encoding.Latin1;

    /// <summary>The encoding for the values of (0008,0005); unknown terms fall back to <see cref="Default"/>.</summary>
    public static Encoding FromTerms(IReadOnlyList<string> terms)
    {
        foreach (var term in terms)
        {
            if (term.Length == 0)
                continue;
            return FromTerm(term) ?? Default;
        }
        return Default;
    }

    private static Encoding? FromTerm(string term)
    {
        var codePage = term.Trim().Replace("ISO 2022 ", "ISO_", StringComparison.Ordinal) switch
        {
            "ISO_IR 6" or "ISO_IR 100" or "ISO_IR_6" or "ISO_IR_100" => 28591,
            "ISO_IR 101" or "ISO_IR_101" => 28592,
            "ISO_IR 109" or "ISO_IR_109" => 28593,
            "ISO_IR 110" or "ISO_IR_110" => 28594,
            "ISO_IR 144" or "ISO_IR_144" => 28595,
            "ISO_IR 127" or "ISO_IR_127" => 28596,
            "ISO_IR 126" or "ISO_IR_126" => 28597,
            "ISO_IR 138" or "ISO_IR_138" => 28598,
            "ISO_IR 148" or "ISO_IR_148" => 28599,
            "ISO_IR 203" or "ISO_IR_203" => 28605,
            "ISO_IR 13" or "ISO_IR_13" => 932,
            "ISO_IR 166" or "ISO_IR_166" => 874,
            "ISO_IR 192" => 65001,
            "GB18030" => 54936,
            "GBK" => 936,
            _ => 0,
        };
        if (codePage == 0)
            return null;
        if (codePage == 65001)
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        try
        {
            return Encoding.GetEncoding(codePage);
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }
}
