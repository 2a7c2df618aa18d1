using System.Text.Json;
using OsteoML.Dicom;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>Character sets and every VR, checked against pydicom's encoding and decoding; the dataset API's contracts.</summary>
[TestClass]
public sealed class DatasetTests
{
    /// <summary>pydicom writes a name in each character set; we must read the same text (and keep the bytes of sets we only approximate).</summary>
    [TestMethod]
    [DataRow("ISO_IR 100", "Müller^Zoë", true)]
    [DataRow("ISO_IR 192", "Ђорђе^Łukasz^李", true)]
    [DataRow("ISO_IR 144", "Иванов^Пётр", true)]
    [DataRow("ISO_IR 126", "Παπαδόπουλος^Νίκος", true)]
    [DataRow("ISO_IR 101", "Dvořák^Antonín", true)]
    [DataRow("GB18030", "王^小明", true)]
    [DataRow("ISO 2022 IR 13\\ISO 2022 IR 87", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎", false)]
    public void Specific_character_sets_read_as_pydicom_writes_them(string charset, string name, bool exact)
    {
        var dir = TestPaths.NewTempDirectory();
        var path = Path.Combine(dir, "charset.dcm");
        const string script = """
            import sys, pydicom
            from pydicom.dataset import Dataset, FileMetaDataset
            ds = Dataset()
            ds.SpecificCharacterSet = sys.argv[2].split('\\') if '\\' in sys.argv[2] else sys.argv[2]
            ds.PatientName = sys.argv[3]
            ds.InstitutionName = sys.argv[3].split('^')[0]
            ds.SOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
            ds.SOPInstanceUID = '1.2.3.4'
            ds.file_meta = FileMetaDataset()
            ds.file_meta.TransferSyntaxUID = '1.2.840.10008.1.2.1'
            ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.is_little_endian = True; ds.is_implicit_VR = False
            ds.save_as(sys.argv[1], write_like_original=False)
            """;
        ExternalTool.Python(script, path, charset, name).EnsureSuccess("pydicom write");
        var file = DicomFile.Open(path);
        var read = file.Dataset.GetString(DicomTag.PatientName);
        if (exact)
        {
            Assert.AreEqual(name, read);
            Assert.AreEqual(name.Split('^')[0], file.Dataset.GetString(DicomTag.InstitutionName));
        }
        else
        {
            Assert.IsGreaterThan(0, read.Length); // ISO 2022 escapes: read approximately, never crash
        }

        // Written back by us, the bytes are unchanged: pydicom reads the same name.
        var copy = Path.Combine(dir, "copy.dcm");
        file.Save(copy);
        var back = ExternalTool.Python("import sys, pydicom; print(str(pydicom.dcmread(sys.argv[1]).PatientName), end='')", copy).EnsureSuccess("pydicom read");
        Assert.AreEqual(name, back.StdOut);
    }

    [TestMethod]
    public void Every_vr_round_trips_through_pydicom()
    {
        var dir = TestPaths.NewTempDirectory();
        var ds = new DicomDataset();
        ds.Add(DicomTag.SpecificCharacterSet, "ISO_IR 192");
        ds.Add(DicomTag.SOPClassUID, DicomUID.SecondaryCaptureImageStorage);
        ds.Add(DicomTag.SOPInstanceUID, DicomUID.Generate());
        ds.Add(new DicomTag(0x0029, 0x0010), DicomVR.LO, "OSTEOML VR TEST");
        var element = 0x1000;
        var expected = new Dictionary<string, string>();
        void Put<T>(DicomVR vr, string pythonRepr, params T[] values)
        {
            ds.Add(new DicomTag(0x0029, (ushort)++element), vr, values);
            expected[vr.Code] = pythonRepr;
        }
        Put(DicomVR.AE, "STORE_SCP", "STORE_SCP");
        Put(DicomVR.AS, "063Y", "063Y");
        Put(DicomVR.AT, "[1048608]", DicomTag.PatientID);
        Put(DicomVR.CS, "['A', 'B']", "A", "B");
        Put(DicomVR.DA, "20240131", "20240131");
        Put(DicomVR.DS, "['-0.5', '1E-07', '123456.789']", -0.5, 1e-7, 123456.789);
        Put(DicomVR.DT, "20240131120000.5", "20240131120000.5");
        Put(DicomVR.FD, "[-1.25, 1e+300]", -1.25, 1e300);
        Put(DicomVR.FL, "[3.5]", 3.5f);
        Put(DicomVR.IS, "['-7', '2147483647']", -7, int.MaxValue);
        Put(DicomVR.LO, "Lörem", "Lörem");
        Put(DicomVR.LT, "line one\\line two", "line one\\line two");
        Put(DicomVR.OB, "[1, 2, 3, 0]", (byte)1, (byte)2, (byte)3); // padded to even length with NUL (PS3.5 §6.2)
        Put(DicomVR.OD, "[2.5, -4.0]", 2.5, -4.0);
        Put(DicomVR.OF, "[0.25]", 0.25f);
        Put(DicomVR.OL, "[4294967295]", uint.MaxValue);
        Put(DicomVR.OV, "[18446744073709551615]", ulong.MaxValue);
        Put(DicomVR.OW, "[65535, 1]", (ushort)65535, (ushort)1);
        Put(DicomVR.PN, "Doe^Jane", "Doe^Jane");
        Put(DicomVR.SH, "short", "short");
        Put(DicomVR.SL, "[-2147483648]", int.MinValue);
        Put(DicomVR.SS, "[-32768, 32767]", (short)-32768, (short)32767);
        Put(DicomVR.ST, "short text", "short text");
        Put(DicomVR.SV, "[-9223372036854775808]", long.MinValue);
        Put(DicomVR.TM, "235959.123456", "235959.123456");
        Put(DicomVR.UC, "unlimited characters", "unlimited characters");
        Put(DicomVR.UI, "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1");
        Put(DicomVR.UL, "[4294967295]", uint.MaxValue);
        Put(DicomVR.UN, "[9, 8]", (byte)9, (byte)8);
        Put(DicomVR.UR, "http://example.org/a b", "http://example.org/a b");
        Put(DicomVR.US, "[0, 65535]", (ushort)0, (ushort)65535);
        Put(DicomVR.UT, "unlimited text", "unlimited text");
        Put(DicomVR.UV, "[18446744073709551615]", ulong.MaxValue);
        ds.Add(new DicomTag(0x0029, (ushort)++element), new DicomDataset().Add(DicomTag.CodeValue, "X"));
        expected["SQ"] = "X";
        Assert.AreEqual(DicomVR.All.Count, expected.Count, "every VR is covered");

        var path = Path.Combine(dir, "vrs.dcm");
        new DicomFile(ds).Save(path);
        const string script = """
            import sys, json, struct, pydicom
            ds = pydicom.dcmread(sys.argv[1])
            out = {}
            for el in ds.iterall():
                if el.tag.group != 0x0029 or el.tag.element <= 0x1000: continue
                v = el.value
                if el.VR == 'SQ': r = str(v[0].CodeValue)
                elif el.VR in ('OB', 'UN'): r = str(list(v))
                elif el.VR == 'OW': r = str(list(struct.unpack('<%dH' % (len(v) // 2), v)))
                elif el.VR == 'OD': r = str(list(struct.unpack('<%dd' % (len(v) // 8), v)))
                elif el.VR == 'OF': r = str(list(struct.unpack('<%df' % (len(v) // 4), v)))
                elif el.VR == 'OL': r = str(list(struct.unpack('<%dL' % (len(v) // 4), v)))
                elif el.VR == 'OV': r = str(list(struct.unpack('<%dQ' % (len(v) // 8), v)))
                elif el.VR in ('DS', 'IS', 'CS'): r = str([str(x) for x in v]) if el.VM > 1 or el.VR != 'CS' else str(v)
                elif el.VR == 'AT': r = str([int(v)])
                elif el.VR in ('FD', 'FL', 'SL', 'SS', 'SV', 'UL', 'US', 'UV'): r = str(list(v) if el.VM > 1 else [v])
                else: r = str(v)
                out[el.VR] = r
            print(json.dumps(out))
            """;
        var result = JsonDocument.Parse(ExternalTool.Python(script, path).EnsureSuccess("pydicom").StdOut).RootElement;
        foreach (var (vr, repr) in expected)
            Assert.AreEqual(repr, result.TryGetProperty(vr, out var got) ? got.GetString() : "(missing)", $"VR {vr}");
        Assert.AreEqual("", ExternalTool.Run("dcmdump", ["-dc", path]).EnsureSuccess("dcmdump").StdErr.Trim());

        // And our reader gives the typed values back.
        var back = DicomFile.Open(path).Dataset;
        Assert.AreEqual(ulong.MaxValue, back.GetSingleValue<ulong>(new DicomTag(0x0029, 0x1011)));
        Assert.AreEqual(long.MinValue, back.GetSingleValue<long>(new DicomTag(0x0029, 0x1018)));
        CollectionAssert.AreEqual(new[] { -0.5, 1e-7, 123456.789 }, back.GetValues<double>(new DicomTag(0x0029, 0x1006)));
        Assert.AreEqual("line one\\line two", back.GetString(new DicomTag(0x0029, 0x100C)));
        Assert.AreEqual("Lörem", back.GetSingleValue<string>(new DicomTag(0x0029, 0x100B)));
    }

    [TestMethod]
    public void Dataset_api_keeps_tag_order_and_refuses_silent_overwrites()
    {
        var ds = new DicomDataset();
        ds.Add(DicomTag.Rows, (ushort)512);
        ds.Add(DicomTag.PatientID, "X");
        ds.Add(DicomTag.Modality, "CT");
        CollectionAssert.AreEqual(new[] { DicomTag.Modality, DicomTag.PatientID, DicomTag.Rows }, ds.Select(i => i.Tag).ToArray());
        Assert.ThrowsExactly<ArgumentException>(() => ds.Add(DicomTag.Rows, (ushort)256));
        ds.AddOrUpdate(DicomTag.Rows, (ushort)256);
        Assert.AreEqual(256, ds.GetSingleValue<int>(DicomTag.Rows));
        Assert.IsTrue(ds.TryGetSingleValue<int>(DicomTag.Rows, out var rows) && rows == 256);
        Assert.IsFalse(ds.TryGetString(DicomTag.PatientName, out _));
        Assert.AreEqual(-1, ds.GetSingleValueOrDefault(DicomTag.Columns, -1));
        var missing = Assert.ThrowsExactly<DicomDataException>(() => ds.GetString(DicomTag.PatientName));
        StringAssert.Contains(missing.Message, "PatientName (0010,0010)");
        Assert.ThrowsExactly<ArgumentException>(() => ds.Add(new DicomTag(0x0029, 0x1001), "no VR for a private tag"));
        Assert.AreEqual(DicomTag.PatientID, DicomTag.Parse("(0010,0020)"));
        Assert.AreEqual(DicomTag.PatientID, DicomTag.Parse("PatientID"));
        Assert.AreEqual("PatientID", DicomTag.PatientID.Keyword);
        Assert.AreSame(DicomVR.SQ, DicomDictionary.Lookup(DicomTag.ReferencedImageSequence)!.ValueRepresentation);
        Assert.AreSame(DicomVR.OW, DicomDictionary.Lookup(new DicomTag(0x6002, 0x3000))!.ValueRepresentation, "overlay data repeats over groups 60xx");
        Assert.AreSame(DicomTransferSyntax.JPEGLosslessSV1, DicomTransferSyntax.Lookup("1.2.840.10008.1.2.4.70"));
        Assert.IsFalse(DicomTransferSyntax.Lookup("1.2.3.999").IsKnown);
        Assert.AreEqual("1.2?3", DicomTransferSyntax.Lookup("1.2\n3").UID, "text from a file never breaks a one-line message");
        Assert.AreEqual("12345.6789012346", DicomValues.FormatDecimalString(12345.678901234567)); // 15 significant digits, rounded
        Assert.IsLessThanOrEqualTo(16, DicomValues.FormatDecimalString(-1.0 / 3).Length);
    }
}
