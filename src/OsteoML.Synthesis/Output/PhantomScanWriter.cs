using System.Globalization;
using System.Text.Json;
using OsteoML.Dicom.Series;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Rendering;
using OsteoML.Synthesis.Sampling;

namespace OsteoML.Synthesis.Output;

/// <summary>
/// Writes a calibration-phantom scan per scanner and kVp of a preset (or of the scanners chosen) as DICOM CT series,
/// with the scanner's identity in the headers (so the site key matches its patients' studies), plus the insert file
/// <c>inserts.json</c> the reader needs: <c>DIR/&lt;scanner&gt;-&lt;kVp&gt;kV/CT####.dcm</c>.
/// </summary>
public static class PhantomScanWriter
{
    public const string InsertsFile = "inserts.json";

    public static IReadOnlyList<PhantomScanFile> Write(CohortPreset preset, string directory, DateOnly date, ulong seed,
        Func<ScannerProfile, bool>? include = null, CalibrationPhantom? phantom = null)
    {
        phantom ??= CalibrationPhantom.Standard;
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, InsertsFile), InsertsJson(phantom));
        var written = new List<PhantomScanFile>();
        foreach (var hospital in preset.Hospitals)
        foreach (var scanner in hospital.Scanners.Where(s => include?.Invoke(s) ?? true))
        foreach (var kvp in scanner.Kvps.Select(k => k.Kvp).Distinct())
        {
            var scan = PhantomRenderer.Render(scanner, kvp, date, SynthRandom.Derive(seed, $"phantom/{scanner.Id}", kvp), phantom);
            var folder = Path.Combine(directory, $"{scanner.Id}-{kvp}kV");
            CtSeriesWriter.Write(scan.Hu, folder, new CtSeriesDescription
            {
                PatientID = "PHANTOM",
                PatientName = "Calibration^Phantom",
                StudyDate = date.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
                SeriesDescription = $"QCT calibration phantom {kvp} kV",
                RescaleIntercept = scanner.StoredValues.RescaleIntercept,
                Acquisition = new CtAcquisition
                {
                    Manufacturer = scanner.Manufacturer,
                    ManufacturerModelName = scanner.ManufacturerModelName,
                    InstitutionName = hospital.Name,
                    StationName = scanner.StationName,
                    DeviceSerialNumber = scanner.DeviceSerialNumber,
                    KVP = kvp,
                    ConvolutionKernel = scanner.Kernels[0].Name,
                    SliceThickness = scan.Hu.Geometry.Spacing.Z,
                },
            });
            written.Add(new PhantomScanFile(hospital.Id, scanner.Id, kvp, folder, scan.GainError, scan.OffsetHu));
        }
        return written;
    }

    /// <summary>The insert file (the layout <c>osteoml calibrate --inserts</c> reads).</summary>
    public static string InsertsJson(CalibrationPhantom phantom) => JsonSerializer.Serialize(new
    {
        name = phantom.Name,
        bodyRadiusMm = phantom.BodyRadiusMm,
        material = "hydroxyapatite",
        inserts = phantom.Inserts.Select(i => new { name = i.Name, densityMgCm3 = i.DensityMgCm3, xMm = i.XMm, yMm = i.YMm, radiusMm = i.RadiusMm }),
    }, new JsonSerializerOptions { WriteIndented = true });
}
