using System.Numerics;

namespace OsteoML.Dicom;

/// <summary>UIDs (PS3.5 §9): new ones, and the SOP classes this product reads and writes.</summary>
public static class DicomUID
{
    /// <summary>
    /// A new globally unique UID "2.25.&lt;uuid as unsigned decimal integer&gt;" (PS3.5 §B.2), from a random
    /// (version 4) UUID, so no organisation root is needed.
    /// </summary>
    public static string Generate() => FromUuid(Guid.NewGuid());

    /// <summary>The 2.25 UID of a UUID: its 128 bits in RFC 4122 (big-endian) order read as one unsigned integer.</summary>
    public static string FromUuid(Guid uuid) =>
        "2.25." + new BigInteger(uuid.ToByteArray(bigEndian: true), isUnsigned: true, isBigEndian: true).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True for a syntactically valid UID: at most 64 characters, dot-separated numbers without leading zeros.</summary>
    public static bool IsValid(string uid)
    {
        if (uid.Length is 0 or > 64)
            return false;
        foreach (var part in uid.Split('.'))
        {
            if (part.Length == 0 || (part.Length > 1 && part[0] == '0') || !part.All(char.IsAsciiDigit))
                return false;
        }
        return true;
    }

    /// <summary>Identifies this library in the files it writes (0002,0012); a fixed 2.25 UID.</summary>
    public const string ImplementationClassUID = "2.25.176328947615427591298826447165946937373";
    /// <summary>(0002,0013), at most 16 characters.</summary>
    public const string ImplementationVersionName = "OSTEOML_0_1";

    public const string CTImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    public const string EnhancedCTImageStorage = "1.2.840.10008.5.1.4.1.1.2.1";
    public const string LegacyConvertedEnhancedCTImageStorage = "1.2.840.10008.5.1.4.1.1.2.2";
    public const string MRImageStorage = "1.2.840.10008.5.1.4.1.1.4";
    public const string SecondaryCaptureImageStorage = "1.2.840.10008.5.1.4.1.1.7";
    public const string MediaStorageDirectoryStorage = "1.2.840.10008.1.3.10";
}
