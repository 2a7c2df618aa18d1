using OsteoML.Cli;
using OsteoML.Dicom;
using OsteoML.Dicom.Series;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>
/// 20 real Siemens CT slices stored as JPEG 2000 lossless (tests/data/dicom/siemens-j2k, from TotalSegmentator's
/// repository): they load as one stack whose values equal GDCM's decoding, and the same series re-encoded by GDCM
/// into JPEG-LS and JPEG 2000 at test time loads to the same HU volume.
/// </summary>
[TestClass]
public sealed class SiemensJ2kTests
{
    private static string Folder => TestPaths.Data("dicom", "siemens-j2k");

    private static string[] Slices => Directory.GetFiles(Folder, "CT.*").Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The slices decompressed by <c>gdcmconv --raw</c> (GDCM). GDCM refuses to write these files as they are — their
    /// SOP Class/Instance, Study and Series UIDs were emptied by the anonymiser — so a copy gets placeholder UIDs first
    /// (dcmodify changes only those elements; the pixel data is copied byte for byte).
    /// </summary>
    private static string GdcmDecoded(string gdcmMode = "--raw")
    {
        var dir = TestPaths.NewTempDirectory("siemens-gdcm");
        foreach (var (slice, i) in Slices.Select((s, i) => (s, i)))
        {
            var named = Path.Combine(dir, $"in{i:D2}.dcm");
            File.Copy(slice, named);
            File.SetAttributes(named, FileAttributes.Normal);
            ExternalTool.Run("dcmodify", ["-nb", "-i", "(0008,0016)=1.2.840.10008.5.1.4.1.1.2", "-i", $"(0008,0018)=2.25.{1000 + i}",
                "-i", "(0020,000D)=2.25.1", "-i", "(0020,000E)=2.25.2", named]).EnsureSuccess("dcmodify");
            var raw = Path.Combine(dir, $"raw{i:D2}.dcm");
            ExternalTool.Run("gdcmconv", ["--raw", named, raw]).EnsureSuccess("gdcmconv --raw");
            File.Delete(named);
            if (gdcmMode != "--raw")
            {
                ExternalTool.Run("gdcmconv", [gdcmMode, raw, Path.Combine(dir, $"enc{i:D2}.dcm")]).EnsureSuccess($"gdcmconv {gdcmMode}");
                File.Delete(raw);
            }
        }
        return dir;
    }

    private static CtVolume LoadOnlyStack(string folder, int slices) => OnlyStack(folder, slices).LoadVolume();

    private static DicomStack OnlyStack(string folder, int slices)
    {
        var scan = DicomSeriesScanner.Scan(folder);
        Assert.IsEmpty(scan.FailedFiles, string.Join("; ", scan.FailedFiles));
        var stack = scan.Stacks.Single();
        Assert.IsNull(stack.RejectionReason);
        Assert.HasCount(slices, stack.Slices);
        return stack;
    }

    [TestMethod]
    public void Folder_loads_as_one_20_slice_stack_with_the_values_gdcm_decodes()
    {
        var ours = LoadOnlyStack(Folder, 20);
        Assert.AreEqual(new OsteoML.Imaging.Size3(512, 512, 20), ours.Hu.Geometry.Size);
        Assert.AreEqual("1.2.840.10008.1.2.4.90", DicomFile.Open(Slices[0]).TransferSyntax.UID);

        var referenceStack = OnlyStack(GdcmDecoded(), 20);
        var reference = referenceStack.LoadVolume();
        Assert.IsFalse(DicomFile.Open(referenceStack.Slices[0].File).TransferSyntax.IsEncapsulated, "GDCM wrote native pixels");
        Assert.AreEqual(reference.Hu.Geometry, ours.Hu.Geometry);
        CollectionAssert.AreEqual(reference.Hu.Voxels, ours.Hu.Voxels, "HU differ from GDCM's decoding");
        // Real CT content, not a constant: air to bone.
        Assert.AreEqual(-1024f, ours.Hu.Voxels.Min());
        Assert.IsGreaterThan(1000f, ours.Hu.Voxels.Max());

        // Slice by slice, the stored values too (the reference corpus's hash definition).
        foreach (var (slice, i) in Slices.Select((s, i) => (s, i)))
        {
            var raw = Path.Combine(Path.GetDirectoryName(referenceStack.Slices[0].File)!, $"raw{i:D2}.dcm");
            Assert.AreEqual(DicomPixelSummary.Of(DicomPixelData.Create(DicomFile.Open(raw).Dataset)).Sha256,
                DicomPixelSummary.Of(DicomPixelData.Create(DicomFile.Open(slice).Dataset)).Sha256, Path.GetFileName(slice));
        }
    }

    [TestMethod]
    [DataRow("--jpegls", "1.2.840.10008.1.2.4.80")]
    [DataRow("--j2k", "1.2.840.10008.1.2.4.90")]
    public void Series_reencoded_by_gdcm_loads_to_the_same_hu_volume(string gdcmMode, string syntax)
    {
        var ours = LoadOnlyStack(Folder, 20);
        var folder = GdcmDecoded(gdcmMode);
        Assert.AreEqual(syntax, DicomFile.Open(Directory.GetFiles(folder)[0]).TransferSyntax.UID);
        var reencoded = LoadOnlyStack(folder, 20);
        Assert.AreEqual(ours.Hu.Geometry, reencoded.Hu.Geometry);
        CollectionAssert.AreEqual(ours.Hu.Voxels, reencoded.Hu.Voxels);
    }

    [TestMethod]
    public void A_folder_with_broken_slices_lists_every_stack_and_one_line_per_bad_file()
    {
        var dir = TestPaths.NewTempDirectory("siemens-broken");
        foreach (var slice in Slices)
            File.Copy(slice, Path.Combine(dir, Path.GetFileName(slice)));
        // Another series in the same folder, intact.
        var other = Path.Combine(dir, "other");
        Directory.CreateDirectory(other);
        foreach (var file in Directory.GetFiles(TestPaths.Data("reference-dicom", "files", "series", "ct5n")))
            File.Copy(file, Path.Combine(other, Path.GetFileName(file)));
        // Three slices cut short inside their pixel data: they parse as far as the scan reads, then fail to load.
        var broken = Directory.GetFiles(dir, "CT.*").Order(StringComparer.Ordinal).Take(3).ToArray();
        foreach (var file in broken)
        {
            File.SetAttributes(file, FileAttributes.Normal);
            var bytes = File.ReadAllBytes(file);
            File.WriteAllBytes(file, bytes[..(bytes.Length - 80_000)]);
        }

        var run = CliRun.Of("dicom", "series", "--json", dir);
        Assert.AreEqual(ExitCodes.SomeInputsFailed, run.ExitCode, run.Error);
        Assert.DoesNotContain("internal error", run.Out + run.Error);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        var stacks = lines.Where(l => l.TryGetProperty("slices", out _)).ToList();
        var failed = lines.Where(l => l.TryGetProperty("error", out _)).ToList();
        Assert.HasCount(2, stacks);
        var good = stacks.Single(s => s.GetProperty("slices").GetInt32() == 5);
        Assert.AreEqual(System.Text.Json.JsonValueKind.Number, good.GetProperty("huMean").ValueKind, "the intact series loads");
        var siemens = stacks.Single(s => s.GetProperty("slices").GetInt32() == 20);
        StringAssert.Contains(siemens.GetProperty("rejected").GetString(), "3 of 20");
        CollectionAssert.AreEqual(broken, failed.Select(f => f.GetProperty("file").GetString()).ToArray());
        foreach (var f in failed)
        {
            var error = f.GetProperty("error").GetString()!;
            Assert.DoesNotContain("\n", error);
            // One file per line: no other file's name inside the message.
            Assert.IsFalse(broken.Any(b => b != f.GetProperty("file").GetString() && error.Contains(Path.GetFileName(b))), error);
        }
    }
}
