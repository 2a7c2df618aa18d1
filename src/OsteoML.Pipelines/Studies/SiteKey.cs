using System.Text;
using OsteoML.Dicom.Series;

namespace OsteoML.Pipelines.Studies;

/// <summary>
/// The key a site calibration profile is filed under: one physical CT scanner at one institution, from the series'
/// DICOM header — <c>InstitutionName|Manufacturer|ManufacturerModelName|StationName|DeviceSerialNumber</c>, each
/// value trimmed, runs of white space collapsed to one space, upper-cased (vendors and software versions differ
/// in case), a missing value left empty. The HU-to-BMD line drifts per scanner (kVp spectrum, calibration, kernel
/// family), so the serial number is part of the key; the institution and station keep two sites with the same
/// model apart even when a serial is missing. A key that changes (a renamed station) falls back to "no profile",
/// which the result says: safe, and visible.
/// </summary>
public static class SiteKey
{
    public const char Separator = '|';

    public static string From(CtAcquisition acquisition) => From(acquisition.InstitutionName, acquisition.Manufacturer,
        acquisition.ManufacturerModelName, acquisition.StationName, acquisition.DeviceSerialNumber);

    public static string From(string? institution, string? manufacturer, string? model, string? station, string? serial) =>
        string.Join(Separator, new[] { institution, manufacturer, model, station, serial }.Select(Normalise));

    /// <summary>Trimmed, white space collapsed, upper-case invariant; the separator itself becomes '/'.</summary>
    internal static string Normalise(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return "";
        var text = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value.Trim())
        {
            if (char.IsWhiteSpace(c)) { space = true; continue; }
            if (space) text.Append(' ');
            space = false;
            text.Append(c == Separator ? '/' : char.ToUpperInvariant(c));
        }
        return text.ToString();
    }
}
