using OsteoML.Dicom;
using OsteoML.Dicom.Series;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>
/// Corrupt input never escapes as anything but a clear error (DicomDataException, NotSupportedException,
/// FormatException): every reference file cut at many points and with seeded random byte changes, read header and
/// pixels. Files found by the fuzzer (tests/fuzz) join tests/data/dicom/fuzz and are replayed here too.
/// </summary>
[TestClass]
public sealed class RobustnessTests
{
    private static readonly string[] Files =
    [
        "files/single/CT_small.dcm", "files/single/MR_small_implicit.dcm", "files/single/MR_small_bigendian.dcm",
        "files/single/image_dfl.dcm", "files/single/rtdose_rle.dcm", "files/single/SC_rgb_rle.dcm",
        "files/ct-small-variants/ct_jpeg_ll_sv1.dcm", "files/ct-small-variants/ct_gdcm_jpeg_ll.dcm",
        "files/single/UN_sequence.dcm", "files/single/nested_priv_SQ.dcm",
        // Through the C libraries: OpenJPEG, CharLS, libjpeg-turbo.
        "files/ct-small-variants/ct_j2k_lossless.dcm", "files/single/MR_small_jp2klossless.dcm",
        "files/ct-small-variants/ct_jpls_lossless.dcm", "files/ct-small-variants/ct_jpeg_baseline.dcm",
    ];

    public static IEnumerable<object[]> Cases() => Files.Select(f => new object[] { f });

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void Truncated_and_mutated_files_fail_cleanly(string file)
    {
        var original = File.ReadAllBytes(TestPaths.Data("reference-dicom", file));
        // Cut points: densely through the header, sparsely through the pixels.
        var cuts = Enumerable.Range(0, Math.Min(original.Length, 1200)).Where(i => i % 3 == 0)
            .Concat(Enumerable.Range(1, 40).Select(k => (int)((long)original.Length * k / 41)));
        foreach (var cut in cuts)
            Read(original[..cut], $"{file} cut at {cut}");

        // A seed that is the same in every process (string hash codes are randomised per process).
        var random = new Random(file.Aggregate(20240101, (h, c) => h * 31 + c) & 0x7FFFFFFF);
        for (var round = 0; round < 300; round++)
        {
            var mutant = (byte[])original.Clone();
            var changes = 1 + random.Next(8);
            for (var c = 0; c < changes; c++)
            {
                // Mostly in the first 2 KB (lengths, VRs, tags), sometimes anywhere; sometimes a length of 0xFFFFFFFF.
                var at = random.Next(4) == 0 ? random.Next(mutant.Length) : random.Next(Math.Min(mutant.Length, 2048));
                if (random.Next(5) == 0 && at + 4 <= mutant.Length)
                    BitConverter.GetBytes(random.Next(3) == 0 ? uint.MaxValue : (uint)random.Next()).CopyTo(mutant, at);
                else
                    mutant[at] = (byte)random.Next(256);
            }
            Read(mutant, $"{file} mutant {round}");
        }
    }

    [TestMethod]
    public void Fuzzer_findings_stay_fixed()
    {
        var folder = TestPaths.Data("dicom", "fuzz");
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
        foreach (var file in files)
            Read(File.ReadAllBytes(file), Path.GetFileName(file));
        // The folder's README says what each finding was; an empty folder means the fuzzer found nothing yet.
        Assert.IsTrue(File.Exists(Path.Combine(folder, "README.md")));
    }

    /// <summary>
    /// Single compressed frames the codec fuzzer (tests/fuzz, target <c>codecs</c>) found: each handed straight to its
    /// codec, as the harness does. Layout: syntax, rows, columns, bits/sign, samples, then the frame (README there).
    /// </summary>
    [TestMethod]
    public void Codec_fuzzer_findings_stay_fixed()
    {
        DicomTransferSyntax[] syntaxes =
        [
            DicomTransferSyntax.JPEG2000Lossless, DicomTransferSyntax.JPEG2000, DicomTransferSyntax.HTJ2KLossless,
            DicomTransferSyntax.JPEGLSLossless, DicomTransferSyntax.JPEGLSNearLossless,
            DicomTransferSyntax.JPEGBaseline, DicomTransferSyntax.JPEGExtended,
            DicomTransferSyntax.JPEGLossless, DicomTransferSyntax.RLELossless,
        ];
        var files = Directory.GetFiles(TestPaths.Data("dicom", "fuzz", "codecs"));
        Assert.IsNotEmpty(files);
        foreach (var file in files)
        {
            var data = File.ReadAllBytes(file);
            var bits = Math.Clamp(data[5] & 0x1F, 2, 16);
            var format = new OsteoML.Dicom.Codecs.DicomPixelFormat(
                Math.Clamp((int)System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(1)), 1, 1024),
                Math.Clamp((int)System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(3)), 1, 1024),
                data[6] % 3 == 2 ? 3 : 1, bits <= 8 ? 8 : 16, bits, data[5] >> 7);
            var codec = OsteoML.Dicom.Codecs.DicomCodecRegistry.Get(syntaxes[data[0] % syntaxes.Length]);
            try
            {
                codec.Decode(data.AsSpan(7), format, new byte[format.FrameBytes]);
            }
            catch (Exception ex) when (ex is DicomDataException or NotSupportedException)
            {
                Assert.DoesNotContain("\n", ex.Message, Path.GetFileName(file));
            }
        }
    }

    /// <summary>
    /// Offset tables that do not fit NumberOfFrames or the fragments (GDCM's examples include one with a surplus
    /// entry, which dcmtk, GDCM and pydicom all read): the frames are still found, with a warning.
    /// </summary>
    [TestMethod]
    public void Offset_tables_with_surplus_missing_or_misplaced_entries_are_read_with_a_warning()
    {
        const string source = "files/single/rtdose_rle.dcm"; // 15 RLE frames, one fragment each, empty offset table
        var original = DicomFile.Open(TestPaths.Data("reference-dicom", source));
        var fragments = (DicomFragmentSequence)original.Dataset.Find(DicomTag.PixelData)!;
        Assert.HasCount(15, fragments.Fragments);
        // The correct table: each frame's first item counted from the first fragment's item tag (8 header bytes each).
        var offsets = new List<uint>();
        uint end = 0;
        foreach (var fragment in fragments.Fragments)
        {
            offsets.Add(end);
            end += 8 + (uint)fragment.Size;
        }
        (string Name, List<uint> Table, string Warning)[] variants =
        [
            ("surplus", [.. offsets, end], "surplus entries are ignored"),
            ("missing", offsets[..^1], "frames are found from the fragments"),
            ("misplaced", [.. offsets[..5], offsets[5] + 2, .. offsets[6..]], "where no fragment starts"),
        ];
        var dir = TestPaths.NewTempDirectory();
        foreach (var (name, table, warning) in variants)
        {
            var dataset = original.Dataset.Clone();
            dataset.AddOrUpdate(new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB, table, fragments.Fragments));
            var path = Path.Combine(dir, name + ".dcm");
            new DicomFile(dataset).Save(path);
            var pixels = DicomPixelData.Create(DicomFile.Open(path).Dataset);
            Assert.AreEqual(ReferenceCorpus.Sha256(source), DicomPixelSummary.Of(pixels).Sha256, name);
            Assert.IsTrue(pixels.Warnings.Any(w => w.Contains(warning, StringComparison.Ordinal)), $"{name}: {string.Join(" | ", pixels.Warnings)}");
        }
    }

    /// <summary>Bytes appended after the pixel data (some archives do): the image reads as before, with a warning.</summary>
    [TestMethod]
    [DataRow("files/ct-small-variants/ct_j2k_lossless.dcm")]
    [DataRow("files/single/CT_small.dcm")]
    public void Trailing_bytes_after_the_pixel_data_are_ignored_with_a_warning(string source)
    {
        var bytes = File.ReadAllBytes(TestPaths.Data("reference-dicom", source));
        var garbage = new byte[37];
        new Random(16).NextBytes(garbage);
        var path = Path.Combine(TestPaths.NewTempDirectory(), "trailing.dcm");
        File.WriteAllBytes(path, [.. bytes, .. garbage]);
        var file = DicomFile.Open(path);
        Assert.AreEqual(ReferenceCorpus.Sha256(source), DicomPixelSummary.Of(DicomPixelData.Create(file.Dataset)).Sha256);
        Assert.HasCount(1, file.Warnings);
        StringAssert.Contains(file.Warnings[0], "after the pixel data");
    }

    /// <summary>Reads everything the fuzz harness reads; only the library's clear errors may come out.</summary>
    private static void Read(byte[] bytes, string what)
    {
        try
        {
            var dicom = DicomFile.Open(new MemoryStream(bytes));
            foreach (var item in dicom.Dataset)
            {
                if (item is DicomElement { VR.IsString: true } e)
                    dicom.Dataset.GetString(e.Tag);
            }
            var slices = DicomSlice.From(what, dicom.Dataset).Take(16).ToList();
            if (slices.Count > 0)
                _ = DicomStack.Assemble(slices).Count();
            if (dicom.Dataset.Contains(DicomTag.PixelData))
            {
                var pixels = DicomPixelData.Create(dicom.Dataset);
                for (var f = 0; f < Math.Min(pixels.NumberOfFrames, 3); f++)
                    pixels.GetStoredValues(f);
            }
        }
        catch (Exception ex) when (ex is DicomDataException or NotSupportedException or FormatException)
        {
            Assert.IsFalse(ex.Message.Contains('\n'), $"{what}: error message spans lines: {ex.Message}");
        }
        catch (Exception ex)
        {
            Assert.Fail($"{what}: {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
        }
    }
}
