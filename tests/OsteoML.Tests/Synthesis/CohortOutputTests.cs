using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using OsteoML.Dicom;
using OsteoML.Dicom.Series;
using OsteoML.Imaging.Nifti;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Output;
using OsteoML.Synthesis.Rendering;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Synthesis;

/// <summary>The written cohort (preset ci, reduced size) read back by our reader, dcmtk, pydicom and nibabel.</summary>
[TestClass]
public sealed class CohortOutputTests
{
    private const ulong Seed = 5;
    private static string _dir = "";
    private static SyntheticCohort _cohort = null!;
    private static List<Dictionary<string, string>> _manifest = [];
    private static List<string> _header = [];

    [ClassInitialize]
    public static void WriteCohort(TestContext _)
    {
        _dir = TestPaths.NewTempDirectory("osteoml-synth");
        _cohort = SyntheticCohort.Create("ci", Seed);
        var result = CohortWriter.Write(_cohort, _dir, RenderOptions.Reduced);
        Assert.IsEmpty(result.Failures);
        (_header, _manifest) = ReadCsv(Path.Combine(_dir, "manifest.csv"));
    }

    [TestMethod]
    public void Manifest_has_the_contract_columns_first_and_one_row_per_case()
    {
        CollectionAssert.AreEqual(Manifest.RequiredColumns.ToList(), _header.Take(Manifest.RequiredColumns.Count).ToList());
        Assert.HasCount(_cohort.Cases.Count, _manifest);
        foreach (var split in Enum.GetValues<CohortSplit>())
            Assert.AreEqual(_cohort.Preset.Count(split), _manifest.Count(r => r["split"] == split.Name()));
        foreach (var row in _manifest)
        {
            var files = Directory.GetFiles(Path.Combine(_dir, row["series_dir"]), "*.dcm");
            Assert.HasCount(int.Parse(row["slices"], CultureInfo.InvariantCulture), files, row["case_id"]);
            Assert.IsTrue(File.Exists(Path.Combine(_dir, row["label_path"])), row["label_path"]);
            double l1 = D(row["bmd_l1"]), l2 = D(row["bmd_l2"]), qct = D(row["bmd_qct"]);
            Assert.AreEqual((l1 + l2) / 2, qct, 0.12 * qct, "QCT reference = L1–L2 mean ± measurement error");
            var expectedClass = qct > 120 ? "normal" : qct >= 80 ? "osteopenia" : "osteoporosis";
            Assert.AreEqual(expectedClass, row["class"]);
        }
        var legend = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(_dir, "labels.json")))!;
        Assert.AreEqual("L1_trabecular", legend["33"]);
        Assert.AreEqual("L1_cortical", legend["43"]);
        Assert.AreEqual("aorta", legend["12"]);
        Assert.AreEqual("subcutaneous_fat", legend["3"]);
    }

    [TestMethod]
    public void Our_reader_loads_each_series_as_the_in_memory_volume_with_its_geometry()
    {
        foreach (var row in _manifest.Take(6))
        {
            var index = int.Parse(row["case_id"]["case-".Length..], CultureInfo.InvariantCulture) - 1;
            var expected = _cohort.Render(index, RenderOptions.Reduced);
            var loaded = CtVolume.Load(Path.Combine(_dir, row["series_dir"]));
            var g = loaded.Hu.Geometry;
            var e = expected.Hu.Geometry;
            Assert.AreEqual(e.Size, g.Size, row["case_id"]);
            for (var axis = 0; axis < 3; axis++)
            {
                Assert.AreEqual(e.Spacing[axis], g.Spacing[axis], 1e-4, $"{row["case_id"]} spacing {axis}");
                Assert.AreEqual(e.Origin[axis], g.Origin[axis], 1e-3, $"{row["case_id"]} origin {axis}");
            }
            CollectionAssert.AreEqual(expected.Hu.Voxels, loaded.Hu.Voxels, row["case_id"]);
            Assert.AreEqual(row["manufacturer"], loaded.Acquisition.Manufacturer);
            Assert.AreEqual(D(row["kvp"]), loaded.Acquisition.KVP);
            Assert.AreEqual(row["sex"], loaded.Acquisition.PatientSex);
        }
    }

    [TestMethod]
    public void Dcmdump_reads_every_file_without_a_warning()
    {
        var files = Directory.GetFiles(Path.Combine(_dir, "cases"), "*.dcm", SearchOption.AllDirectories);
        Assert.IsGreaterThan(100, files.Length);
        var result = ExternalTool.Run("dcmdump", ["-ll", "warn", .. files]).EnsureSuccess("dcmdump");
        Assert.AreEqual("", result.StdErr.Trim(), "dcmdump reported problems");
    }

    [TestMethod]
    public void Pydicom_reads_the_series_to_the_same_HU_and_positions()
    {
        var script = """
            import sys, glob, hashlib, numpy as np, pydicom
            from pydicom import config
            # Every value must be valid for its VR (length, character repertoire): invalid ones raise.
            config.settings.reading_validation_mode = config.RAISE
            ds = [pydicom.dcmread(f) for f in glob.glob(sys.argv[1] + '/*.dcm')]
            for d in ds:
                for element in d.iterall():
                    element.value
            assert len({d.SeriesInstanceUID for d in ds}) == 1 and len({d.SOPInstanceUID for d in ds}) == len(ds)
            assert all(d.SOPClassUID == '1.2.840.10008.5.1.4.1.1.2' for d in ds)
            ds.sort(key=lambda d: float(d.ImagePositionPatient[2]))
            hu = np.stack([d.pixel_array.astype(np.float64) * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in ds])
            print(hashlib.sha256(hu.astype(np.int16).tobytes()).hexdigest())
            print(' '.join(repr(float(v)) for v in ds[0].ImagePositionPatient), repr(float(ds[0].PixelSpacing[0])), len(ds), ds[0].PatientAge, ds[0].Manufacturer)
            """;
        foreach (var row in _manifest.Take(6))
        {
            var index = int.Parse(row["case_id"]["case-".Length..], CultureInfo.InvariantCulture) - 1;
            var expected = _cohort.Render(index, RenderOptions.Reduced);
            var lines = ExternalTool.Python(script, Path.Combine(_dir, row["series_dir"])).EnsureSuccess("pydicom").StdOut.Split('\n');
            var int16 = expected.Hu.Voxels.Select(v => (short)v).ToArray();
            Assert.AreEqual(Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(int16.AsSpan()))).ToLowerInvariant(), lines[0], row["case_id"]);
            var fields = lines[1].Split(' ');
            var origin = expected.Hu.Geometry.Origin;
            Assert.AreEqual(origin.X, D(fields[0]), 1e-3);
            Assert.AreEqual(origin.Y, D(fields[1]), 1e-3);
            Assert.AreEqual(origin.Z, D(fields[2]), 1e-3);
            Assert.AreEqual(expected.Hu.Geometry.Spacing.X, D(fields[3]), 1e-4);
            Assert.AreEqual(expected.Hu.Size.Z, int.Parse(fields[4], CultureInfo.InvariantCulture));
            Assert.AreEqual($"{(int)D(row["age"]):D3}Y", fields[5]);
        }
    }

    [TestMethod]
    public void Nibabel_reads_each_label_map_on_the_series_grid()
    {
        var script = """
            import sys, hashlib, numpy as np, nibabel as nib
            img = nib.load(sys.argv[1])
            print(' '.join(repr(float(v)) for v in img.affine[:3].ravel()))
            print(hashlib.sha256(np.asarray(img.dataobj).tobytes(order='F')).hexdigest(), img.get_data_dtype().name)
            """;
        foreach (var row in _manifest.Take(6))
        {
            var index = int.Parse(row["case_id"]["case-".Length..], CultureInfo.InvariantCulture) - 1;
            var expected = _cohort.Render(index, RenderOptions.Reduced);
            var lines = ExternalTool.Python(script, Path.Combine(_dir, row["label_path"])).EnsureSuccess("nibabel").StdOut.Split('\n');
            var affine = lines[0].Split(' ').Select(D).ToArray();
            var g = expected.Labels.Geometry;
            // Axial LPS grid → RAS: x and y flip sign, z keeps it.
            double[] hand = [-g.Spacing.X, 0, 0, -g.Origin.X, 0, -g.Spacing.Y, 0, -g.Origin.Y, 0, 0, g.Spacing.Z, g.Origin.Z];
            for (var i = 0; i < 12; i++)
                Assert.AreEqual(hand[i], affine[i], 1e-3, $"{row["case_id"]} affine {i}");
            Assert.AreEqual(Convert.ToHexString(SHA256.HashData(expected.Labels.Voxels)).ToLowerInvariant() + " uint8", lines[1].Trim());
            // The DICOM series and the label map share the grid: the labels' lowest slice sits at the lowest IPP.
            var first = DicomFile.Open(Directory.GetFiles(Path.Combine(_dir, row["series_dir"]), "*.dcm").Max()!);
            Assert.AreEqual(g.Origin.Z, first.Dataset.GetValues<double>(DicomTag.ImagePositionPatient)[2], 1e-3);
        }
    }

    [TestMethod]
    public void The_same_seed_writes_byte_identical_files_and_another_seed_does_not()
    {
        var again = TestPaths.NewTempDirectory("osteoml-synth");
        CohortWriter.Write(SyntheticCohort.Create("ci", Seed), again, RenderOptions.Reduced);
        var ours = Directory.GetFiles(_dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_dir, f)).Order(StringComparer.Ordinal).ToList();
        var theirs = Directory.GetFiles(again, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(again, f)).Order(StringComparer.Ordinal).ToList();
        CollectionAssert.AreEqual(ours, theirs);
        foreach (var file in ours)
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(_dir, file)), File.ReadAllBytes(Path.Combine(again, file)), file);

        var other = SyntheticCohort.Create("ci", Seed + 1);
        Assert.AreNotEqual(_cohort.Cases[0].Identity.StudyInstanceUid, other.Cases[0].Identity.StudyInstanceUid);
        Assert.AreNotEqual(_cohort.Cases[0].Bone.QctBmd, other.Cases[0].Bone.QctBmd);
    }

    [TestMethod]
    public void An_RLE_series_decodes_to_the_same_HU_in_our_reader_and_dcmtk()
    {
        var dir = TestPaths.NewTempDirectory("osteoml-synth");
        var synthetic = _cohort.Render(1, RenderOptions.Reduced);
        var files = CaseDicomWriter.Write(synthetic, dir, DicomTransferSyntax.RLELossless);
        Assert.AreEqual(DicomTransferSyntax.RLELossless.UID, DicomFile.Open(files[0]).TransferSyntax.UID);
        CollectionAssert.AreEqual(synthetic.Hu.Voxels, CtVolume.Load(dir).Hu.Voxels);
        var decoded = Path.Combine(dir, "decoded.dcm");
        ExternalTool.Run("dcmdrle", [files[^1], decoded]).EnsureSuccess("dcmdrle");
        var plain = DicomFile.Open(decoded);
        var intercept = plain.Dataset.GetSingleValue<double>(DicomTag.RescaleIntercept);
        var pixels = MemoryMarshal.Cast<byte, short>(plain.Dataset.GetElement(DicomTag.PixelData).Buffer.Data.Span).ToArray();
        var slice = synthetic.Hu.Slice(0).ToArray();
        for (var i = 0; i < slice.Length; i++)
            Assert.AreEqual(slice[i], pixels[i] + intercept);
    }

    private static double D(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static (List<string> Header, List<Dictionary<string, string>> Rows) ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = SplitCsv(lines[0]);
        var rows = lines.Skip(1).Select(l => header.Zip(SplitCsv(l)).ToDictionary(p => p.First, p => p.Second)).ToList();
        return (header, rows);
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"')
                quoted = !quoted;
            else if (c == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
                field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }
}
