using OsteoML.Imaging;
using OsteoML.Models.Training;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Studies;
using OsteoML.Pipelines.Volumes;
using TorchSharp;

namespace OsteoML.Tests.Pipelines;

/// <summary>
/// The pipeline resamples without libtorch; the models were trained on PyTorch's interpolate. Reference: TorchSharp's
/// own reorientation and <c>interpolate</c> (the training code path), on random volumes in several orientations.
/// </summary>
[TestClass]
public sealed class CanonicalGridTests
{
    public static IEnumerable<object[]> Orientations =>
    [
        [new Direction3(new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(0, 0, 1))],
        [new Direction3(new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(0, 0, -1))],
        [new Direction3(new Vec3(-1, 0, 0), new Vec3(0, 0, 1), new Vec3(0, 1, 0))],
        [new Direction3(new Vec3(0, 1, 0), new Vec3(0, 0, -1), new Vec3(-1, 0, 0))],
    ];

    [TestMethod]
    [DynamicData(nameof(Orientations))]
    public void Trilinear_and_nearest_resampling_match_pytorch_as_the_models_were_trained(Direction3 direction)
    {
        var random = new Random(3);
        var geometry = new VolumeGeometry(new Size3(23, 17, 11), new Vec3(0.8, 1.3, 2.5), new Vec3(5, -7, 11), direction);
        var hu = new Volume<float>(geometry, Enumerable.Range(0, 23 * 17 * 11).Select(_ => (float)(random.NextDouble() * 2000 - 1000)).ToArray());
        var labels = hu.Map(v => (byte)(v > 300 ? 2 : v > 0 ? 1 : 0));
        var grid = new CanonicalGrid(geometry, 2.0);

        using var scope = torch.NewDisposeScope();
        var (reference, spacing) = VolumeTensors.Canonical(hu);
        reference = VolumeTensors.Resample(reference, spacing, [2.0, 2.0, 2.0]);
        CollectionAssert.AreEqual(reference.shape.Select(d => (int)d).ToArray(), grid.Size);
        var expected = VolumeTensors.ToArray(reference);
        var actual = grid.Resample(hu);
        for (var i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-3f * Math.Max(1, Math.Abs(expected[i])), $"voxel {i}");

        var (labelTensor, labelSpacing) = VolumeTensors.Canonical(labels);
        var expectedLabels = VolumeTensors.ToArray(VolumeTensors.Resample(labelTensor, labelSpacing, [2.0, 2.0, 2.0], labels: true));
        CollectionAssert.AreEqual(expectedLabels.Select(v => (byte)v).ToArray(), grid.ResampleNearest(labels));
    }

    [TestMethod]
    public void Nearest_resampling_takes_the_label_of_the_native_slice_whose_centre_is_nearest()
    {
        // Seven 5 mm slices (35 mm) onto 2 mm: 18 model slices of 35/18 mm over the same extent. Each model slice must
        // carry the label of the native slice whose centre is closest to its own — by distance, not by any index formula.
        var geometry = new VolumeGeometry(new Size3(3, 3, 7), new Vec3(2, 2, 5), Vec3.Zero, new Direction3(new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(0, 0, 1)));
        var labels = new Volume<byte>(geometry, Enumerable.Range(0, 3 * 3 * 7).Select(i => (byte)(i / 9)).ToArray());
        var grid = new CanonicalGrid(geometry, 2.0);
        var size = grid.Size;
        Assert.AreEqual(18, size[0]);
        var fromGrid = grid.ResampleNearest(labels);
        using var scope = torch.NewDisposeScope();
        var (tensor, spacing) = VolumeTensors.Canonical(labels);
        var fromTorch = VolumeTensors.ToArray(VolumeTensors.Resample(tensor, spacing, [2.0, 2.0, 2.0], labels: true));
        var plane = size[1] * size[2];
        var flipped = fromGrid[0] > fromGrid[(size[0] - 1) * plane];
        for (var m = 0; m < size[0]; m++)
        {
            var centre = (m + 0.5) * 35.0 / 18;
            var distances = Enumerable.Range(0, 7).Select(k => Math.Abs((k + 0.5) * 5 - centre)).ToArray();
            var nearest = Array.IndexOf(distances, distances.Min());
            var expected = (byte)(flipped ? 6 - nearest : nearest);
            Assert.AreEqual(expected, fromGrid[m * plane], $"model slice {m} (centre {centre:F2} mm)");
            Assert.AreEqual(expected, (byte)fromTorch[m * plane], $"model slice {m}, TorchSharp");
        }
    }

    [TestMethod]
    public void A_model_voxel_maps_back_to_the_native_voxel_it_came_from()
    {
        // Same spacing: the map is a pure permutation and flip, so ToModel lands exactly on integer indices.
        var geometry = new VolumeGeometry(new Size3(5, 6, 7), new Vec3(2, 2, 2), Vec3.Zero, new Direction3(new Vec3(0, 1, 0), new Vec3(0, 0, -1), new Vec3(-1, 0, 0)));
        var volume = new Volume<float>(geometry, Enumerable.Range(0, 5 * 6 * 7).Select(i => (float)i).ToArray());
        var grid = new CanonicalGrid(geometry, 2);
        var model = grid.Resample(volume);
        var size = grid.Size;
        for (var k = 0; k < 7; k++)
        for (var j = 0; j < 6; j++)
        for (var i = 0; i < 5; i++)
        {
            var (d, h, w) = grid.ToModel(i, j, k);
            Assert.AreEqual(volume[i, j, k], model[((int)Math.Round(d) * size[1] + (int)Math.Round(h)) * size[2] + (int)Math.Round(w)]);
        }
    }

    [TestMethod]
    public void Site_keys_are_normalised_and_cannot_be_split_by_the_separator()
    {
        Assert.AreEqual("ST. MARY'S|SIEMENS|SOMATOM FORCE|CT 1|12345", SiteKey.From("  St. Mary's ", "SIEMENS", "SOMATOM  Force", "ct\t1", "12345"));
        Assert.AreEqual("||A/B||", SiteKey.From(null, "", "a|b", "   ", null));
    }

    [TestMethod]
    public void Device_selection_parses_cpu_and_cuda_and_rejects_the_rest()
    {
        Assert.IsNull(DeviceSelection.Parse("cpu").CudaDeviceId);
        Assert.AreEqual(0, DeviceSelection.Parse("cuda").CudaDeviceId);
        Assert.AreEqual(2, DeviceSelection.Parse("CUDA:2").CudaDeviceId);
        Assert.Throws<ArgumentException>(() => DeviceSelection.Parse("gpu"));
    }
}
