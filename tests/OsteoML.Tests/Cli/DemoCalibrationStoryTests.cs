using OsteoML.Calibration;
using OsteoML.Cli.Commands;
using OsteoML.Pipelines.Bundles;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Output;
using OsteoML.Synthesis.Physics;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Cli;

/// <summary>
/// The calibration story <c>osteoml demo</c> tells, checked against the generator's truth rather than the demo's own
/// output (which would take minutes): the demo cohort's unseen scanner is miscalibrated enough to bias a global model,
/// has cases enough to show it, and the phantom scans the demo writes and reads remove most of that bias.
/// </summary>
[TestClass]
public sealed class DemoCalibrationStoryTests
{
    [TestMethod]
    public void Demo_phantom_scans_remove_most_of_the_miscalibrated_scanners_bias()
    {
        var cases = SyntheticCohort.Create(DemoCommand.Preset, DemoCommand.Seed).CasesIn(CohortSplit.Independent)
            .Where(c => c.Scanner.Id == CohortPreset.DemoMiscalibratedScanner).ToList();
        Assert.IsGreaterThanOrEqualTo(30, cases.Count, "the miscalibrated scanner needs cases enough for intervals narrower than its bias");

        var directory = TestPaths.NewTempDirectory("osteoml-demo-phantoms");
        var written = DemoCommand.WritePhantoms(directory);
        CollectionAssert.AreEquivalent(cases.Select(c => c.Acquisition.Kvp).Distinct().ToList(), written.Select(w => w.Kvp).ToList(), "a phantom scan at every kVp of its studies");
        var phantoms = Path.Combine(directory, DemoCommand.PhantomFolder);
        var reading = SitePhantomProfiles.Read(phantoms, PhantomLayout.Load(Path.Combine(phantoms, PhantomScanWriter.InsertsFile)),
            new Dictionary<string, SitePhantomProfile>(), reference: false, DateTimeOffset.UnixEpoch);
        Assert.IsEmpty(reading.Failures);
        var site = reading.Profiles.Keys.Single();
        var calibration = ScanCalibrations.Create(CalibrationSource.Phantom, reading.Profiles);

        // Each case's true unenhanced trabecular HU as its scanner reads it and on the ideal scale the training scanners
        // are close to; the BMD error is what that HU difference means through the mineral's HU per mg/cm³.
        var global = new List<double>();
        var corrected = new List<double>();
        foreach (var c in cases)
        {
            var measured = c.TrabecularHuAt(c.Bone.TrueL1L2);
            var ideal = XRayMaterials.TrabecularHu(c.Bone.TrueL1L2, c.Bone.MarrowFatFraction, c.Acquisition.EffectiveKvp);
            var scale = calibration.Estimate(new ScanContext(site, c.Acquisition.Kvp, null, false)).Scale;
            Assert.IsNotNull(scale, $"{c.CaseId}: no phantom calibration at {c.Acquisition.Kvp} kVp");
            global.Add((measured - ideal) / c.Acquisition.MineralHuPerMg);
            corrected.Add((scale.ToIdeal(measured) - ideal) / c.Acquisition.MineralHuPerMg);
        }
        var (globalBias, correctedBias) = (global.Average(), corrected.Average());
        Assert.IsGreaterThanOrEqualTo(8.0, globalBias, $"uncorrected bias {globalBias:F1} mg/cm³: the scanner is not miscalibrated enough to tell the story");
        Assert.IsLessThanOrEqualTo(3.0, Math.Abs(correctedBias), $"phantom-corrected bias {correctedBias:F1} mg/cm³");
        Assert.IsLessThan(Math.Abs(globalBias) - 6, Math.Abs(correctedBias), "the phantom must remove most of the bias");
    }
}
