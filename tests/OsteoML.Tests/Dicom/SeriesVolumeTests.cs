using System.Text.Json;
using OsteoML.Dicom;
using OsteoML.Dicom.Series;
using OsteoML.Imaging;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>Series → stacks → HU volume, on the reference series and on series written by our writer and read by pydicom.</summary>
[TestClass]
public sealed class SeriesVolumeTests
{
    private static Dictionary<string, JsonElement> Expected() =>
        File.ReadLines(TestPaths.Data("reference-dicom", "expected.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("file").GetString()!);

    [TestMethod]
    public void Slices_are_ordered_by_position_along_the_normal_not_by_file_name()
    {
        var folder = TestPaths.Data("reference-dicom", "files", "series", "ct5n");
        var scan = DicomSeriesScanner.Scan(folder);
        var stack = scan.Stacks.Single();
        Assert.IsNull(stack.RejectionReason);
        Assert.AreEqual(5, stack.Slices.Count);

        // The reference positions (pydicom's reading of each file): axial, so the normal is +z.
        var expected = Expected();
        var byZ = Directory.GetFiles(folder).OrderBy(f => expected["files/series/ct5n/" + Path.GetFileName(f)].GetProperty("imagePositionPatient")[2].GetDouble()).ToArray();
        CollectionAssert.AreEqual(byZ.Select(Path.GetFileName).ToArray(), stack.Slices.Select(s => Path.GetFileName(s.File)).ToArray());
        CollectionAssert.AreNotEqual(Directory.GetFiles(folder).Order().Select(Path.GetFileName).ToArray(), stack.Slices.Select(s => Path.GetFileName(s.File)).ToArray(),
            "the corpus's file-name order runs opposite to z; this test needs that");

        var ct = stack.LoadVolume();
        Assert.AreEqual(new Size3(16, 16, 5), ct.Hu.Size);
        var first = expected["files/series/ct5n/" + Path.GetFileName(byZ[0])].GetProperty("imagePositionPatient");
        Assert.AreEqual(new Vec3(first[0].GetDouble(), first[1].GetDouble(), first[2].GetDouble()), ct.Hu.Geometry.Origin);
        var last = expected["files/series/ct5n/" + Path.GetFileName(byZ[^1])].GetProperty("imagePositionPatient")[2].GetDouble();
        Assert.AreEqual((last - first[2].GetDouble()) / 4, ct.Hu.Geometry.Spacing.Z, 1e-9);
        // Each slice of the volume sums to the rescaled sum the reference decoders give for its file.
        for (var z = 0; z < 5; z++)
        {
            var want = expected["files/series/ct5n/" + Path.GetFileName(byZ[z])].GetProperty("rescaled").GetProperty("sum").GetDouble();
            var got = 0.0;
            foreach (var v in ct.Hu.Slice(z))
                got += v;
            Assert.AreEqual(want, got, 1e-6);
        }
    }

    [TestMethod]
    public void Dicomdir_and_other_files_are_skipped_not_failed()
    {
        var dir = TestPaths.NewTempDirectory();
        var sub = Directory.CreateDirectory(Path.Combine(dir, "SUB")).FullName;
        foreach (var file in Directory.GetFiles(TestPaths.Data("reference-dicom", "files", "series", "ct5n")))
            File.Copy(file, Path.Combine(sub, "IM" + Path.GetFileNameWithoutExtension(file)));
        ExternalTool.Run("dcmmkdir", ["+r", "-Pgp", "+I", "SUB"], workingDirectory: dir).EnsureSuccess("dcmmkdir");
        Assert.IsTrue(File.Exists(Path.Combine(dir, "DICOMDIR")));
        File.Copy(Path.Combine(dir, "DICOMDIR"), Path.Combine(dir, "index.dcm")); // known by its SOP class, not its name
        File.WriteAllBytes(Path.Combine(dir, "notes.bin"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

        var scan = DicomSeriesScanner.Scan(dir);
        Assert.AreEqual(8, scan.FilesScanned);
        Assert.AreEqual(3, scan.NonImageFiles);
        Assert.AreEqual(0, scan.FailedFiles.Count, string.Join("; ", scan.FailedFiles));
        Assert.AreEqual(5, scan.Stacks.Single().Slices.Count);
    }

    [TestMethod]
    public void A_stack_with_a_gap_is_rejected_and_its_uneven_spacing_reported()
    {
        var stack = DicomSeriesScanner.Scan(TestPaths.Data("reference-dicom", "files", "series", "ct2-gap")).Stacks.Single();
        StringAssert.StartsWith(stack.RejectionReason, "slice positions do not form a regular grid: gap of 202.5 mm between slices 0 and 1");
        Assert.IsNull(stack.Geometry);
        Assert.IsTrue(stack.Warnings.Any(w => w.StartsWith("uneven slice spacing", StringComparison.Ordinal)), string.Join("; ", stack.Warnings));
    }

    [TestMethod]
    public void Mixed_orientations_become_separate_stacks()
    {
        var scan = DicomSeriesScanner.Scan(TestPaths.Data("reference-dicom", "files", "series", "ct2n-mixed-orientation"));
        Assert.AreEqual(2, scan.Stacks.Count);
        Assert.IsTrue(scan.Stacks.All(s => s.Slices.Count == 1 && s.Warnings.Any(w => w.Contains("orientations", StringComparison.Ordinal))));
        Assert.AreNotEqual(scan.Stacks[0].Geometry!.Direction, scan.Stacks[1].Geometry!.Direction);
    }

    [TestMethod]
    public void Written_series_loads_back_with_its_geometry_and_values_and_pydicom_agrees()
    {
        var dir = TestPaths.NewTempDirectory();
        var volume = DicomTestData.ObliqueVolume();
        var description = new CtSeriesDescription
        {
            Acquisition = new CtAcquisition
            {
                Manufacturer = "SynthCo", ManufacturerModelName = "Phantom 64", InstitutionName = "Site A", StationName = "CT1",
                DeviceSerialNumber = "SN-42", KVP = 120, ConvolutionKernel = "B30f", SliceThickness = 2.5, ContrastBolusAgent = "None",
                BodyPartExamined = "ABDOMEN", PatientAge = "063Y", PatientSex = "F",
            },
        };
        CtSeriesWriter.Write(volume, dir, description);
        File.WriteAllText(Path.Combine(dir, "README.txt"), "not DICOM");

        var scan = DicomSeriesScanner.Scan(dir);
        Assert.AreEqual(1, scan.NonImageFiles);
        Assert.AreEqual(0, scan.FailedFiles.Count);
        var ct = scan.Stacks.Single().LoadVolume();
        Assert.AreEqual(0, ct.Warnings.Count, string.Join("; ", ct.Warnings));
        Assert.AreEqual(description.Acquisition with { ImageType = ct.Acquisition.ImageType }, ct.Acquisition);
        CollectionAssert.AreEqual(new[] { "ORIGINAL", "PRIMARY", "AXIAL" }, ct.Acquisition.ImageType.ToArray());

        // Written feet first, read back head first: the same voxels at the same patient positions.
        var size = volume.Size;
        Assert.AreEqual(size, ct.Hu.Size);
        for (var z = 0; z < size.Z; z++)
        {
            var back = size.Z - 1 - z;
            var p = volume.Geometry.IndexToWorld(3, 5, z);
            var q = ct.Hu.Geometry.IndexToWorld(3, 5, back);
            Assert.AreEqual(0, (p - q).Length, 1e-4);
            CollectionAssert.AreEqual(volume.Slice(z).ToArray(), ct.Hu.Slice(back).ToArray());
        }
        Assert.AreEqual(2.5, ct.Hu.Geometry.Spacing.Z, 1e-6);

        // pydicom + numpy, sorting by position along the normal, gives the same volume.
        var script = """
            import sys, glob, numpy as np, pydicom
            ds = [pydicom.dcmread(f) for f in glob.glob(sys.argv[1] + '/*.dcm')]
            n = np.cross(np.array(ds[0].ImageOrientationPatient[:3], float), np.array(ds[0].ImageOrientationPatient[3:], float))
            ds.sort(key=lambda d: float(np.dot(n, np.array(d.ImagePositionPatient, float))))
            v = np.stack([d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in ds]).astype(np.float32)
            print(v.shape[0], v.shape[1], v.shape[2], float(v.sum()), float(v[3, 5, 7]), float(v[-1, -1, -1]))
            """;
        var fields = ExternalTool.Python(script, dir).EnsureSuccess("pydicom").StdOut.Split(' ', StringSplitOptions.TrimEntries);
        Assert.AreEqual(size.Z, int.Parse(fields[0]));
        Assert.AreEqual(size.Y, int.Parse(fields[1]));
        Assert.AreEqual(size.X, int.Parse(fields[2]));
        Assert.AreEqual(ct.Hu.Voxels.Sum(v => (double)v), double.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture), 1e-3);
        Assert.AreEqual(ct.Hu[7, 5, 3], float.Parse(fields[4], System.Globalization.CultureInfo.InvariantCulture));
        Assert.AreEqual(ct.Hu[size.X - 1, size.Y - 1, size.Z - 1], float.Parse(fields[5], System.Globalization.CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public void Duplicates_gaps_tilt_and_size_changes_are_reported()
    {
        var dir = TestPaths.NewTempDirectory();
        var volume = DicomTestData.ObliqueVolume(z: 6);
        var files = CtSeriesWriter.Write(volume, dir, new CtSeriesDescription { SeriesInstanceUid = "1.2.3.4.5" });
        // A duplicate of slice 2 and a removed slice 4 (a gap).
        var copy = DicomFile.Open(files[2]);
        copy.Dataset.AddOrUpdate(DicomTag.SOPInstanceUID, DicomUID.Generate());
        copy.Dataset.AddOrUpdate(DicomTag.InstanceNumber, 99);
        copy.Save(Path.Combine(dir, "dup.dcm"));
        File.Delete(files[4]);
        var stack = DicomSeriesScanner.Scan(dir).Stacks.Single();
        Assert.AreEqual(5, stack.Slices.Count);
        Assert.IsTrue(stack.Warnings.Any(w => w.StartsWith("1 duplicate slice position", StringComparison.Ordinal)), string.Join("; ", stack.Warnings));
        Assert.AreEqual("slice positions do not form a regular grid: gap of 5 mm between slices 0 and 1 (median step 2.5 mm)", stack.RejectionReason); // written feet first: slice 4 is the second lowest

        // Gantry tilt: positions shifted along y in proportion to z, orientation unchanged.
        var tiltDir = TestPaths.NewTempDirectory();
        var tilted = volume.WithGeometry(volume.Geometry with
        {
            Direction = volume.Geometry.Direction with { K = (volume.Geometry.Direction.K + volume.Geometry.Direction.J * 0.2).Normalized() },
        });
        CtSeriesWriter.Write(tilted, tiltDir);
        var tiltStack = DicomSeriesScanner.Scan(tiltDir).Stacks.Single();
        var tiltWarning = tiltStack.Warnings.Single(w => w.StartsWith("gantry tilt", StringComparison.Ordinal));
        StringAssert.Contains(tiltWarning, (Math.Atan(0.2) * 180 / Math.PI).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
        Assert.AreEqual(0, (tiltStack.Geometry!.Direction.K - (-tilted.Geometry.Direction.K)).Length, 1e-5);

        // A slice of another size in the same series: the stack is rejected with the reason.
        var sizeDir = TestPaths.NewTempDirectory();
        CtSeriesWriter.Write(volume, sizeDir, new CtSeriesDescription { SeriesInstanceUid = "1.2.3.4.6", StudyInstanceUid = "1.2.3" });
        var small = new Volume<float>(volume.Geometry with { Size = new Size3(10, 10, 1), Origin = volume.Geometry.IndexToWorld(0, 0, 7) });
        CtSeriesWriter.Write(small, Path.Combine(sizeDir, "small"), new CtSeriesDescription { SeriesInstanceUid = "1.2.3.4.6", StudyInstanceUid = "1.2.3" });
        var rejected = DicomSeriesScanner.Scan(sizeDir).Stacks.Single();
        StringAssert.StartsWith(rejected.RejectionReason, "inconsistent rows/columns");
        Assert.ThrowsExactly<InvalidOperationException>(() => rejected.LoadVolume());

        // Degenerate geometry (zero cosines, zero spacing) is rejected, never turned into NaN coordinates.
        var badDir = TestPaths.NewTempDirectory();
        var badFiles = CtSeriesWriter.Write(DicomTestData.ObliqueVolume(z: 3), badDir, new CtSeriesDescription { SeriesInstanceUid = "1.2.3.4.7" });
        var zero = DicomFile.Open(badFiles[0]);
        zero.Dataset.AddOrUpdate(DicomTag.ImageOrientationPatient, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0);
        zero.Save(badFiles[0]);
        foreach (var path in badFiles.Skip(1))
        {
            var flat = DicomFile.Open(path);
            flat.Dataset.AddOrUpdate(DicomTag.PixelSpacing, 0.0, 0.8);
            flat.Save(path);
        }
        var reasons = DicomSeriesScanner.Scan(badDir).Stacks.Select(s => s.RejectionReason).Order().ToArray();
        Assert.AreEqual(2, reasons.Length);
        StringAssert.StartsWith(reasons[0], "1 image(s) without a valid ImagePositionPatient/ImageOrientationPatient");
        Assert.AreEqual("PixelSpacing (0028,0030) must be positive", reasons[1]);
    }
}
