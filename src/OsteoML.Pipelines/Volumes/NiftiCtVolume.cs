using System.Security.Cryptography;
using System.Text.Json;
using OsteoML.Dicom;
using OsteoML.Dicom.Series;
using OsteoML.Imaging.Nifti;

namespace OsteoML.Pipelines.Volumes;

/// <summary>
/// A CT volume from a NIfTI-1 file (TotalSegmentator, nnU-Net and most research sets ship CT this way): geometry from
/// the sform/qform (RAS turned into patient LPS by <see cref="NiftiFile"/>), HU from the stored values after
/// <c>scl_slope</c>/<c>scl_inter</c>. What DICOM would give — scanner, kVp, kernel, contrast, UIDs — comes from a
/// BIDS-style JSON sidecar beside the image (<c>ct.nii.gz</c> → <c>ct.json</c>, dcm2niix's key names), else stays
/// empty. Without a SeriesInstanceUID in the sidecar the series UID is derived from the file's bytes (a 2.25 UID of
/// its SHA-256), so the same file always gets the same UID and caches keyed on it stay valid.
/// </summary>
public static class NiftiCtVolume
{
    public static bool IsNifti(string path) =>
        path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>The sidecar's path: the image's name without .nii/.nii.gz, plus .json.</summary>
    public static string SidecarPath(string path)
    {
        var stem = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        return stem[..^4] + ".json";
    }

    public static CtVolume Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such NIfTI file.");
        var image = NiftiFile.Read(path);
        var sidecar = ReadSidecar(path);
        var warnings = new List<string>();
        if (sidecar.Acquisition.SliceThickness is null)
            warnings.Add("no slice thickness in a sidecar: the voxel spacing along the slices stands for it");
        // One pass over the file's bytes serves both the content-derived UID and the cache fingerprint.
        var hash = FileHash(path);
        var series = sidecar.SeriesInstanceUid ?? UidOf(hash);
        return new CtVolume(image.ToFloat(), sidecar.StudyInstanceUid ?? series, series, sidecar.Modality ?? "CT", sidecar.Acquisition, warnings,
            Fingerprint(path, hash));
    }

    /// <summary>The file's size and SHA-256 (with its sidecar's, which can change the UIDs): what cache entries are keyed by.</summary>
    public static string ContentFingerprint(string path) => Fingerprint(path, FileHash(path));

    /// <summary>The series UID <see cref="Load"/> gives the file, without reading its voxels when the sidecar names one.</summary>
    public static string SeriesUid(string path) => ReadSidecar(path).SeriesInstanceUid ?? UidOf(FileHash(path));

    /// <summary>The scanner fields of the sidecar (empty when there is none): what the site key is made of.</summary>
    public static CtAcquisition Acquisition(string path) => ReadSidecar(path).Acquisition;

    private sealed record Sidecar(CtAcquisition Acquisition, string? StudyInstanceUid, string? SeriesInstanceUid, string? Modality);

    private static Sidecar ReadSidecar(string path)
    {
        var file = SidecarPath(path);
        if (!File.Exists(file)) return new Sidecar(new CtAcquisition(), null, null, null);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{file}: not a JSON sidecar ({ex.Message}).");
        }
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{file}: a sidecar must be a JSON object.");
        var fields = root.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase);
        string? Text(params string[] names)
        {
            foreach (var name in names)
                if (fields.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s) return s;
            return null;
        }
        double? Number(params string[] names)
        {
            foreach (var name in names)
            {
                if (!fields.TryGetValue(name, out var v)) continue;
                if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
                throw new InvalidDataException($"{file}: {name} must be a number, not {v.ValueKind}.");
            }
            return null;
        }
        var imageType = fields.TryGetValue("ImageType", out var it) && it.ValueKind == JsonValueKind.Array
            ? it.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
        var acquisition = new CtAcquisition
        {
            Manufacturer = Text("Manufacturer"),
            ManufacturerModelName = Text("ManufacturersModelName", "ManufacturerModelName"),
            InstitutionName = Text("InstitutionName"),
            StationName = Text("StationName"),
            DeviceSerialNumber = Text("DeviceSerialNumber"),
            KVP = Number("KVP", "XRayTubeVoltage"),
            ConvolutionKernel = Text("ConvolutionKernel"),
            SliceThickness = Number("SliceThickness"),
            ContrastBolusAgent = Text("ContrastBolusAgent"),
            ImageType = imageType,
            BodyPartExamined = Text("BodyPartExamined"),
        };
        return new Sidecar(acquisition, Text("StudyInstanceUID"), Text("SeriesInstanceUID"), Text("Modality"));
    }

    private static byte[] FileHash(string path)
    {
        using var stream = File.OpenRead(path);
        return SHA256.HashData(stream);
    }

    private static string UidOf(byte[] hash) => DicomUID.FromUuid(new Guid(hash.AsSpan(0, 16), bigEndian: true));

    private static string Fingerprint(string path, byte[] hash)
    {
        var sidecar = SidecarPath(path);
        var text = $"nifti|{new FileInfo(path).Length}|{Convert.ToHexStringLower(hash)}";
        return File.Exists(sidecar) ? $"{text}|{Convert.ToHexStringLower(FileHash(sidecar))}" : text;
    }
}
