using System.Globalization;
using OsteoML.Imaging;
using OsteoML.Imaging.Nifti;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Imaging;

[TestClass]
public sealed class NiftiFileTests
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Prints nibabel's affine (row-major, 16 numbers), shape, dtype and the data as x-fastest bytes' SHA-256.</summary>
    private const string NibabelProbe = """
        import sys, hashlib, nibabel as nib, numpy as np
        img = nib.load(sys.argv[1])
        a = img.affine
        print(' '.join(repr(float(v)) for v in a.ravel()))
        print(' '.join(str(s) for s in img.shape), img.get_data_dtype().name)
        data = np.asarray(img.dataobj)
        print(hashlib.sha256(data.tobytes(order='F')).hexdigest())
        print(int(img.header['qform_code']), int(img.header['sform_code']))
        print(' '.join(repr(float(v)) for v in img.get_qform().ravel()))
        """;

    public static IEnumerable<object[]> Geometries()
    {
        // Axial feet-first-stored series (k towards the feet), like many CT series read in file order.
        yield return ["axial", new VolumeGeometry(new Size3(7, 5, 4), new Vec3(0.75, 0.75, 2.5), new Vec3(-180.5, -160.25, -412.1),
            new Direction3(new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(0, 0, -1)))];
        // Oblique, right-handed.
        var (s, c) = Math.SinCos(0.3);
        yield return ["oblique", new VolumeGeometry(new Size3(6, 6, 3), new Vec3(1.1, 0.9, 3), new Vec3(12, -7, 33),
            new Direction3(new Vec3(c, s, 0), new Vec3(-s, c, 0), new Vec3(0, 0, 1)))];
    }

    [TestMethod]
    [DynamicData(nameof(Geometries))]
    public void Nibabel_reads_our_file_with_the_LPS_to_RAS_affine(string name, VolumeGeometry geometry)
    {
        var dir = TestPaths.NewTempDirectory();
        var path = Path.Combine(dir, name + ".nii.gz");
        var volume = new Volume<short>(geometry);
        for (var i = 0; i < volume.Voxels.Length; i++)
            volume.Voxels[i] = (short)(i * 37 % 2001 - 1000);
        NiftiFile.Write(path, volume);

        var lines = ExternalTool.Python(NibabelProbe, path).EnsureSuccess("nibabel").StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var affine = lines[0].Split(' ').Select(v => double.Parse(v, Invariant)).ToArray();
        // Hand-computed: RAS = diag(−1, −1, 1) · [Direction·diag(spacing) | origin].
        for (var row = 0; row < 3; row++)
        {
            var flip = row < 2 ? -1 : 1;
            for (var col = 0; col < 3; col++)
                Assert.AreEqual(flip * geometry.Direction[col][row] * geometry.Spacing[col], affine[4 * row + col], 1e-5, $"affine[{row},{col}]");
            Assert.AreEqual(flip * geometry.Origin[row], affine[4 * row + 3], 1e-4, $"affine[{row},3]");
        }
        Assert.AreEqual($"{geometry.Size.X} {geometry.Size.Y} {geometry.Size.Z} int16", lines[1]);
        Assert.AreEqual(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(volume.Voxels.AsSpan()))).ToLowerInvariant(), lines[2]);
        Assert.AreEqual("1 1", lines[3], "qform and sform codes (scanner anatomical)");
        var qform = lines[4].Split(' ').Select(v => double.Parse(v, Invariant)).ToArray();
        for (var i = 0; i < 12; i++)
            Assert.AreEqual(affine[i], qform[i], 1e-4, $"qform[{i}] agrees with the sform");
    }

    [TestMethod]
    [DynamicData(nameof(Geometries))]
    public void A_file_nibabel_wrote_reads_back_with_the_same_geometry_and_values(string name, VolumeGeometry geometry)
    {
        var dir = TestPaths.NewTempDirectory();
        var path = Path.Combine(dir, name + "-nibabel.nii");
        var affine = NiftiFile.RasAffine(geometry);
        var rows = string.Join(",", Enumerable.Range(0, 3).Select(r => "[" + string.Join(",", Enumerable.Range(0, 4).Select(c => affine[r, c].ToString("R", Invariant))) + "]"));
        var script = $$"""
            import sys, numpy as np, nibabel as nib
            data = (np.arange({{geometry.Size.Count}}, dtype=np.float32).reshape(({{geometry.Size.X}}, {{geometry.Size.Y}}, {{geometry.Size.Z}}), order='F') * 0.5 - 3)
            img = nib.Nifti1Image(data, np.array([{{rows}}, [0, 0, 0, 1]]))
            img.header.set_xyzt_units('mm')
            nib.save(img, sys.argv[1])
            """;
        ExternalTool.Python(script, path).EnsureSuccess("nibabel save");

        var image = NiftiFile.Read(path);
        Assert.AreEqual(NiftiDataType.Float32, image.DataType);
        var g = image.Geometry;
        Assert.AreEqual(geometry.Size, g.Size);
        for (var axis = 0; axis < 3; axis++)
        {
            Assert.AreEqual(geometry.Spacing[axis], g.Spacing[axis], 1e-5);
            Assert.AreEqual(geometry.Origin[axis], g.Origin[axis], 1e-4);
            for (var k = 0; k < 3; k++)
                Assert.AreEqual(geometry.Direction[axis][k], g.Direction[axis][k], 1e-6);
        }
        var values = image.ToFloat().Voxels;
        for (var i = 0; i < values.Length; i++)
            Assert.AreEqual(i * 0.5f - 3, values[i]);
    }

    [TestMethod]
    public void Writing_is_byte_identical_and_round_trips_labels()
    {
        var dir = TestPaths.NewTempDirectory();
        var geometry = VolumeGeometry.Axial(new Size3(9, 8, 7), new Vec3(2, 2, 2.5), new Vec3(-10, 20, -300));
        var labels = new Volume<byte>(geometry);
        for (var i = 0; i < labels.Voxels.Length; i++)
            labels.Voxels[i] = (byte)(i % 77);
        NiftiFile.Write(Path.Combine(dir, "a.nii.gz"), labels);
        NiftiFile.Write(Path.Combine(dir, "b.nii.gz"), labels);
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(dir, "a.nii.gz")), File.ReadAllBytes(Path.Combine(dir, "b.nii.gz")));

        var back = NiftiFile.Read(Path.Combine(dir, "a.nii.gz"));
        CollectionAssert.AreEqual(labels.Voxels, back.Stored<byte>().Voxels);
        Assert.AreEqual(geometry.Origin, back.Geometry.Origin);
        Assert.ThrowsExactly<InvalidOperationException>(() => back.Stored<short>());
    }

    [TestMethod]
    public void A_file_that_is_not_NIfTI_is_refused_with_its_name()
    {
        var dir = TestPaths.NewTempDirectory();
        var path = Path.Combine(dir, "broken.nii");
        File.WriteAllBytes(path, new byte[400]);
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => NiftiFile.Read(path));
        StringAssert.Contains(ex.Message, "broken.nii");
        StringAssert.Contains(ex.Message, "sizeof_hdr");
    }
}
