using System.Globalization;
using OsteoML.Imaging;
using OsteoML.Imaging.Filtering;
using OsteoML.Imaging.Nifti;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Imaging;

/// <summary>Gaussian smoothing and binary morphology against scipy.ndimage on the same random volume.</summary>
[TestClass]
public sealed class FilteringTests
{
    private static readonly VolumeGeometry Geometry = VolumeGeometry.Axial(new Size3(23, 17, 11), new Vec3(0.8, 0.8, 2.0));

    private static Volume<float> RandomVolume(int seed)
    {
        var random = new Random(seed);
        var v = new Volume<float>(Geometry);
        for (var i = 0; i < v.Voxels.Length; i++)
            v.Voxels[i] = (float)(random.NextDouble() * 200 - 100);
        return v;
    }

    [TestMethod]
    public void Gaussian_matches_scipy_with_nearest_edges()
    {
        var dir = TestPaths.NewTempDirectory();
        var input = RandomVolume(1);
        var inputPath = Path.Combine(dir, "in.nii");
        NiftiFile.Write(inputPath, input);
        var sigma = new Vec3(1.2, 0.6, 2.5); // mm: 1.5, 0.75 and 1.25 voxels (none on scipy's radius rounding edge)
        var ours = GaussianFilter.Apply(input, sigma);

        var script = """
            import sys, nibabel as nib, numpy as np
            from scipy.ndimage import gaussian_filter
            img = nib.load(sys.argv[1])
            data = np.asarray(img.dataobj).astype(np.float64)
            sig = [float(s) for s in sys.argv[3:6]]
            out = gaussian_filter(data, sig, mode='nearest', truncate=4.0)
            nib.save(nib.Nifti1Image(out.astype(np.float32), img.affine), sys.argv[2])
            """;
        var outPath = Path.Combine(dir, "scipy.nii");
        ExternalTool.Python(script, inputPath, outPath, F(sigma.X / 0.8), F(sigma.Y / 0.8), F(sigma.Z / 2.0)).EnsureSuccess("scipy gaussian_filter");
        var reference = NiftiFile.Read(outPath).ToFloat().Voxels;
        for (var i = 0; i < reference.Length; i++)
            Assert.AreEqual(reference[i], ours.Voxels[i], 2e-4, $"voxel {i}");
    }

    [TestMethod]
    public void Kernel_follows_scipys_radius_rule_and_sums_to_one()
    {
        // scipy: radius = int(truncate · sigma + 0.5).
        Assert.HasCount(2 * 6 + 1, GaussianFilter.Kernel(1.5));
        Assert.HasCount(2 * 2 + 1, GaussianFilter.Kernel(0.5));
        Assert.HasCount(1, GaussianFilter.Kernel(0));
        Assert.AreEqual(1.0, GaussianFilter.Kernel(2.2).Sum(), 1e-6);
    }

    [TestMethod]
    [DataRow(true, 1)]
    [DataRow(true, 2)]
    [DataRow(false, 2)]
    public void Binary_morphology_matches_scipy(bool erode, int iterations)
    {
        var dir = TestPaths.NewTempDirectory();
        var values = RandomVolume(2);
        // A blobby mask: smoothed noise above a threshold.
        var mask = GaussianFilter.Apply(values, new Vec3(1.6, 1.6, 2)).Map(v => v > 0);
        var inputPath = Path.Combine(dir, "mask.nii");
        NiftiFile.Write(inputPath, mask.Map(b => (byte)(b ? 1 : 0)));
        var ours = erode ? BinaryMorphology.Erode(mask, iterations) : BinaryMorphology.Dilate(mask, iterations);

        var script = """
            import sys, nibabel as nib, numpy as np
            from scipy.ndimage import binary_erosion, binary_dilation
            img = nib.load(sys.argv[1])
            m = np.asarray(img.dataobj) > 0
            op = binary_erosion if sys.argv[3] == 'erode' else binary_dilation
            out = op(m, iterations=int(sys.argv[4]), border_value=0)
            nib.save(nib.Nifti1Image(out.astype(np.uint8), img.affine), sys.argv[2])
            """;
        var outPath = Path.Combine(dir, "scipy.nii");
        ExternalTool.Python(script, inputPath, outPath, erode ? "erode" : "dilate", iterations.ToString(CultureInfo.InvariantCulture))
            .EnsureSuccess("scipy binary morphology");
        var reference = NiftiFile.Read(outPath).Stored<byte>().Voxels;
        var changed = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            Assert.AreEqual(reference[i] == 1, ours.Voxels[i], $"voxel {i}");
            changed += ours.Voxels[i] != mask.Voxels[i] ? 1 : 0;
        }
        Assert.IsGreaterThan(0, changed, "the operation changed nothing: the test would not notice a no-op");
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
