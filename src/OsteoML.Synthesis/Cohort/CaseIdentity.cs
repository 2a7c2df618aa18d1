using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using OsteoML.Synthesis.Truth;

namespace OsteoML.Synthesis.Cohort;

/// <summary>
/// Synthetic identifiers of a case: obviously artificial name and ID, accession number, birth date consistent with
/// the age at the study date, and DICOM UIDs. UIDs are UUID-derived (<c>2.25.</c> + a 128-bit decimal, PS3.5 B.2)
/// from a hash of the cohort seed and the case, so the same seed reproduces them exactly.
/// </summary>
public sealed record CaseIdentity(
    string PatientId,
    string PatientName,
    DateOnly BirthDate,
    string AccessionNumber,
    string StudyId,
    int SeriesNumber,
    string StudyInstanceUid,
    string SeriesInstanceUid,
    string FrameOfReferenceUid)
{
    public static CaseIdentity Create(ulong seed, string presetName, int index, Patient patient, DateTime studyDate)
    {
        var key = $"{presetName}/{seed}/{index}";
        var tag = Hash(key, "patient").Substring(0, 4).ToUpperInvariant();
        // Birth date: the patient's age (in years, fractional) before the study date.
        var birth = DateOnly.FromDateTime(studyDate.AddDays(-Math.Round(patient.Age * 365.25)));
        return new CaseIdentity(
            PatientId: $"SYN{tag}{index + 1:D5}",
            PatientName: $"SYNTHETIC^CASE{index + 1:D5}",
            BirthDate: birth,
            AccessionNumber: $"ACC{Hash(key, "accession").Substring(0, 10).ToUpperInvariant()}",
            StudyId: (index + 1).ToString(CultureInfo.InvariantCulture),
            SeriesNumber: 2 + index % 3,
            StudyInstanceUid: Uid(key, "study"),
            SeriesInstanceUid: Uid(key, "series"),
            FrameOfReferenceUid: Uid(key, "frame"));
    }

    /// <summary>SOP Instance UID of one slice (instance numbers start at 1).</summary>
    public string SopInstanceUid(int instanceNumber) => Uid(SeriesInstanceUid, $"instance/{instanceNumber}");

    /// <summary>A <c>2.25.</c> UID from the first 128 bits of SHA-256 of the inputs (at most 44 characters).</summary>
    public static string Uid(string key, string purpose)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{key}#{purpose}"), hash);
        var value = new BigInteger(hash[..16], isUnsigned: true, isBigEndian: true);
        return "2.25." + value.ToString(CultureInfo.InvariantCulture);
    }

    private static string Hash(string key, string purpose) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{key}#{purpose}")));
}
