using System.Text.Json;
using OsteoML.Dicom;
using OsteoML.Dicom.Seg;
using OsteoML.Pipelines.DicomOutputs;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Screening;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.DicomOutputs;

/// <summary>
/// The SR, SEG and Secondary Capture of a screened series, checked by tools that are not ours: dciodvfy (dicom3tools)
/// against their IODs, dcmtk's dsrdump for the report tree, pydicom (+ numpy, PIL) for the masks and pixels.
/// </summary>
[TestClass]
public sealed class DicomOutputTests
{
    private static DicomOutputTestData _data = null!;
    private static IReadOnlyList<string> _files = null!;
    private static readonly MeasurementOptions Options = new();

    [ClassInitialize]
    public static void Write(TestContext _)
    {
        _data = DicomOutputTestData.Create();
        var png = QaImage.Render(_data.Volume, _data.Segmentation, _data.Result);
        File.WriteAllBytes(Path.Combine(_data.Root, "qa.png"), png);
        _files = new DicomResultWriter(Path.Combine(_data.Root, "out"), _data.Provenance, Options).Write(_data.Stack, _data.Segmentation, _data.Result, png);
    }

    private static string ObjectFile(string kind) => _files.Single(f => Path.GetFileName(f).StartsWith(kind + "-", StringComparison.Ordinal));

    /// <summary>The dciodvfy warnings docs/dicom-outputs.md explains.</summary>
    private static readonly string[] ExplainedWarnings = ["Unrecognized defined term <99OSTEOML> for value 1 of attribute <Coding Scheme Designator>"];

    [TestMethod]
    [DataRow("seg")]
    [DataRow("sr")]
    [DataRow("qa")]
    public void Dciodvfy_finds_no_errors(string kind)
    {
        var run = ExternalTool.Run("dciodvfy", [ObjectFile(kind)]);
        var text = run.StdErr + run.StdOut;
        var lines = text.Split('\n');
        Assert.IsEmpty(lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList(), $"{kind}:\n{text}");
        // Each warning left is explained in docs/dicom-outputs.md; a new one fails here until it is.
        var unexplained = lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) && !ExplainedWarnings.Any(w => l.Contains(w, StringComparison.Ordinal))).ToList();
        Assert.IsEmpty(unexplained, $"{kind}:\n{text}");
    }

    [TestMethod]
    public void Dsrdump_reads_the_report_tree_with_its_measurements_and_provenance()
    {
        var run = ExternalTool.Run("dsrdump", ["+Pt", "+Pl", "+Pc", ObjectFile("sr")]).EnsureSuccess("dsrdump");
        var text = run.StdOut;
        Assert.DoesNotContain("Warning", run.StdErr, run.StdErr);
        foreach (var expected in new[]
                 {
                     "Comprehensive SR", "Imaging Measurement Report", "TID 1500 (DCMR)", "126000,DCM", "66794005,SCT,\"L1 vertebra\"", "121191,DCM,\"Referenced Segment\"", "L1 vertebra", "L2 vertebra", "Referenced Segment",
                     "Attenuation Coefficient", "182.5", "181", "212.5", "mg/cm3", "97.25", "Osteopenia (80-120 mg/cm3)", "0.75",
                     "CONTRAST_SUSPECTED", "synthct|test-hospital: Linear, k = 7", new string('a', 64), "9.8.7", "qct-screening-test",
                 })
            StringAssert.Contains(text, expected);
    }

    [TestMethod]
    public void Pydicom_reads_the_SEG_back_into_the_same_masks_on_the_CT_slices()
    {
        // pydicom maps each frame to the CT slice by its Plane Position and checks the Derivation Image Sequence names that
        // slice; the masks come back as sorted voxel lists per segment label.
        const string script = """
            import sys, json, glob, numpy as np, pydicom
            seg = pydicom.dcmread(sys.argv[1])
            cts = [pydicom.dcmread(f) for f in glob.glob(sys.argv[2] + '/*.dcm')]
            cts.sort(key=lambda d: float(d.ImagePositionPatient[2]))
            z = [float(d.ImagePositionPatient[2]) for d in cts]
            labels = {int(s.SegmentNumber): str(s.SegmentLabel) for s in seg.SegmentSequence}
            pixels = seg.pixel_array.reshape(int(seg.NumberOfFrames), seg.Rows, seg.Columns)
            out = {}
            for f, group in enumerate(seg.PerFrameFunctionalGroupsSequence):
                number = int(group.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
                pos = [float(v) for v in group.PlanePositionSequence[0].ImagePositionPatient]
                k = min(range(len(z)), key=lambda i: abs(z[i] - pos[2]))
                assert abs(z[k] - pos[2]) < 1e-3, (pos, z[k])
                src = group.DerivationImageSequence[0].SourceImageSequence[0]
                assert src.ReferencedSOPInstanceUID == cts[k].SOPInstanceUID, 'frame %d points at another slice' % f
                assert src.ReferencedSOPClassUID == cts[k].SOPClassUID
                js, is_ = np.nonzero(pixels[f])
                out.setdefault(labels[number], []).extend([[int(i), int(j), k] for i, j in zip(is_, js)])
            print(json.dumps({l: sorted(v) for l, v in out.items()}))
            """;
        var run = ExternalTool.Python(script, ObjectFile("seg"), _data.SeriesFolder).EnsureSuccess("pydicom");
        var read = JsonSerializer.Deserialize<Dictionary<string, int[][]>>(run.StdOut)!;
        var expected = _data.ExpectedMasks(Options);
        CollectionAssert.AreEquivalent(expected.Keys.ToList(), read.Keys.ToList());
        foreach (var (label, voxels) in expected)
        {
            var got = read[label].Select(v => (v[0], v[1], v[2])).ToHashSet();
            Assert.IsTrue(voxels.SetEquals(got), $"{label}: {voxels.Count} voxels expected, pydicom read {got.Count} ({voxels.Except(got).Count()} missing, {got.Except(voxels).Count()} extra)");
        }
        Assert.IsGreaterThan(expected["L1 trabecular ROI"].Count, expected["L1 vertebra"].Count, "the ROI is the mask less its rim");
    }

    [TestMethod]
    public void Our_reader_reads_the_SEG_back_into_the_same_masks()
    {
        var segments = SegmentationReader.Read(DicomFile.Open(ObjectFile("seg")).Dataset, _data.Volume.Hu.Geometry);
        var expected = _data.ExpectedMasks(Options);
        Assert.HasCount(expected.Count, segments);
        var nx = _data.Volume.Hu.Geometry.Size.X;
        foreach (var segment in segments)
        {
            var got = segment.Planes.SelectMany(p => p.Value.Select((v, n) => (v, n)).Where(x => x.v != 0).Select(x => (x.n % nx, x.n / nx, p.Key))).ToHashSet();
            Assert.IsTrue(expected[segment.Segment.Label].SetEquals(got), segment.Segment.Label);
            Assert.AreEqual("123037004", segment.Segment.Category.Value);
        }
        Assert.AreEqual("66794005", segments.Single(s => s.Segment.Label == "L1 vertebra").Segment.Type.Value);
        Assert.AreEqual("TRAB-ROI", segments.Single(s => s.Segment.Label == "L1 trabecular ROI").Segment.TypeModifier!.Value);
    }

    [TestMethod]
    public void The_QA_capture_holds_the_PNG_pixels_as_PIL_decodes_them()
    {
        const string script = """
            import sys, hashlib, numpy as np, pydicom
            from PIL import Image
            sc = pydicom.dcmread(sys.argv[1])
            png = np.asarray(Image.open(sys.argv[2]).convert('RGB'))
            assert sc.PhotometricInterpretation == 'RGB' and sc.SamplesPerPixel == 3
            assert sc.pixel_array.shape == png.shape, (sc.pixel_array.shape, png.shape)
            print(int(np.count_nonzero(sc.pixel_array != png)))
            """;
        var run = ExternalTool.Python(script, ObjectFile("qa"), Path.Combine(_data.Root, "qa.png")).EnsureSuccess("pydicom + PIL");
        Assert.AreEqual("0", run.StdOut.Trim());
    }

    [TestMethod]
    public void The_objects_file_into_the_source_study_each_in_a_new_series()
    {
        var source = DicomFile.Open(_data.Stack.Slices[0].File).Dataset;
        var series = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kind in new[] { "seg", "sr", "qa" })
        {
            var ds = DicomFile.Open(ObjectFile(kind)).Dataset;
            foreach (var tag in new[] { DicomTag.PatientName, DicomTag.PatientID, DicomTag.PatientSex, DicomTag.StudyInstanceUID, DicomTag.StudyDate, DicomTag.StudyTime, DicomTag.StudyID, DicomTag.AccessionNumber })
                Assert.AreEqual(source.GetStringOrDefault(tag), ds.GetStringOrDefault(tag), $"{kind} {tag.Keyword}");
            Assert.AreNotEqual(_data.Stack.SeriesInstanceUid, ds.GetString(DicomTag.SeriesInstanceUID));
            Assert.IsTrue(series.Add(ds.GetString(DicomTag.SeriesInstanceUID)), $"{kind}: its own series");
            Assert.IsTrue(DicomUID.IsValid(ds.GetString(DicomTag.SOPInstanceUID)));
        }
        Assert.AreEqual(_data.Stack.StudyInstanceUid, Path.GetFileName(Path.GetDirectoryName(ObjectFile("sr"))), "one folder per study");
    }

    [TestMethod]
    public void A_rerun_with_the_same_bundle_gives_the_same_UIDs_and_another_bundle_new_ones()
    {
        string[] Uids(IReadOnlyList<string> files) => [.. files.Select(f => DicomFile.Open(f).Dataset).SelectMany(d => new[] { d.GetString(DicomTag.SeriesInstanceUID), d.GetString(DicomTag.SOPInstanceUID) })];
        var first = Uids(_files);
        var again = new DicomResultWriter(Path.Combine(TestPaths.NewTempDirectory(), "out"), _data.Provenance, Options).Write(_data.Stack, _data.Segmentation, _data.Result, null);
        var other = new DicomResultWriter(Path.Combine(TestPaths.NewTempDirectory(), "out"), _data.Provenance with { BundleSha256 = new string('c', 64) }, Options)
            .Write(_data.Stack, _data.Segmentation, _data.Result, null);
        CollectionAssert.AreEqual(first[..4], Uids(again), "SEG and SR: the same series and instance UIDs on a rerun");
        Assert.IsFalse(Uids(other).Intersect(first).Any(), "another bundle's objects are new instances");
    }

    [TestMethod]
    public void The_report_references_the_SEG_segments_and_the_source_slices_they_cover()
    {
        var sr = DicomFile.Open(ObjectFile("sr")).Dataset;
        var seg = DicomFile.Open(ObjectFile("seg")).Dataset;
        var evidence = sr.GetSequence(DicomTag.CurrentRequestedProcedureEvidenceSequence).Items.Single();
        Assert.AreEqual(_data.Stack.StudyInstanceUid, evidence.GetString(DicomTag.StudyInstanceUID));
        var referenced = evidence.GetSequence(DicomTag.ReferencedSeriesSequence).Items
            .SelectMany(s => s.GetSequence(DicomTag.ReferencedSOPSequence).Items.Select(i => i.GetString(DicomTag.ReferencedSOPInstanceUID))).ToHashSet();
        Assert.Contains(seg.GetString(DicomTag.SOPInstanceUID), referenced);
        var covered = DicomOutputTestData.Bodies.SelectMany(b => Enumerable.Range(b.KLo, b.KHi - b.KLo + 1)).Select(k => _data.Stack.Slices[k].SopInstanceUid!).ToHashSet();
        Assert.IsTrue(covered.IsSubsetOf(referenced), "every CT slice a segment lies on is in the evidence");
        Assert.AreEqual(covered.Count + 1, referenced.Count);
    }

    [TestMethod]
    public void No_patient_identity_leaves_the_DICOM_objects()
    {
        var json = _data.Result.ToJson();
        Assert.DoesNotContain(DicomOutputTestData.PatientId, json);
        Assert.DoesNotContain("Testperson", json);
        Assert.AreEqual(new string('a', 64), JsonDocument.Parse(json).RootElement.GetProperty("bundleSha256").GetString());
        Assert.AreEqual(ResultProvenance.ResultSchemaVersion, JsonDocument.Parse(json).RootElement.GetProperty("resultSchemaVersion").GetInt32());
        Assert.AreEqual("9.8.7", JsonDocument.Parse(json).RootElement.GetProperty("osteomlVersion").GetString());
        // The QA picture prints no identity either (BurnedInAnnotation NO is a promise).
        Assert.AreEqual("NO", DicomFile.Open(ObjectFile("qa")).Dataset.GetString(DicomTag.BurnedInAnnotation));
    }
}
