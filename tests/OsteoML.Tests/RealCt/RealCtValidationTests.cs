using System.Globalization;
using System.Text.Json;
using OsteoML.Domain;
using OsteoML.Imaging.Filtering;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Validation;
using OsteoML.Pipelines.Volumes;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.RealCt;

/// <summary>
/// The shipped segmentation and level rule on a real CT it never saw (TotalSegmentator's example, tests/data), judged by
/// that scan's reference labels and by the numbers TotalSegmentator and the team computed from them — never by our own output.
/// </summary>
[TestClass]
public sealed class RealCtValidationTests
{
    private static string Example => TestPaths.Data("real-ct", "totalseg-example");
    private static string ShippedSegmentation => Path.Combine(TestPaths.RepoRoot, "models", "vbnet-lite");

    // Computed by the team from the example's files (shared/real-ct/README.md): the body (total label ∩ vertebrae_body = 1)
    // eroded by one voxel — mean and median HU.
    private static readonly Dictionary<string, (double Mean, double Median)> TeamReference = new()
    {
        ["T12"] = (108.4, 107.0), ["L1"] = (118.5, 105.0), ["L2"] = (122.7, 118.0), ["L3"] = (119.5, 115.0),
    };

    private static ReferenceCaseResult? _result;

    private static ReferenceCaseResult Result()
    {
        if (_result is not null) return _result;
        using var segmenter = new VertebraSegmenter(ShippedSegmentation);
        return _result = RealCtValidation.Run(segmenter, ReferenceCase.Read(Example).Single());
    }

    [TestMethod]
    public void The_example_gets_L1_and_L2_named_as_its_reference_names_them()
    {
        var result = Result();
        Assert.AreEqual(RealCtOutcome.Correct, result.Outcome, result.Reason);
        foreach (var level in new[] { "L1", "L2" })
        {
            var l = result.Level(level)!;
            Assert.AreEqual(level, l.ReferenceLevelAtOurs, $"our {level} lies on the reference's {l.ReferenceLevelAtOurs}");
            Assert.IsGreaterThanOrEqualTo(0.85, l.Dice!.Value, $"{level} Dice against the reference body");
            Assert.IsLessThan(5.0, l.CentroidDistanceMm!.Value, $"{level} centroid distance");
        }
        // Every other level we named lies on the reference level of its name, too.
        foreach (var l in result.Levels.Where(l => l.ReferenceLevelAtOurs is not null))
            Assert.AreEqual(l.Level, l.ReferenceLevelAtOurs);
    }

    [TestMethod]
    public void Our_L1_L2_trabecular_mean_is_within_10_HU_of_the_reference_eroded_bodies()
    {
        var result = Result();
        foreach (var level in new[] { "L1", "L2" })
        {
            var l = result.Level(level)!;
            Assert.AreEqual(TeamReference[level].Mean, l.ReferenceMeanHu!.Value, 0.05, $"{level}: the harness's reference mean");
            Assert.AreEqual(TeamReference[level].Median, l.ReferenceMedianHu!.Value, 0.01, $"{level}: the harness's reference median");
            Assert.AreEqual(TeamReference[level].Mean, l.OurMeanHu!.Value, 10, $"{level}: our ROI's mean HU");
        }
    }

    [TestMethod]
    public void Models_validate_with_a_reference_reports_each_case_and_exits_zero_when_all_are_correct()
    {
        var csv = Path.Combine(TestPaths.NewTempDirectory(), "cases.csv");
        var run = CliRun.Of("models", "validate", ShippedSegmentation, "--reference", Example, "--cases-csv", csv);
        Assert.AreEqual(0, run.ExitCode, run.Out + run.Error);
        StringAssert.Contains(run.Out, "totalseg-example: Correct");
        StringAssert.Contains(run.Out, "1 case(s): 1 correct, 0 wrong level, 0 refused");
        var rows = File.ReadAllLines(csv);
        Assert.IsTrue(rows.Skip(1).Any(r => r.StartsWith("totalseg-example,Correct,Identified,L1,L1,", StringComparison.Ordinal)), string.Join("\n", rows));
    }

    [TestMethod]
    public void TotalSegmentator_erosion_reproduces_its_spine_report_on_its_own_masks()
    {
        var ct = StudyVolumes.Read(Path.Combine(Example, "example_ct.nii.gz"), "");
        var masks = ReferenceVertebrae.Load(Path.Combine(Example, "reference-vertebrae-pp-refined.nii.gz"), VertebraLabelScheme.Verse, ct.Hu.Geometry);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(Example, "spine_report.json")));
        var results = report.RootElement.GetProperty("results");
        foreach (var level in new[] { "L1", "L2", "L3", "L4", "L5" })
        {
            var eroded = EllipsoidErosion.Erode(masks.Masks[level], 4);
            var (mean, median) = RealCtValidation.MeanMedian(ct.Hu, eroded);
            Assert.AreEqual(results.GetProperty($"vertebrae_{level}_intensity").GetDouble(), mean!.Value, 2, $"{level} mean");
            Assert.AreEqual(results.GetProperty($"vertebrae_{level}_intensity_median").GetDouble(), median!.Value, 2, $"{level} median");
            var volume = masks.Masks[level].Voxels.Count(v => v) * ct.Hu.Geometry.VoxelVolumeMm3 / 1000;
            Assert.AreEqual(results.GetProperty($"vertebrae_{level}_volume_ml").GetDouble(), volume, 0.01, $"{level} volume");
        }
    }

    [TestMethod]
    public void Cut_below_T12_the_example_names_nothing_and_its_body_evidence_lies_on_the_reference_bodies()
    {
        // A scan without T12 (as a pelvic CT starts): no rib anchor exists, so no level may be named; the refusal's
        // evidence must place each body where TotalSegmentator's reference puts it.
        var hu = StudyVolumes.Read(Path.Combine(Example, "example_ct.nii.gz"), "").Hu;
        var truth = ReferenceVertebrae.Load(Path.Combine(Example, "reference-total.nii.gz"), VertebraLabelScheme.TotalSegmentator, hu.Geometry,
            Path.Combine(Example, "reference-vertebrae-body.nii.gz"));
        var g = hu.Geometry;
        Assert.IsGreaterThan(0.99, g.Direction[2].Z, "the example's slices run foot to head");
        var l1 = truth.Masks["L1"];
        var top = Enumerable.Range(0, g.Size.Z).Last(k => Enumerable.Range(0, g.Size.X * g.Size.Y).Any(v => l1.Voxels[(long)k * g.Size.X * g.Size.Y + v]));
        var kept = top + 1;
        var cut = new OsteoML.Imaging.Volume<float>(g with { Size = g.Size with { Z = kept } }, hu.Voxels[..(int)((long)kept * g.Size.X * g.Size.Y)]);

        using var segmenter = new VertebraSegmenter(ShippedSegmentation);
        var segmentation = segmenter.Segment(cut, "2.25.1");

        Assert.AreNotEqual(OsteoML.Inference.LevelStatus.Identified, segmentation.Status, segmentation.Reason);
        var evidence = OsteoML.Pipelines.Screening.BodyEvidence.From(segmentation);
        foreach (var level in new[] { "L1", "L2", "L3", "L4", "L5" })
        {
            var mask = truth.Masks[level];
            var sum = new OsteoML.Imaging.Vec3(0, 0, 0);
            long n = 0;
            for (var k = 0; k < kept; k++)
            for (var j = 0; j < g.Size.Y; j++)
            for (var i = 0; i < g.Size.X; i++)
                if (mask[i, j, k]) { sum += g.IndexToWorld(i, j, k); n++; }
            var centre = sum / n;
            var nearest = evidence.Min(b => (new OsteoML.Imaging.Vec3(b.CentroidMm![0], b.CentroidMm[1], b.CentroidMm[2]) - centre).Length);
            Assert.IsLessThan(10.0, nearest, $"reference {level}: no body of the evidence within 10 mm of its centroid");
        }
    }

    [TestMethod]
    public void Own_masks_without_L2_are_refused_as_not_covered_and_name_the_missing_level()
    {
        var ct = StudyVolumes.Read(Path.Combine(Example, "example_ct.nii.gz"), "");
        var labels = OsteoML.Imaging.Nifti.NiftiFile.Read(Path.Combine(Example, "reference-vertebrae-pp-refined.nii.gz")).ToFloat();
        var withoutL2 = labels.Map(v => (int)Math.Round(v) == 21 ? (byte)0 : (byte)Math.Round(v)); // VerSe 21 = L2
        var file = Path.Combine(TestPaths.NewTempDirectory(), "no-l2.nii.gz".Replace(".gz", ""));
        OsteoML.Imaging.Nifti.NiftiFile.Write(file, withoutL2);

        var full = MaskSegmentation.Build(ct, ReferenceVertebrae.Load(Path.Combine(Example, "reference-vertebrae-pp-refined.nii.gz"), VertebraLabelScheme.Verse, ct.Hu.Geometry), 2, "sha");
        Assert.AreEqual(OsteoML.Inference.LevelStatus.Identified, full.Status, full.Reason);
        CollectionAssert.AreEqual(new[] { "T12", "L1", "L2", "L3", "L4", "L5" }, full.Bodies.Select(b => b.Level).ToArray());

        var cut = MaskSegmentation.Build(ct, ReferenceVertebrae.Load(file, VertebraLabelScheme.Verse, ct.Hu.Geometry), 2, "sha");
        Assert.AreEqual(OsteoML.Inference.LevelStatus.NotCovered, cut.Status);
        StringAssert.Contains(cut.Reason, "L2");
    }

    [TestMethod]
    public void The_ellipsoid_kernel_of_4_mm_on_a_3_mm_grid_is_the_lopsided_2x2x2_cube_scipy_builds()
    {
        // scipy/numpy build the kernel independently; its offsets (index − size // 2) must be ours.
        var script = """
            import numpy as np
            r = 4 / 3.0
            x, y, z = np.ogrid[-r:r + 1, -r:r + 1, -r:r + 1]
            k = x * x / r**2 + y * y / r**2 + z * z / r**2 <= 1
            c = [s // 2 for s in k.shape]
            print(";".join(f"{i - c[0]},{j - c[1]},{l - c[2]}" for i, j, l in zip(*np.nonzero(k))))
            """;
        var expected = ExternalTool.Python(script).EnsureSuccess("numpy kernel").StdOut.Trim().Split(';').Order().ToArray();
        var geometry = OsteoML.Imaging.VolumeGeometry.Axial(new OsteoML.Imaging.Size3(4, 4, 4), new OsteoML.Imaging.Vec3(3, 3, 3));
        // Our Axial geometry runs +x to patient left (LPS); RAS canonical flips x and y, so numpy's offsets flip there.
        var ours = EllipsoidErosion.Offsets(geometry, 4).Select(o => $"{-o.I},{-o.J},{o.K}").Order().ToArray();
        CollectionAssert.AreEqual(expected, ours);
    }

    [TestMethod]
    public void A_reference_list_refuses_paths_outside_its_folder_and_unknown_schemes_naming_the_row()
    {
        var folder = TestPaths.NewTempDirectory();
        File.WriteAllText(Path.Combine(folder, ReferenceCase.FileName), "case_id,ct,labels,scheme\na,../ct.nii.gz,l.nii.gz,total\n");
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => ReferenceCase.Read(folder));
        StringAssert.Contains(ex.Message, "row 2, column ct");
        File.WriteAllText(Path.Combine(folder, ReferenceCase.FileName), "case_id,ct,labels,scheme\na,ct.nii.gz,l.nii.gz,vertebrae\n");
        ex = Assert.ThrowsExactly<InvalidDataException>(() => ReferenceCase.Read(folder));
        StringAssert.Contains(ex.Message, "row 2, column scheme");
    }
}
