using OsteoML.Dicom;
using OsteoML.Pipelines.Studies;
using OsteoML.Pipelines.Volumes;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.RealCt;

/// <summary>NIfTI CT input: HU and geometry as nibabel reads them, scanner fields from a dcm2niix-style sidecar.</summary>
[TestClass]
public sealed class NiftiCtVolumeTests
{
    private static string ExampleCt => TestPaths.Data("real-ct", "totalseg-example", "example_ct.nii.gz");

    [TestMethod]
    public void Hu_and_patient_positions_match_nibabel()
    {
        var ct = NiftiCtVolume.Load(ExampleCt);
        var script = """
            import sys, json, nibabel as nib, numpy as np
            img = nib.load(sys.argv[1]); data = np.asanyarray(img.dataobj)
            out = []
            for i, j, k in [(0, 0, 0), (60, 50, 56), (121, 100, 111), (61, 80, 30)]:
                ras = img.affine @ [i, j, k, 1]
                out.append([i, j, k, float(data[i, j, k]) * float(img.dataobj.slope) + float(img.dataobj.inter), -ras[0], -ras[1], ras[2]])
            print(json.dumps(out))
            """;
        var rows = System.Text.Json.JsonSerializer.Deserialize<double[][]>(ExternalTool.Python(script, ExampleCt).EnsureSuccess("nibabel").StdOut)!;
        foreach (var r in rows)
        {
            int i = (int)r[0], j = (int)r[1], k = (int)r[2];
            Assert.AreEqual(r[3], ct.Hu[i, j, k], 1e-3, $"HU at {i},{j},{k}");
            var p = ct.Hu.Geometry.IndexToWorld(i, j, k);
            Assert.AreEqual(r[4], p.X, 1e-3); Assert.AreEqual(r[5], p.Y, 1e-3); Assert.AreEqual(r[6], p.Z, 1e-3);
        }
    }

    [TestMethod]
    public void A_sidecar_gives_the_scanner_fields_the_site_key_and_the_uids()
    {
        var folder = TestPaths.NewTempDirectory();
        var ct = Path.Combine(folder, "ct.nii.gz");
        File.Copy(ExampleCt, ct);
        File.WriteAllText(Path.Combine(folder, "ct.json"), """
            {"Modality": "CT", "Manufacturer": "Siemens", "ManufacturersModelName": "SOMATOM Force", "InstitutionName": "Hospital A",
             "StationName": "CT01", "DeviceSerialNumber": "12345", "KVP": 100, "ConvolutionKernel": "Br40", "SliceThickness": 3.0,
             "SeriesInstanceUID": "1.2.3.4", "StudyInstanceUID": "1.2.3", "PatientName": "must not be read"}
            """);
        var volume = NiftiCtVolume.Load(ct);
        Assert.AreEqual("1.2.3.4", volume.SeriesInstanceUid);
        Assert.AreEqual("1.2.3", volume.StudyInstanceUid);
        Assert.AreEqual(100.0, volume.Acquisition.KVP);
        Assert.AreEqual("Br40", volume.Acquisition.ConvolutionKernel);
        Assert.AreEqual(3.0, volume.Acquisition.SliceThickness);
        var study = StudySource.FromPath(ct).Studies.Single();
        Assert.AreEqual("HOSPITAL A|SIEMENS|SOMATOM FORCE|CT01|12345", study.SiteKey);
        Assert.AreEqual("1.2.3.4", study.SeriesInstanceUid);

        File.WriteAllText(Path.Combine(folder, "ct.json"), """{"KVP": "120"}""");
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => NiftiCtVolume.Load(ct));
        StringAssert.Contains(ex.Message, "ct.json");
        StringAssert.Contains(ex.Message, "KVP");
    }

    [TestMethod]
    public void Without_a_sidecar_the_series_uid_is_a_valid_uid_fixed_by_the_file_content()
    {
        var folder = TestPaths.NewTempDirectory();
        var a = Path.Combine(folder, "a.nii.gz");
        var b = Path.Combine(folder, "b.nii");
        File.Copy(ExampleCt, a);
        OsteoML.Imaging.Nifti.NiftiFile.Write(b, NiftiCtVolume.Load(ExampleCt).Hu);
        var uid = NiftiCtVolume.SeriesUid(a);
        Assert.IsTrue(DicomUID.IsValid(uid), uid);
        StringAssert.StartsWith(uid, "2.25.");
        Assert.AreEqual(uid, NiftiCtVolume.SeriesUid(ExampleCt), "same bytes, same UID");
        Assert.AreNotEqual(uid, NiftiCtVolume.SeriesUid(b), "other bytes, other UID");
    }
}
