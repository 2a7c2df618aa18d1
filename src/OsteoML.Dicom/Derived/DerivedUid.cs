using System.Security.Cryptography;
using System.Text;

namespace OsteoML.Dicom.Derived;

/// <summary>
/// UIDs that are a function of their inputs: <c>2.25.</c> and a name-based UUID made from the SHA-256 of the parts
/// (RFC 9562 version 8 layout, so it is a valid UUID for PS3.5 §B.2). The same source series, bundle and object give
/// the same UID on every run, so a rerun replaces its objects in a PACS instead of adding duplicates.
/// </summary>
public static class DerivedUid
{
    public static string From(params string[] parts)
    {
        if (parts.Length == 0)
            throw new ArgumentException("A derived UID needs at least one part.", nameof(parts));
        // Unit separators keep ("ab","c") and ("a","bc") apart.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts)));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8 (custom, RFC 9562 §5.8)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122/9562 variant
        return DicomUID.FromUuid(new Guid(bytes, bigEndian: true));
    }
}
