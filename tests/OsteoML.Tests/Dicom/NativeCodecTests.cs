using OsteoML.Dicom;
using OsteoML.Dicom.Codecs;
using OsteoML.Dicom.Codecs.Native;
using OsteoML.Dicom.IO;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>
/// The codecs over OpenJPEG, CharLS and libjpeg-turbo against independent encoders and decoders: our encodings
/// decoded by GDCM and dcmtk, lossy streams decoded by the reference tool of the same library, HTJ2K written by
/// OpenJPH (a separate implementation), and the failure modes (missing library, corrupt stream) as one line each.
/// </summary>
[TestClass]
public sealed class NativeCodecTests
{
    /// <summary>The re-encoding sources that JPEG 2000 and JPEG-LS can hold (at most 16 bits: not the 32-bit dose).</summary>
    private static IEnumerable<string> Sources =>
        ReencodingTests.Sources.Where(s => ReferenceCorpus.Entry(s).GetProperty("bitsAllocated").GetInt32() <= 16);

    public static IEnumerable<object[]> EncodeCases() =>
        from source in Sources
        from target in new[] { ("j2k", "gdcmconv"), ("jpegls", "gdcmconv"), ("jpegls", "dcmdjpls") }
        select new object[] { source, target.Item1, target.Item2 };

    [TestMethod]
    [DynamicData(nameof(EncodeCases))]
    public void Our_lossless_encoding_decodes_to_the_reference_values_in_gdcm_and_dcmtk(string source, string codec, string decoder)
    {
        var dir = TestPaths.NewTempDirectory();
        var syntax = codec == "j2k" ? DicomTransferSyntax.JPEG2000Lossless : DicomTransferSyntax.JPEGLSLossless;
        var encoded = Path.Combine(dir, "ours.dcm");
        DicomFile.Open(TestPaths.Data("reference-dicom", source)).Clone(syntax).Save(encoded);
        Assert.AreEqual(syntax.UID, DicomFile.Open(encoded).TransferSyntax.UID);
        var decoded = Path.Combine(dir, "decoded.dcm");
        if (decoder == "gdcmconv")
            ExternalTool.Run("gdcmconv", ["--raw", encoded, decoded]).EnsureSuccess("gdcmconv --raw");
        else
            ExternalTool.Run(decoder, ["+te", encoded, decoded]).EnsureSuccess(decoder);
        var reference = DicomFile.Open(decoded);
        Assert.IsFalse(reference.TransferSyntax.IsEncapsulated);
        Assert.AreEqual(ReferenceCorpus.Sha256(source), DicomPixelSummary.Of(DicomPixelData.Create(reference.Dataset)).Sha256,
            $"{source} encoded by us as {syntax.Name}, decoded by {decoder}");
        // And our own decoder reads our encoding back.
        Assert.AreEqual(ReferenceCorpus.Sha256(source), DicomPixelSummary.Of(DicomPixelData.Create(DicomFile.Open(encoded).Dataset)).Sha256);
    }

    [TestMethod]
    [DataRow("files/single/image_dfl.dcm", 2)]
    [DataRow("files/single/ExplVR_BigEnd.dcm", 3)] // RGB; dcmtk encodes near-lossless only for unsigned samples
    public void Near_lossless_jpeg_ls_equals_dcmtk_decoding_and_stays_within_near(string source, int near)
    {
        var dir = TestPaths.NewTempDirectory();
        var input = TestPaths.Data("reference-dicom", source);
        var lossy = Path.Combine(dir, "near.dcm");
        ExternalTool.Run("dcmcjpls", ["+en", "+md", near.ToString(System.Globalization.CultureInfo.InvariantCulture), input, lossy]).EnsureSuccess("dcmcjpls +en");
        ExternalTool.Run("dcmdjpls", ["+te", lossy, Path.Combine(dir, "ref.dcm")]).EnsureSuccess("dcmdjpls");
        var ours = DicomPixelData.Create(DicomFile.Open(lossy).Dataset);
        Assert.AreEqual(DicomTransferSyntax.JPEGLSNearLossless.UID, ours.TransferSyntax.UID);
        var reference = DicomPixelData.Create(DicomFile.Open(Path.Combine(dir, "ref.dcm")).Dataset);
        Assert.AreEqual(DicomPixelSummary.Of(reference).Sha256, DicomPixelSummary.Of(ours).Sha256, "differs from dcmtk's decoding");
        var original = DicomPixelData.Create(DicomFile.Open(input).Dataset).GetStoredValues(0);
        var decoded = ours.GetStoredValues(0);
        Assert.AreNotEqual(DicomPixelSummary.Of(DicomPixelData.Create(DicomFile.Open(input).Dataset)).Sha256, DicomPixelSummary.Of(ours).Sha256, "lossy");
        Assert.IsLessThanOrEqualTo(near, original.Zip(decoded, (a, b) => Math.Abs(a - b)).Max());
    }

    [TestMethod]
    [DataRow("files/single/CT_small.dcm")]
    [DataRow("files/single/ExplVR_BigEnd.dcm")]
    public void Lossy_jpeg_2000_equals_gdcm_decoding(string source)
    {
        var dir = TestPaths.NewTempDirectory();
        var lossy = Path.Combine(dir, "lossy.dcm");
        ExternalTool.Run("gdcmconv", ["--j2k", "--lossy", "-q", "30", TestPaths.Data("reference-dicom", source), lossy]).EnsureSuccess("gdcmconv --j2k --lossy");
        ExternalTool.Run("gdcmconv", ["--raw", lossy, Path.Combine(dir, "ref.dcm")]).EnsureSuccess("gdcmconv --raw");
        var ours = DicomPixelData.Create(DicomFile.Open(lossy).Dataset);
        Assert.AreEqual(DicomTransferSyntax.JPEG2000.UID, ours.TransferSyntax.UID);
        Assert.AreNotEqual(ReferenceCorpus.Sha256(source), DicomPixelSummary.Of(ours).Sha256, "the encoding is lossy");
        var reference = DicomPixelData.Create(DicomFile.Open(Path.Combine(dir, "ref.dcm")).Dataset);
        Assert.AreEqual(DicomPixelSummary.Of(reference).Sha256, DicomPixelSummary.Of(ours).Sha256, "differs from GDCM's decoding");
    }

    /// <summary>
    /// HTJ2K written by OpenJPH (ojph_compress, independent of OpenJPEG) from the pixels pydicom reads, wrapped in a
    /// DICOM file under each HTJ2K syntax: we must decode exactly the original values, as OpenJPH's own decoder does.
    /// </summary>
    [TestMethod]
    [DataRow("1.2.840.10008.1.2.4.201")]
    [DataRow("1.2.840.10008.1.2.4.202")]
    [DataRow("1.2.840.10008.1.2.4.203")]
    public void Htj2k_from_openjph_decodes_to_the_original_values(string syntaxUid)
    {
        const string source = "files/single/image_dfl.dcm"; // 8-bit unsigned 512×512: what a PGM holds as is
        var dir = TestPaths.NewTempDirectory();
        var pgm = Path.Combine(dir, "in.pgm");
        ExternalTool.Python("""
            import sys, pydicom
            ds = pydicom.dcmread(sys.argv[1])
            a = ds.pixel_array
            with open(sys.argv[2], 'wb') as f:
                f.write(b'P5\n%d %d\n255\n' % (a.shape[1], a.shape[0]))
                f.write(a.astype('u1').tobytes())
            """, TestPaths.Data("reference-dicom", source), pgm).EnsureSuccess("pydicom → PGM");
        var j2c = Path.Combine(dir, "ht.j2c");
        ExternalTool.Run("ojph_compress", ["-i", pgm, "-o", j2c, "-reversible", "true"]).EnsureSuccess("ojph_compress");
        ExternalTool.Run("ojph_expand", ["-i", j2c, "-o", Path.Combine(dir, "back.pgm")]).EnsureSuccess("ojph_expand");
        CollectionAssert.AreEqual(File.ReadAllBytes(pgm), File.ReadAllBytes(Path.Combine(dir, "back.pgm")), "OpenJPH round trip");

        var dataset = DicomFile.Open(TestPaths.Data("reference-dicom", source)).Dataset.Clone();
        dataset.InternalTransferSyntax = DicomTransferSyntax.Lookup(syntaxUid);
        var codestream = File.ReadAllBytes(j2c);
        if ((codestream.Length & 1) == 1)
            codestream = [.. codestream, 0];
        dataset.AddOrUpdate(new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB, [0u], [new MemoryByteBuffer(codestream)]));
        var path = Path.Combine(dir, "htj2k.dcm");
        new DicomFile(dataset).Save(path);
        var file = DicomFile.Open(path);
        Assert.AreEqual(syntaxUid, file.TransferSyntax.UID);
        Assert.AreEqual(ReferenceCorpus.Sha256(source), DicomPixelSummary.Of(DicomPixelData.Create(file.Dataset)).Sha256);
    }

    [TestMethod]
    public void A_missing_library_is_one_line_naming_it_and_its_debian_package()
    {
        var library = new NativeCodecLibrary("OpenJPEG", "libopenjp2-7", "libopenjp2.so.999");
        Assert.IsFalse(library.IsAvailable);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => library.Export("opj_version"));
        StringAssert.Contains(error.Message, "libopenjp2.so.999");
        StringAssert.Contains(error.Message, "libopenjp2-7");
        Assert.DoesNotContain("\n", error.Message);
    }

    [TestMethod]
    public void The_supported_list_users_see_is_the_registry()
    {
        var described = DicomCodecRegistry.Describe();
        foreach (var syntax in DicomCodecRegistry.TransferSyntaxes)
            StringAssert.Contains(described, syntax.Name);
        foreach (var uid in new[] { "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.90",
                     "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203" })
            Assert.IsNotNull(DicomCodecRegistry.Find(DicomTransferSyntax.Lookup(uid)), uid);
        // A syntax without a codec names itself and lists the registry's.
        var mpeg = DicomTransferSyntax.Lookup("1.2.840.10008.1.2.4.100");
        var error = Assert.ThrowsExactly<NotSupportedException>(() => DicomCodecRegistry.Get(mpeg));
        StringAssert.Contains(error.Message, mpeg.UID);
        StringAssert.Contains(error.Message, described);
        var help = OsteoML.Tests.Cli.CliRun.Of("dicom", "--help");
        StringAssert.Contains(help.Out.Replace("\n", " ").Replace("  ", " "), "JPEG-LS Lossless Image Compression");
    }

    /// <summary>Cut or damaged codestreams: one DicomDataException line from each library, never a crash.</summary>
    [TestMethod]
    [DataRow("files/ct-small-variants/ct_j2k_lossless.dcm")]
    [DataRow("files/ct-small-variants/ct_jpls_lossless.dcm")]
    [DataRow("files/ct-small-variants/ct_jpeg_baseline.dcm")]
    [DataRow("files/single/693_J2KI.dcm")]
    public void Truncated_or_damaged_streams_fail_with_one_line(string source)
    {
        var file = DicomFile.Open(TestPaths.Data("reference-dicom", source));
        var pixels = DicomPixelData.Create(file.Dataset);
        var fragments = (DicomFragmentSequence)file.Dataset.Find(DicomTag.PixelData)!;
        var stream = new byte[fragments.Fragments[0].Size];
        fragments.Fragments[0].CopyTo(0, stream);
        var codec = DicomCodecRegistry.Get(file.TransferSyntax);
        var frame = new byte[pixels.Format.FrameBytes];
        var failures = 0;
        foreach (var cut in new[] { 0, 2, 16, 100, stream.Length / 3 })
        {
            try
            {
                codec.Decode(stream.AsSpan(0, cut), pixels.Format, frame);
            }
            catch (DicomDataException ex)
            {
                Assert.DoesNotContain("\n", ex.Message);
                failures++;
            }
        }
        Assert.IsGreaterThanOrEqualTo(3, failures, "a stream cut inside its header must fail (a cut in the coded data may decode partially, as in GDCM)");
        // Damaged header: the image size no longer matches the dataset.
        var wrong = pixels.Format with { Rows = pixels.Rows + 1 };
        var error = Assert.ThrowsExactly<DicomDataException>(() => codec.Decode(stream, wrong, new byte[wrong.FrameBytes]));
        Assert.DoesNotContain("\n", error.Message);
    }

    [TestMethod]
    [DataRow("1.2.840.10008.1.2.4.90")]
    [DataRow("1.2.840.10008.1.2.4.80")]
    public void Cli_transcode_writes_what_gdcm_decodes_to_the_reference_values(string syntax)
    {
        const string source = "files/single/CT_small.dcm";
        var dir = TestPaths.NewTempDirectory();
        var output = Path.Combine(dir, "out.dcm");
        var run = OsteoML.Tests.Cli.CliRun.Of("dicom", "transcode", "--to", syntax, TestPaths.Data("reference-dicom", source), output);
        Assert.AreEqual(0, run.ExitCode, run.Error);
        Assert.AreEqual(syntax, DicomFile.Open(output).TransferSyntax.UID);
        ExternalTool.Run("gdcmconv", ["--raw", output, Path.Combine(dir, "raw.dcm")]).EnsureSuccess("gdcmconv --raw");
        Assert.AreEqual(ReferenceCorpus.Sha256(source), DicomPixelSummary.Of(DicomPixelData.Create(DicomFile.Open(Path.Combine(dir, "raw.dcm")).Dataset)).Sha256);
        // A syntax without an encoder is refused with one line.
        var refused = OsteoML.Tests.Cli.CliRun.Of("dicom", "transcode", "--to", "1.2.840.10008.1.2.4.50", TestPaths.Data("reference-dicom", source), output);
        Assert.AreEqual(1, refused.ExitCode);
        Assert.HasCount(1, refused.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
