using System.Text.Json;
using OsteoML.Dicom;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>What our writer produces must read back through dcmtk (no warnings) and pydicom with the values intact.</summary>
[TestClass]
public sealed class DicomWriterTests
{
    private const string PydicomDump = """
        import json, sys, pydicom
        ds = pydicom.dcmread(sys.argv[1])
        out = {
          "ts": str(ds.file_meta.TransferSyntaxUID),
          "metaSop": str(ds.file_meta.MediaStorageSOPInstanceUID),
          "groupLength": ds.file_meta.FileMetaInformationGroupLength,
          "sop": str(ds.SOPInstanceUID),
          "name": str(ds.PatientName), "manufacturer": ds.Manufacturer,
          "imageType": list(ds.ImageType), "kvp": float(ds.KVP), "age": ds.PatientAge,
          "ipp": [float(v) for v in ds.ImagePositionPatient], "instance": int(ds.InstanceNumber),
          "comments": ds.ImageComments, "fip": int(ds.FrameIncrementPointer),
          "smallest": int(ds.SmallestImagePixelValue),
          "refs": [str(i.ReferencedSOPInstanceUID) for i in ds.ReferencedImageSequence],
          "nested": ds.ReferencedImageSequence[1].PurposeOfReferenceCodeSequence[0].CodeMeaning,
          "privFD": [float(v) for v in ds[0x0029, 0x1001].value] if ds[0x0029, 0x1001].VR == 'FD' else None,
          "privUL": int(ds[0x0029, 0x1002].value) if ds[0x0029, 0x1002].VR == 'UL' else None,
          "pixels": [int(v) for v in ds.pixel_array.ravel()],
        }
        print(json.dumps(out))
        """;

    [TestMethod]
    [DataRow("1.2.840.10008.1.2.1")]
    [DataRow("1.2.840.10008.1.2")]
    [DataRow("1.2.840.10008.1.2.2")]
    [DataRow("1.2.840.10008.1.2.1.99")]
    [DataRow("1.2.840.10008.1.2.5")]
    public void Written_file_reads_back_in_dcmtk_and_pydicom(string syntaxUid)
    {
        var dir = TestPaths.NewTempDirectory();
        var syntax = DicomTransferSyntax.Lookup(syntaxUid);
        var dataset = DicomTestData.RichDataset();
        var file = new DicomFile(dataset).Clone(syntax);
        var path = Path.Combine(dir, "rich.dcm");
        file.Save(path);

        var dump = ExternalTool.Run("dcmdump", ["-dc", "+L", path]).EnsureSuccess("dcmdump");
        Assert.AreEqual("", dump.StdErr.Trim(), "dcmdump warns about our file");
        StringAssert.Contains(dump.StdOut, "(0010,0010) PN [Müller^Zoë]");
        StringAssert.Contains(dump.StdOut, syntax.UID == DicomTransferSyntax.ImplicitVRLittleEndian.UID ? "Little Endian Implicit" : "TransferSyntaxUID");

        var py = ExternalTool.Python(PydicomDump, path).EnsureSuccess("pydicom");
        var r = JsonDocument.Parse(py.StdOut).RootElement;
        Assert.AreEqual(syntax.UID, r.GetProperty("ts").GetString());
        Assert.AreEqual(dataset.GetString(DicomTag.SOPInstanceUID), r.GetProperty("sop").GetString());
        Assert.AreEqual(dataset.GetString(DicomTag.SOPInstanceUID), r.GetProperty("metaSop").GetString());
        Assert.AreEqual("Müller^Zoë", r.GetProperty("name").GetString());
        Assert.AreEqual("Gädgetron Médical", r.GetProperty("manufacturer").GetString());
        CollectionAssert.AreEqual(new[] { "ORIGINAL", "PRIMARY", "AXIAL" }, r.GetProperty("imageType").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.AreEqual(120.0, r.GetProperty("kvp").GetDouble());
        Assert.AreEqual("063Y", r.GetProperty("age").GetString());
        CollectionAssert.AreEqual(new[] { -158.135803, -179.035797, -75.699997 }, r.GetProperty("ipp").EnumerateArray().Select(e => e.GetDouble()).ToArray());
        Assert.AreEqual(7, r.GetProperty("instance").GetInt32());
        Assert.AreEqual("A long comment\\with a backslash, which LT keeps as text.", r.GetProperty("comments").GetString());
        Assert.AreEqual(0x00181063, r.GetProperty("fip").GetInt32());
        Assert.AreEqual(-2048, r.GetProperty("smallest").GetInt32());
        CollectionAssert.AreEqual(new[] { "1.2.3.4", "1.2.3.5" }, r.GetProperty("refs").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.AreEqual("Localizer", r.GetProperty("nested").GetString());
        if (syntax.IsExplicitVR)
        {
            CollectionAssert.AreEqual(new[] { 1.5, -2.25 }, r.GetProperty("privFD").EnumerateArray().Select(e => e.GetDouble()).ToArray());
            Assert.AreEqual(4000000000L, r.GetProperty("privUL").GetInt64());
        }
        // pydicom 2.3 does not sign-extend 12-bit data; our values fit in 12 bits signed, so compare masked.
        var expected = DicomPixelData.Create(dataset).GetStoredValues(0);
        var actual = r.GetProperty("pixels").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        CollectionAssert.AreEqual(expected.Select(v => v & 0xFFF).ToArray(), actual.Select(v => v & 0xFFF).ToArray());

        // The group length pydicom read must end exactly where group 0002 ends (walked here by hand).
        var bytes = File.ReadAllBytes(path);
        var position = 132;
        while (BitConverter.ToUInt16(bytes, position) == 0x0002)
        {
            var vr = System.Text.Encoding.ASCII.GetString(bytes, position + 4, 2);
            position += vr is "OB" or "OW" or "UN" or "SQ" or "UT" or "UC" or "UR"
                ? 12 + (int)BitConverter.ToUInt32(bytes, position + 8)
                : 8 + BitConverter.ToUInt16(bytes, position + 6);
        }
        Assert.AreEqual(position - (132 + 12), r.GetProperty("groupLength").GetInt32());
    }

    [TestMethod]
    public void Our_reader_reads_back_every_value_it_wrote()
    {
        var dir = TestPaths.NewTempDirectory();
        var dataset = DicomTestData.RichDataset();
        foreach (var syntax in new[] { DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian, DicomTransferSyntax.ExplicitVRBigEndian, DicomTransferSyntax.DeflatedExplicitVRLittleEndian })
        {
            var path = Path.Combine(dir, syntax.UID + ".dcm");
            new DicomFile(dataset).Clone(syntax).Save(path);
            var back = DicomFile.Open(path).Dataset;
            Assert.AreEqual(syntax.UID, back.InternalTransferSyntax.UID);
            Assert.AreEqual("Müller^Zoë", back.GetString(DicomTag.PatientName));
            CollectionAssert.AreEqual(new[] { 0.5, 0.75 }, back.GetValues<double>(DicomTag.PixelSpacing));
            Assert.AreEqual(DicomTag.FrameTime, back.GetSingleValue<DicomTag>(DicomTag.FrameIncrementPointer));
            Assert.AreEqual((short)-2048, back.GetSingleValue<short>(DicomTag.SmallestImagePixelValue));
            Assert.AreEqual(2, back.GetSequence(DicomTag.ReferencedImageSequence).Items.Count);
            Assert.AreEqual("Localizer", back.GetSequence(DicomTag.ReferencedImageSequence).Items[1]
                .GetSequence(DicomTag.PurposeOfReferenceCodeSequence).Items[0].GetString(DicomTag.CodeMeaning));
            if (syntax.IsExplicitVR)
                CollectionAssert.AreEqual(new[] { 1.5, -2.25 }, back.GetValues<double>(new DicomTag(0x0029, 0x1001)));
            CollectionAssert.AreEqual(DicomPixelData.Create(dataset).GetStoredValues(0), DicomPixelData.Create(back).GetStoredValues(0));
        }
    }

    [TestMethod]
    public void Saving_over_the_file_whose_pixels_are_still_on_disk_keeps_them()
    {
        var dir = TestPaths.NewTempDirectory();
        var path = Path.Combine(dir, "ct.dcm");
        File.Copy(TestPaths.Data("reference-dicom", "files", "single", "CT_small.dcm"), path);
        var file = DicomFile.Open(path);
        Assert.IsInstanceOfType<OsteoML.Dicom.IO.FileByteBuffer>(file.Dataset.GetElement(DicomTag.PixelData).Buffer, "pixels are left in the file");
        file.Dataset.AddOrUpdate(DicomTag.InstitutionName, "Site B");
        file.Save(path);
        var back = DicomFile.Open(path);
        Assert.AreEqual("Site B", back.Dataset.GetString(DicomTag.InstitutionName));
        Assert.AreEqual("7a481f6ffff833aef4d8bd54819bd8f472aaa7232090208e056c90eacf079926", DicomPixelSummary.Of(DicomPixelData.Create(back.Dataset)).Sha256);
        Assert.AreEqual(1, Directory.GetFiles(dir).Length, "no temporary file left behind");
    }

    [TestMethod]
    public void Generated_uids_are_2_25_integers_of_random_uuids()
    {
        var uid = DicomUID.Generate();
        StringAssert.StartsWith(uid, "2.25.");
        Assert.IsTrue(DicomUID.IsValid(uid), uid);
        Assert.AreNotEqual(uid, DicomUID.Generate());
        // The UUID 00000000-0000-0000-0000-000000000001 is the integer 1; the top bit set gives 2^127.
        Assert.AreEqual("2.25.1", DicomUID.FromUuid(Guid.Parse("00000000-0000-0000-0000-000000000001")));
        Assert.AreEqual("2.25.170141183460469231731687303715884105728", DicomUID.FromUuid(Guid.Parse("80000000-0000-0000-0000-000000000000")));
    }
}
