using OsteoML.Calibration;
using OsteoML.Dicom.Series;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Pipelines.Bundles;

/// <summary>
/// Phantom scans to site phantom profiles (asynchronous QCT): every series under a folder is read with the insert
/// layout, grouped by the site key of its headers (so it matches that scanner's patient studies) and fitted per kVp;
/// and the profiles stored in a bundle, which is resealed. What <c>osteoml calibrate --phantom</c> and the demo run.
/// </summary>
public static class SitePhantomProfiles
{
    /// <param name="existing">Profiles already held (a bundle's): a new fit replaces the one at its site and kVp.</param>
    /// <param name="reference">These are phantom scans of the scanners the model was trained on (<see cref="SitePhantomProfile.Reference"/>).</param>
    public static PhantomDirectoryReading Read(string directory, PhantomLayout layout, IReadOnlyDictionary<string, SitePhantomProfile> existing,
        bool reference, DateTimeOffset createdAt)
    {
        var scan = DicomSeriesScanner.Scan(directory);
        var profiles = existing.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var fits = new List<PhantomSeriesFit>();
        var failures = new List<string>();
        foreach (var stack in scan.Stacks.OrderBy(s => s.SeriesInstanceUid, StringComparer.Ordinal))
        {
            if (stack.RejectionReason is not null) { failures.Add($"{stack.SeriesInstanceUid}: {stack.RejectionReason}"); continue; }
            try
            {
                var volume = stack.LoadVolume();
                var kvp = volume.Acquisition.KVP is { } k ? (int)Math.Round(k) : throw new InvalidDataException("no KVP in the header");
                var site = SiteKey.From(volume.Acquisition);
                var g = volume.Hu.Geometry;
                var warnings = new List<string>();
                var fit = PhantomScanReader.Read(volume.Hu.Voxels, [g.Size.Z, g.Size.Y, g.Size.X], [g.Spacing.Z, g.Spacing.Y, g.Spacing.X], layout, kvp, createdAt, warnings);
                var profile = profiles.TryGetValue(site, out var held)
                    ? held with { Phantom = layout.Name, CreatedAt = createdAt, Reference = reference }
                    : new SitePhantomProfile { SiteKey = site, Phantom = layout.Name, Calibrations = [], CreatedAt = createdAt, Reference = reference };
                // A rescan at a kVp replaces that kVp's warnings with its own.
                profiles[site] = profile.With(fit) with { Warnings = profile.Warnings.Where(w => !w.StartsWith($"{kvp} kVp:", StringComparison.Ordinal)).Concat(warnings).ToArray() };
                fits.Add(new PhantomSeriesFit(site, kvp, fit, warnings));
            }
            catch (InvalidDataException ex)
            {
                failures.Add($"{stack.SeriesInstanceUid}: {ex.Message}");
            }
        }
        return new PhantomDirectoryReading(profiles, fits, failures, scan.FailedFiles.Count);
    }

    /// <summary>Writes <paramref name="profiles"/> into the calibration folder of <paramref name="target"/> (a copy of
    /// <paramref name="bundle"/> when it is another folder) and reseals it; returns the calibration folder.</summary>
    public static string Store(ModelBundle bundle, IEnumerable<SitePhantomProfile> profiles, string target)
    {
        if (target != bundle.Directory) ModelBundle.CopyTo(bundle.Directory, target);
        var calibration = Path.Combine(target, ModelBundle.CalibrationDirectory);
        foreach (var profile in profiles) profile.Save(calibration);
        ModelBundle.Seal(target, bundle.Manifest);
        return calibration;
    }
}
