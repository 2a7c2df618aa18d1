using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using OsteoML.Dicom;
using OsteoML.Dicom.IO;
using OsteoML.Dicom.Series;
using OsteoML.Imaging;
using OsteoML.Tests.Dicom;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Hostile;

/// <summary>
/// Issue 22, the DICOM layer: constructed hostile inputs end in a refusal with the right reason — declared sizes
/// against the bytes present (classes 1 and 9), folder walks (class 2), deflate bombs (class 3) and physical sizes
/// (class 4). Behaviour only; their time and memory are measured by the benchmark (docs/performance.md).
/// </summary>
[TestClass]
public sealed class HostileDicomTests
{
    // ---- class 1: declared sizes against the bytes present ---------------------------------------------------------

    [TestMethod]
    [DataRow(int.MaxValue)]
    [DataRow(3)]
    public void A_file_declaring_more_frames_than_it_holds_is_a_failed_file_not_a_hang(int frames)
    {
        var folder = TestPaths.NewTempDirectory();
        var nested = Directory.CreateDirectory(Path.Combine(folder, "a", "b")).FullName;
        var ds = DicomTestData.RichDataset(64, 64); // one 8 KB frame present
        ds.Add(DicomTag.NumberOfFrames, frames);
        new DicomFile(ds).Save(Path.Combine(nested, "frames.dcm"));
        WriteGoodSlice(Path.Combine(folder, "good.dcm"));

        var scan = DicomSeriesScanner.Scan(folder);

        var failure = scan.FailedFiles.Single();
        StringAssert.EndsWith(failure.File, "frames.dcm");
        StringAssert.Contains(failure.Reason, $"NumberOfFrames {frames}");
        StringAssert.Contains(failure.Reason, "PixelData (7FE0,0010) holds 8192");
        Assert.AreEqual(1, scan.Stacks.Sum(s => s.Slices.Count), "the good file still scans");
    }

    [TestMethod]
    public void Encapsulated_pixel_data_cannot_declare_more_frames_than_it_has_items()
    {
        var folder = TestPaths.NewTempDirectory();
        var ds = DicomTestData.RichDataset(16, 16);
        var rle = new DicomFile(ds).Clone(DicomTransferSyntax.RLELossless);
        rle.Dataset.AddOrUpdate(DicomTag.NumberOfFrames, 1_000_000);
        rle.Save(Path.Combine(folder, "rle.dcm"));

        var failure = DicomSeriesScanner.Scan(folder).FailedFiles.Single();
        StringAssert.Contains(failure.Reason, "NumberOfFrames 1000000 needs at least 1000000 fragment items");
    }

    // ---- class 9: truncated and empty files ------------------------------------------------------------------------

    [TestMethod]
    public void Empty_and_truncated_files_are_failed_files_with_their_reason()
    {
        var folder = TestPaths.NewTempDirectory();
        File.WriteAllBytes(Path.Combine(folder, "empty.dcm"), []);
        WriteGoodSlice(Path.Combine(folder, "whole.dcm"));
        var bytes = File.ReadAllBytes(Path.Combine(folder, "whole.dcm"));
        File.WriteAllBytes(Path.Combine(folder, "cut.dcm"), bytes[..^100]);
        File.WriteAllText(Path.Combine(folder, "README.txt"), "not DICOM, and not a failure");

        var scan = DicomSeriesScanner.Scan(folder);

        Assert.HasCount(2, scan.FailedFiles);
        StringAssert.Contains(scan.FailedFiles.Single(f => f.File.EndsWith("empty.dcm", StringComparison.Ordinal)).Reason, "empty file");
        StringAssert.Contains(scan.FailedFiles.Single(f => f.File.EndsWith("cut.dcm", StringComparison.Ordinal)).Reason, "truncated");
        Assert.AreEqual(1, scan.NonImageFiles, "README.txt is not an image, and not a failure");
    }

    // ---- class 2: folder walks -------------------------------------------------------------------------------------

    [TestMethod]
    public void The_walker_skips_cycles_links_out_of_the_tree_and_fifos_and_lists_each_file_once()
    {
        var outside = TestPaths.NewTempDirectory();
        File.WriteAllText(Path.Combine(outside, "secret.dcm"), "another patient's file");
        var root = TestPaths.NewTempDirectory();
        var series = Directory.CreateDirectory(Path.Combine(root, "series")).FullName;
        File.WriteAllText(Path.Combine(series, "1.dcm"), "x");
        Directory.CreateSymbolicLink(Path.Combine(series, "self"), ".");
        Directory.CreateSymbolicLink(Path.Combine(series, "parent"), "..");
        Directory.CreateSymbolicLink(Path.Combine(series, "out"), outside);
        File.CreateSymbolicLink(Path.Combine(series, "out.dcm"), Path.Combine(outside, "secret.dcm"));
        File.CreateSymbolicLink(Path.Combine(series, "again.dcm"), Path.Combine(series, "1.dcm"));
        File.CreateSymbolicLink(Path.Combine(series, "dangling.dcm"), Path.Combine(series, "missing.dcm"));
        MakeFifo(Path.Combine(series, "fifo.dcm"));

        var walk = DirectoryWalker.Walk(root);

        CollectionAssert.AreEqual(new[] { Path.Combine(series, "1.dcm") }, walk.Files.ToArray());
        var reasons = walk.Skipped.ToDictionary(s => Path.GetFileName(s.Path), s => s.Reason);
        Assert.AreEqual(WalkSkipReason.AlreadyVisited, reasons["self"]);
        Assert.AreEqual(WalkSkipReason.AlreadyVisited, reasons["parent"]);
        Assert.AreEqual(WalkSkipReason.AlreadyVisited, reasons["again.dcm"]);
        Assert.AreEqual(WalkSkipReason.LinkOutsideTree, reasons["out"]);
        Assert.AreEqual(WalkSkipReason.LinkOutsideTree, reasons["out.dcm"]);
        Assert.AreEqual(WalkSkipReason.Unreadable, reasons["dangling.dcm"]);
        Assert.AreEqual(WalkSkipReason.NotRegularFile, reasons["fifo.dcm"]);
    }

    [TestMethod]
    public void A_series_scan_with_a_fifo_and_a_link_cycle_reads_each_slice_once_and_names_the_fifo()
    {
        var root = TestPaths.NewTempDirectory();
        WriteGoodSlice(Path.Combine(root, "slice.dcm"));
        Directory.CreateSymbolicLink(Path.Combine(root, "loop"), ".");
        MakeFifo(Path.Combine(root, "pipe.dcm"));

        var scan = DicomSeriesScanner.Scan(root);

        Assert.AreEqual(1, scan.Stacks.Sum(s => s.Slices.Count), "the link to '.' must not read the slice again");
        StringAssert.Contains(scan.FailedFiles.Single().Reason, "not a regular file");
    }

    [TestMethod]
    public void Opening_a_fifo_by_name_is_refused_instead_of_blocking()
    {
        var fifo = Path.Combine(TestPaths.NewTempDirectory(), "named.dcm");
        MakeFifo(fifo);
        StringAssert.Contains(Assert.Throws<DicomDataException>(() => DicomFile.Open(fifo)).Message, "not a regular file");
        StringAssert.Contains(Assert.Throws<DicomDataException>(() => DicomFile.Open("/dev/zero")).Message, "not a regular file");
    }

    [TestMethod]
    public void A_link_that_stays_inside_the_tree_is_followed_once()
    {
        var root = TestPaths.NewTempDirectory();
        var real = Directory.CreateDirectory(Path.Combine(root, "real")).FullName;
        File.WriteAllText(Path.Combine(real, "a.dcm"), "a");
        Directory.CreateSymbolicLink(Path.Combine(root, "alias"), real);

        var walk = DirectoryWalker.Walk(root);

        Assert.HasCount(1, walk.Files);
        Assert.AreEqual(WalkSkipReason.AlreadyVisited, walk.Skipped.Single().Reason);
    }

    // ---- class 3: deflate bombs ------------------------------------------------------------------------------------

    [TestMethod]
    public void A_deflate_bomb_is_refused_at_the_size_its_header_implies()
    {
        var folder = TestPaths.NewTempDirectory();
        var bomb = Path.Combine(folder, "bomb.dcm");
        WriteDeflated(bomb, DicomTestData.RichDataset(8, 8), trailingZeros: 48 << 20);
        Assert.IsLessThan(1 << 20, new FileInfo(bomb).Length, "a bomb: small on disk");

        var ex = Assert.Throws<DicomDataException>(() => DicomFile.Open(bomb));
        StringAssert.Contains(ex.Message, "bytes its header implies");

        // A header-only read (a folder scan) keeps only the header but checks the rest too: the bomb is a failed file
        // at scan time, and a good deflated file beside it still scans.
        var header = Assert.Throws<DicomDataException>(() => DicomFile.Open(bomb, new DicomReadOptions { StopAtPixelData = true }));
        StringAssert.Contains(header.Message, "bytes its header implies");
        new DicomFile(SliceDataset()).Clone(DicomTransferSyntax.DeflatedExplicitVRLittleEndian).Save(Path.Combine(folder, "good.dcm"));
        var scan = DicomSeriesScanner.Scan(folder);
        StringAssert.EndsWith(scan.FailedFiles.Single().File, "bomb.dcm");
        Assert.AreEqual(1, scan.Accepted.Single().Slices.Count);
    }

    [TestMethod]
    public void A_deflated_stream_without_a_header_is_refused_after_64_MiB_not_2_GiB()
    {
        var folder = TestPaths.NewTempDirectory();
        var zeros = Path.Combine(folder, "zeros.dcm");
        WriteDeflated(zeros, null, trailingZeros: 80 << 20);

        var ex = Assert.Throws<DicomDataException>(() => DicomFile.Open(zeros, new DicomReadOptions { StopAtPixelData = true }));
        StringAssert.Contains(ex.Message, "no pixel data in its first 64 MiB");
    }

    [TestMethod]
    public void Two_bombs_in_one_folder_are_both_refused_and_a_good_deflated_file_still_reads()
    {
        var folder = TestPaths.NewTempDirectory();
        WriteDeflated(Path.Combine(folder, "bomb1.dcm"), null, trailingZeros: 80 << 20);
        WriteDeflated(Path.Combine(folder, "bomb2.dcm"), null, trailingZeros: 80 << 20);
        var good = new DicomFile(SliceDataset()).Clone(DicomTransferSyntax.DeflatedExplicitVRLittleEndian);
        good.Save(Path.Combine(folder, "good.dcm"));

        var scan = DicomSeriesScanner.Scan(folder);

        Assert.HasCount(2, scan.FailedFiles.Where(f => f.Reason.Contains("64 MiB", StringComparison.Ordinal)).ToList());
        var volume = scan.Accepted.Single().LoadVolume();
        Assert.AreEqual(16 * 16, volume.Hu.Voxels.Length);
    }

    // ---- class 4: physical size ------------------------------------------------------------------------------------

    [TestMethod]
    [DataRow(1000.0, 1.0, "slice step")]
    [DataRow(1.0, 1000.0, "column (PixelSpacing[1])")]
    [DataRow(4.0, 1.0, "slice step")] // 600 slices × 4 mm = 2.4 m: every spacing plausible, the body too long
    public void A_stack_larger_than_a_human_body_is_rejected_with_the_rule_named(double sliceStep, double pixelSpacing, string axis)
    {
        var slices = sliceStep < 10 ? 600 : 10;
        var geometry = VolumeGeometry.Axial(new Size3(4, 4, slices), new Vec3(pixelSpacing, pixelSpacing, sliceStep));
        var folder = TestPaths.NewTempDirectory();
        CtSeriesWriter.Write(new Volume<float>(geometry), folder);

        var stack = DicomSeriesScanner.Scan(folder).Stacks.Single();

        Assert.IsNotNull(stack.RejectionReason);
        StringAssert.Contains(stack.RejectionReason, axis);
        Assert.IsTrue(stack.RejectionReason.Contains("2000 mm", StringComparison.Ordinal) || stack.RejectionReason.Contains("more than any CT voxel", StringComparison.Ordinal),
            stack.RejectionReason);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static DicomDataset SliceDataset()
    {
        var ds = DicomTestData.RichDataset(16, 16);
        return ds;
    }

    private static void WriteGoodSlice(string path) => new DicomFile(SliceDataset()).Save(path);

    private static void MakeFifo(string path) => ExternalTool.Run("mkfifo", [path]).EnsureSuccess("mkfifo");

    /// <summary>
    /// A Part 10 file in Deflated Explicit VR Little Endian whose deflated stream is <paramref name="dataset"/>
    /// (explicit VR LE; null for none) followed by <paramref name="trailingZeros"/> zero bytes — a decompression bomb.
    /// </summary>
    private static void WriteDeflated(string path, DicomDataset? dataset, int trailingZeros)
    {
        var body = new MemoryStream();
        if (dataset is not null)
        {
            var explicitFile = new MemoryStream();
            new DicomFile(dataset).Save(explicitFile);
            var all = explicitFile.ToArray();
            var metaLength = BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(140)); // (0002,0000) UL value after preamble + DICM + 8-byte header
            body.Write(all, 144 + (int)metaLength, all.Length - 144 - (int)metaLength);
        }
        using var file = File.Create(path);
        file.Write(new byte[128]);
        file.Write("DICM"u8);
        var syntax = Encoding.ASCII.GetBytes(DicomTransferSyntax.DeflatedExplicitVRLittleEndian.UID + "\0");
        var element = new MemoryStream();
        element.Write([0x02, 0x00, 0x10, 0x00, (byte)'U', (byte)'I']);
        element.Write(BitConverter.GetBytes((ushort)syntax.Length));
        element.Write(syntax);
        file.Write([0x02, 0x00, 0x00, 0x00, (byte)'U', (byte)'L', 4, 0]);
        file.Write(BitConverter.GetBytes((uint)element.Length));
        file.Write(element.ToArray());
        using var deflate = new DeflateStream(file, CompressionLevel.Optimal);
        deflate.Write(body.ToArray());
        var zeros = new byte[1 << 20];
        for (var written = 0; written < trailingZeros; written += zeros.Length)
            deflate.Write(zeros, 0, Math.Min(zeros.Length, trailingZeros - written));
    }
}
