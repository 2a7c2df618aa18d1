using OsteoML.Calibration;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Rendering;

namespace OsteoML.Tests.AutoTune;

/// <summary>
/// Phantom finding and fitting on phantom scans rendered with a scanner's own physics, against the rendered truth (the
/// scanner's gain and water offset on the scan date, the mineral's CT number at the scan's effective kVp), which the
/// reader never sees: it gets the pixels and the insert file only.
/// </summary>
[TestClass]
public sealed class PhantomScanReaderTests
{
    private static readonly DateOnly ScanDate = new(2022, 6, 1);

    /// <summary>An unseen vendor's scanner, strongly miscalibrated (water +9 HU, gain +3.5 %), no drift.</summary>
    internal static ScannerProfile Miscalibrated(double offsetHu, double gain) =>
        CohortPreset.Paper.Hospitals.SelectMany(h => h.Scanners).First(s => s.Id == "H2-CT1") with
        {
            Calibration = new CalibrationDrift { WaterOffsetHu = offsetHu, GainError = gain, JitterHu = 0.5 },
        };

    internal static PhantomLayout Layout(CalibrationPhantom phantom) => new()
    {
        Name = phantom.Name,
        BodyRadiusMm = phantom.BodyRadiusMm,
        Inserts = phantom.Inserts.Select(i => new PhantomInsert(i.Name, i.DensityMgCm3, i.XMm, i.YMm, i.RadiusMm)).ToArray(),
    };

    internal static PhantomKvpCalibration Read(PhantomScan scan, List<string> warnings, PhantomLayout? layout = null)
    {
        var g = scan.Hu.Geometry;
        return PhantomScanReader.Read(scan.Hu.Voxels, [g.Size.Z, g.Size.Y, g.Size.X], [g.Spacing.Z, g.Spacing.Y, g.Spacing.X],
            layout ?? Layout(scan.Phantom), scan.Kvp, DateTimeOffset.UnixEpoch, warnings);
    }

    [TestMethod]
    [DataRow(9.0, 0.035, 120)]
    [DataRow(-8.0, -0.03, 120)]
    [DataRow(9.0, 0.035, 100)]
    [DataRow(-8.0, -0.03, 140)]
    public void Finds_the_inserts_and_recovers_the_scanners_scale_and_mineral_line(double offset, double gain, int kvp)
    {
        var scan = PhantomRenderer.Render(Miscalibrated(offset, gain), kvp, ScanDate, seed: 11);
        var warnings = new List<string>();
        var fit = Read(scan, warnings);

        Assert.AreEqual(0, warnings.Count, string.Join("; ", warnings));
        // Water: the scan's offset, lowered by the scanner's residual cupping at the water rod (as a patient's spine is).
        var water = scan.Phantom.Inserts.Single(i => i.DensityMgCm3 == 0);
        Assert.AreEqual(scan.InsertHu(water), fit.Scale.Offset, 1.0, "water offset");
        Assert.AreEqual(scan.GainError, fit.Scale.Gain, 0.005, "gain from water and air (cupping moves it by < 0.4 %)");
        var trueSlope = (1 + scan.GainError) * XRayMaterials.MineralHuPerMg(scan.EffectiveKvp);
        Assert.AreEqual(trueSlope, fit.SlopeHuPerMg, 0.02 * trueSlope, "HU per mg/cm³");
        foreach (var insert in fit.Inserts)
            Assert.AreEqual(scan.InsertHu(scan.Phantom.Inserts.Single(i => i.Name == insert.Name)), insert.MeasuredHu, 1.5, insert.Name);
        Assert.IsTrue(fit.RmsResidualMgCm3 < 1.5, $"rms residual {fit.RmsResidualMgCm3:0.00} mg/cm³");
        // The line inverts a 150 mg/cm³ rod's truth (at the rods' radius) to its density within QCT's precision.
        Assert.AreEqual(150, fit.Density(scan.InsertHu(water with { DensityMgCm3 = 150 })), 2.0);
    }

    [TestMethod]
    public void Finds_a_phantom_placed_off_centre_and_turned()
    {
        var scan = PhantomRenderer.Render(Miscalibrated(9, 0.035), 120, ScanDate, seed: 12, centreXMm: 25, centreYMm: -18, rotationDeg: 5);
        var warnings = new List<string>();
        var fit = Read(scan, warnings);
        Assert.AreEqual(0, warnings.Count, string.Join("; ", warnings));
        foreach (var insert in fit.Inserts)
            Assert.AreEqual(scan.InsertHu(scan.Phantom.Inserts.Single(i => i.Name == insert.Name)), insert.MeasuredHu, 1.5, insert.Name);
    }

    [TestMethod]
    public void An_insert_file_with_two_densities_swapped_leaves_a_warning()
    {
        var scan = PhantomRenderer.Render(Miscalibrated(9, 0.035), 120, ScanDate, seed: 13);
        var layout = Layout(scan.Phantom);
        var swapped = layout with
        {
            Inserts = layout.Inserts.Select(i => i.DensityMgCm3 switch { 50 => i with { DensityMgCm3 = 200 }, 200 => i with { DensityMgCm3 = 50 }, _ => i }).ToArray(),
        };
        var warnings = new List<string>();
        try
        {
            Read(scan, warnings, swapped);
            Assert.IsTrue(warnings.Count > 0, "no warning for a wrong insert file");
        }
        catch (InvalidDataException ex)
        {
            StringAssert.Contains(ex.Message, "insert");
        }
    }

    [TestMethod]
    public void A_scan_without_the_phantom_is_refused_in_one_line()
    {
        var scan = PhantomRenderer.Render(Miscalibrated(0, 0), 120, ScanDate, seed: 14, phantom: CalibrationPhantom.Standard with { BodyRadiusMm = 60, Inserts = [] });
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => Read(scan, [], Layout(CalibrationPhantom.Standard)));
        StringAssert.Contains(ex.Message, "no phantom body");
    }

    [TestMethod]
    public void Against_a_reference_scanners_phantom_a_studys_hu_maps_to_what_the_reference_reads_for_the_same_mineral()
    {
        // Reference: the internal Siemens (near ideal); site: the Toshiba (harder beam, +4 kV) miscalibrated −8 HU/−3 %.
        var reference = CohortPreset.Paper.Hospitals.SelectMany(h => h.Scanners).First(s => s.Id == "H1-CT1");
        var toshiba = CohortPreset.Paper.Hospitals.SelectMany(h => h.Scanners).First(s => s.Id == "H2-CT2") with
        {
            Calibration = new CalibrationDrift { WaterOffsetHu = -8, GainError = -0.03, JitterHu = 0.5 },
        };
        var referenceScan = PhantomRenderer.Render(reference, 120, ScanDate, seed: 21);
        var siteScan = PhantomRenderer.Render(toshiba, 120, ScanDate, seed: 22);
        SitePhantomProfile Profile(string key, PhantomScan scan, bool isReference) => new()
        {
            SiteKey = key, Phantom = "standard", Calibrations = [Read(scan, [])], CreatedAt = DateTimeOffset.UnixEpoch, Reference = isReference,
        };
        var profiles = new Dictionary<string, SitePhantomProfile>
        {
            ["ref"] = Profile("ref", referenceScan, true),
            ["site"] = Profile("site", siteScan, false),
        };
        var scale = ScanCalibrations.Create(CalibrationSource.Phantom, profiles).Estimate(new ScanContext("site", 120, null, false)).Scale!;
        var rod = CalibrationPhantom.Standard.Inserts[0];
        foreach (var density in new[] { 50.0, 150, 250 })
        {
            var insert = rod with { DensityMgCm3 = density };
            Assert.AreEqual(referenceScan.InsertHu(insert), scale.ToIdeal(siteScan.InsertHu(insert)), 2.0, $"{density} mg/cm³");
        }
        // The reference's own studies are left on their own scale (its water and air).
        Assert.AreEqual(profiles["ref"].Calibrations[0].Scale, ScanCalibrations.Create(CalibrationSource.Phantom, profiles).Estimate(new ScanContext("ref", 120, null, false)).Scale);
    }

    [TestMethod]
    public void The_profile_round_trips_and_picks_the_calibration_by_kvp()
    {
        var scanner = Miscalibrated(9, 0.035);
        var fits = new[] { 100, 120 }.Select(k => Read(PhantomRenderer.Render(scanner, k, ScanDate, seed: (ulong)k), [])).ToArray();
        var profile = new SitePhantomProfile { SiteKey = "site X", Phantom = "standard", Calibrations = fits, CreatedAt = DateTimeOffset.UnixEpoch };
        var directory = Path.Combine(Path.GetTempPath(), "osteoml-phantom-" + Guid.NewGuid().ToString("N"));
        try
        {
            profile.Save(directory);
            var loaded = SitePhantomProfile.LoadAll(directory)["site X"];
            Assert.AreEqual(2, loaded.Calibrations.Count);
            Assert.AreEqual(100, loaded.At(98)!.Kvp);
            Assert.AreEqual(120, loaded.At(120)!.Kvp);
            Assert.IsNull(loaded.At(140), "no phantom scan within 5 kV");
            Assert.AreEqual(fits[1].SlopeHuPerMg, loaded.At(120)!.SlopeHuPerMg, 1e-12);
            var estimate = ScanCalibrations.Create(CalibrationSource.Phantom, SitePhantomProfile.LoadAll(directory))
                .Estimate(new ScanContext("site X", 120, null, ContrastSuspected: false));
            Assert.AreEqual(fits[1].Scale, estimate.Scale);
            Assert.IsFalse(ScanCalibrations.Create(CalibrationSource.Phantom, SitePhantomProfile.LoadAll(directory))
                .Estimate(new ScanContext("site Y", 120, null, false)).Applicable);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }
}
