using System.Runtime.InteropServices;
using OsteoML.Dicom;
using OsteoML.Dicom.IO;
using OsteoML.Dicom.Series;
using OsteoML.Imaging;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>
/// Enhanced CT: rescale, position and orientation per frame from the functional groups; multi-frame
/// encapsulation with offset tables (basic, empty, extended). Expected values are computed by hand here.
/// </summary>
[TestClass]
public sealed class EnhancedMultiFrameTests
{
    private const int Rows = 40, Columns = 48, Frames = 4; // RLE frames over 1 KB, so fragments split them
    // Frames are stored out of z order: frame f lies at z = Z[f].
    private static readonly double[] Z = [20, 10, 30, 0];
    private static readonly double[] Intercepts = [-1024, -1000, -1024, -990];
    private static readonly double[] Slopes = [1, 2, 1, 0.5];

    private static short Stored(int frame, int i) => (short)(frame * 100 + i * 3 - 40);

    private static DicomDataset EnhancedCt()
    {
        var ds = new DicomDataset();
        ds.Add(DicomTag.ImageType, "ORIGINAL", "PRIMARY", "AXIAL", "NONE");
        ds.Add(DicomTag.SOPClassUID, DicomUID.EnhancedCTImageStorage);
        ds.Add(DicomTag.SOPInstanceUID, DicomUID.Generate());
        ds.Add(DicomTag.Modality, "CT");
        ds.Add(DicomTag.Manufacturer, "SynthCo");
        ds.Add(DicomTag.StudyInstanceUID, "1.2.826.0.1.3680043.99.1");
        ds.Add(DicomTag.SeriesInstanceUID, "1.2.826.0.1.3680043.99.2");
        ds.Add(DicomTag.SamplesPerPixel, (ushort)1);
        ds.Add(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        ds.Add(DicomTag.NumberOfFrames, Frames);
        ds.Add(DicomTag.Rows, (ushort)Rows);
        ds.Add(DicomTag.Columns, (ushort)Columns);
        ds.Add(DicomTag.BitsAllocated, (ushort)16);
        ds.Add(DicomTag.BitsStored, (ushort)16);
        ds.Add(DicomTag.HighBit, (ushort)15);
        ds.Add(DicomTag.PixelRepresentation, (ushort)1);
        ds.Add(DicomTag.SharedFunctionalGroupsSequence, new DicomDataset()
            .Add(DicomTag.PixelMeasuresSequence, new DicomDataset().Add(DicomTag.PixelSpacing, 0.8, 0.6).Add(DicomTag.SliceThickness, 10.0))
            .Add(DicomTag.PlaneOrientationSequence, new DicomDataset().Add(DicomTag.ImageOrientationPatient, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0))
            .Add(DicomTag.CTReconstructionSequence, new DicomDataset().Add(DicomTag.ConvolutionKernel, "B30f")));
        ds.Add(DicomTag.PerFrameFunctionalGroupsSequence, Enumerable.Range(0, Frames).Select(f => new DicomDataset()
            .Add(DicomTag.PlanePositionSequence, new DicomDataset().Add(DicomTag.ImagePositionPatient, -10.0, -20.0, Z[f]))
            .Add(DicomTag.PixelValueTransformationSequence, new DicomDataset()
                .Add(DicomTag.RescaleIntercept, Intercepts[f]).Add(DicomTag.RescaleSlope, Slopes[f]).Add(DicomTag.RescaleType, "HU"))).ToArray());
        var pixels = new short[Frames * Rows * Columns];
        for (var f = 0; f < Frames; f++)
            for (var i = 0; i < Rows * Columns; i++)
                pixels[f * Rows * Columns + i] = Stored(f, i);
        ds.Add(new DicomElement(DicomTag.PixelData, DicomVR.OW, MemoryMarshal.AsBytes(pixels.AsSpan()).ToArray()));
        return ds;
    }

    [TestMethod]
    public void Rescale_comes_from_each_frames_functional_group()
    {
        var pixels = DicomPixelData.Create(EnhancedCt());
        var hu = new float[Rows * Columns];
        for (var f = 0; f < Frames; f++)
        {
            Assert.AreEqual((Slopes[f], Intercepts[f]), pixels.GetRescale(f));
            pixels.ReadRescaledFrame(f, hu);
            for (var i = 0; i < hu.Length; i++)
                Assert.AreEqual((float)(Stored(f, i) * Slopes[f] + Intercepts[f]), hu[i]);
        }
    }

    [TestMethod]
    public void Enhanced_ct_file_becomes_a_volume_sorted_by_plane_position()
    {
        var dir = TestPaths.NewTempDirectory();
        new DicomFile(EnhancedCt()).Save(Path.Combine(dir, "enhanced.dcm"));
        var ct = DicomSeriesScanner.Scan(dir).Stacks.Single().LoadVolume();
        Assert.AreEqual(new Size3(Columns, Rows, Frames), ct.Hu.Size);
        Assert.AreEqual(new Vec3(0.6, 0.8, 10), ct.Hu.Geometry.Spacing);
        Assert.AreEqual(new Vec3(-10, -20, 0), ct.Hu.Geometry.Origin);
        Assert.AreEqual("B30f", ct.Acquisition.ConvolutionKernel);
        Assert.AreEqual(10.0, ct.Acquisition.SliceThickness);
        for (var z = 0; z < Frames; z++)
        {
            var f = Array.IndexOf(Z, z * 10.0);
            for (var i = 0; i < Rows * Columns; i++)
                Assert.AreEqual((float)(Stored(f, i) * Slopes[f] + Intercepts[f]), ct.Hu.Slice(z)[i]);
        }
    }

    [TestMethod]
    public void Multi_frame_encapsulation_with_basic_empty_and_extended_offset_tables()
    {
        var dir = TestPaths.NewTempDirectory();
        var native = Path.Combine(dir, "native.dcm");
        new DicomFile(EnhancedCt()).Save(native);
        var expected = Enumerable.Range(0, Frames).Select(f => Enumerable.Range(0, Rows * Columns).Select(i => (long)Stored(f, i)).ToArray()).ToArray();

        void Check(string path, string what)
        {
            var pixels = DicomPixelData.Create(DicomFile.Open(path).Dataset);
            for (var f = 0; f < Frames; f++)
                CollectionAssert.AreEqual(expected[f], pixels.GetStoredValues(f), $"{what}, frame {f}");
        }

        // JPEG, one fragment per frame with offsets; then 64-byte fragments without offsets (split at SOI markers).
        ExternalTool.Run("dcmcjpeg", ["+e1", native, Path.Combine(dir, "jpeg.dcm")]).EnsureSuccess("dcmcjpeg");
        Check(Path.Combine(dir, "jpeg.dcm"), "JPEG with basic offset table");
        ExternalTool.Run("dcmcjpeg", ["+e1", "+fs", "1", "-ot", native, Path.Combine(dir, "jpeg-frag.dcm")]).EnsureSuccess("dcmcjpeg +fs 1 -ot");
        Check(Path.Combine(dir, "jpeg-frag.dcm"), "JPEG in 1 KB fragments, empty offset table");

        // RLE in small fragments: the basic offset table is needed (RLE frames have no start marker) …
        ExternalTool.Run("dcmcrle", ["+fs", "1", native, Path.Combine(dir, "rle-bot.dcm")]).EnsureSuccess("dcmcrle +fs 1");
        Check(Path.Combine(dir, "rle-bot.dcm"), "RLE fragments with basic offset table");
        ExternalTool.Run("dcmcrle", ["+fs", "1", "-ot", native, Path.Combine(dir, "rle-empty.dcm")]).EnsureSuccess("dcmcrle +fs 1 -ot");
        var bot = DicomFile.Open(Path.Combine(dir, "rle-bot.dcm")).Dataset.Find(DicomTag.PixelData) as DicomFragmentSequence;
        var empty = DicomFile.Open(Path.Combine(dir, "rle-empty.dcm"));
        var fragments = (DicomFragmentSequence)empty.Dataset.Find(DicomTag.PixelData)!;
        Assert.IsGreaterThan(Frames, fragments.Fragments.Count);
        var error = Assert.ThrowsExactly<DicomDataException>(() => DicomPixelData.Create(empty.Dataset).GetFrame(0));
        StringAssert.Contains(error.Message, "without a usable offset table cannot be split");

        // … or the Extended Offset Table (7FE0,0001), with the basic one left empty (PS3.5 §A.4).
        empty.Dataset.AddOrUpdate(DicomTag.ExtendedOffsetTable, DicomVR.OV, bot!.OffsetTable.Select(o => (ulong)o).ToArray());
        var lengths = new ulong[Frames];
        for (var f = 0; f < Frames; f++)
        {
            var end = f + 1 < Frames ? bot.OffsetTable[f + 1] : (ulong)fragments.Fragments.Sum(x => 8 + x.Size);
            lengths[f] = end - bot.OffsetTable[f];
        }
        empty.Dataset.AddOrUpdate(DicomTag.ExtendedOffsetTableLengths, DicomVR.OV, lengths);
        var eot = Path.Combine(dir, "rle-eot.dcm");
        empty.Save(eot);
        Assert.AreEqual("", ExternalTool.Run("dcmdump", ["-dc", eot]).EnsureSuccess("dcmdump").StdErr.Trim());
        Check(eot, "RLE fragments with extended offset table");
    }

    /// <summary>
    /// A classic CT series (our writer, read back by our scanner) rewritten as one Enhanced CT object by
    /// <see cref="EnhancedCtWriter"/>: dciodvfy (dicom3tools) finds no error and no warning against the Enhanced CT IOD, and the
    /// object loads to the same HU volume, geometry included, as the classic series.
    /// </summary>
    [TestMethod]
    public void Enhanced_ct_written_from_a_classic_series_passes_dciodvfy_and_loads_to_the_same_volume()
    {
        var classicDir = TestPaths.NewTempDirectory("classic");
        CtSeriesWriter.Write(DicomTestData.ObliqueVolume(), classicDir);
        var classic = CtVolume.Load(classicDir);

        var enhancedDir = TestPaths.NewTempDirectory("enhanced");
        var path = Path.Combine(enhancedDir, "enhanced.dcm");
        EnhancedCtWriter.Write(classic.Hu, path, new CtSeriesDescription { StudyInstanceUid = classic.StudyInstanceUid, PatientName = "Anonymous^" });
        var check = ExternalTool.Run("dciodvfy", [path]);
        var report = check.StdOut + check.StdErr;
        var findings = report.Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Warning", StringComparison.Ordinal)).ToList();
        Assert.IsEmpty(findings, report); // neither errors nor warnings
        StringAssert.Contains(report, "EnhancedCTImage", "dciodvfy checked it as Enhanced CT");

        var scan = DicomSeriesScanner.Scan(enhancedDir);
        var stack = scan.Accepted.Single();
        Assert.HasCount(classic.Hu.Geometry.Size.Z, stack.Slices);
        var enhanced = stack.LoadVolume();
        Assert.AreEqual(classic.Hu.Geometry.Size, enhanced.Hu.Geometry.Size);
        Assert.AreEqual(classic.Hu.Geometry.Spacing.X, enhanced.Hu.Geometry.Spacing.X, 1e-9);
        Assert.AreEqual(classic.Hu.Geometry.Spacing.Z, enhanced.Hu.Geometry.Spacing.Z, 1e-6);
        Assert.AreEqual(0, (classic.Hu.Geometry.Origin - enhanced.Hu.Geometry.Origin).Length, 1e-6);
        Assert.AreEqual(1, classic.Hu.Geometry.Direction.K.Dot(enhanced.Hu.Geometry.Direction.K), 1e-9);
        CollectionAssert.AreEqual(classic.Hu.Voxels, enhanced.Hu.Voxels);
    }

    /// <summary>Frames of two Stack IDs in one Enhanced object are two stacks, even with the same orientation.</summary>
    [TestMethod]
    public void Frames_of_different_stack_ids_become_separate_stacks()
    {
        var ds = EnhancedCt();
        var perFrame = (DicomSequence)ds.Find(DicomTag.PerFrameFunctionalGroupsSequence)!;
        for (var f = 0; f < Frames; f++)
            perFrame.Items[f].Add(DicomTag.FrameContentSequence, new DicomDataset().Add(DicomTag.StackID, f < 2 ? "1" : "2")
                .Add(DicomTag.InStackPositionNumber, (uint)(f % 2 + 1)));
        var stacks = DicomStack.Assemble(DicomSlice.From("enhanced", ds).ToList()).ToList();
        Assert.HasCount(2, stacks);
        Assert.IsTrue(stacks.All(s => s.Slices.Count == 2));
        CollectionAssert.AreEquivalent(new[] { "1", "2" }, stacks.Select(s => s.Slices[0].StackId).ToArray());
    }
}
