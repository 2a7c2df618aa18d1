using OsteoML.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace OsteoML.Models.Training;

/// <summary>
/// Volumes to tensors and back, in the models' canonical frame: axes (D, H, W) = (k, j, i) of a volume whose
/// direction is the identity, i.e. W runs to the patient's left, H posterior, D superior (LPS). A DICOM series in
/// any axis-aligned orientation is flipped and permuted into that frame, then resampled to the model's spacing.
/// </summary>
public static class VolumeTensors
{
    /// <summary>A (D, H, W) float tensor of the voxels in canonical orientation, and the spacing (D, H, W) in mm.</summary>
    public static (Tensor Data, double[] Spacing) Canonical<T>(Volume<T> volume) where T : unmanaged
    {
        var size = volume.Size;
        var data = typeof(T) == typeof(float)
            ? torch.tensor((float[])(object)volume.Voxels, [size.Z, size.Y, size.X])
            : typeof(T) == typeof(byte)
                ? torch.tensor((byte[])(object)volume.Voxels, [size.Z, size.Y, size.X]).to(ScalarType.Float32)
                : throw new NotSupportedException($"volumes of {typeof(T).Name}");
        var (permutation, flips) = AxisMapping(volume.Geometry.Direction);
        // Tensor dim for voxel axis a is 2 - a. Canonical patient axis p (0 = X … 2 = Z) comes from voxel axis permutation[p].
        var dims = new long[3];
        var spacing = new double[3];
        for (var p = 0; p < 3; p++)
        {
            dims[2 - p] = 2 - permutation[p];
            spacing[2 - p] = volume.Geometry.Spacing[permutation[p]];
        }
        data = data.permute(dims);
        var flipDims = Enumerable.Range(0, 3).Where(p => flips[p]).Select(p => (long)(2 - p)).ToArray();
        if (flipDims.Length > 0)
            data = data.flip(flipDims);
        return (data.contiguous(), spacing);
    }

    /// <summary>
    /// For each patient axis (X, Y, Z), the voxel axis closest to it and whether it runs the opposite way.
    /// Oblique (e.g. gantry-tilted) volumes map to their nearest axes; the tilt is left to the resampling upstream.
    /// </summary>
    internal static (int[] Permutation, bool[] Flips) AxisMapping(Direction3 direction)
    {
        var permutation = new int[3];
        var flips = new bool[3];
        var used = new bool[3];
        for (var p = 0; p < 3; p++)
        {
            var best = -1;
            for (var a = 0; a < 3; a++)
            {
                if (!used[a] && (best < 0 || Math.Abs(direction[a][p]) > Math.Abs(direction[best][p])))
                    best = a;
            }
            used[best] = true;
            permutation[p] = best;
            flips[p] = direction[best][p] < 0;
        }
        return (permutation, flips);
    }

    /// <summary>Resamples a (D, H, W) tensor with spacing <paramref name="spacing"/> to <paramref name="target"/> mm (trilinear, or nearest for labels).</summary>
    public static Tensor Resample(Tensor data, double[] spacing, double[] target, bool labels = false)
    {
        var size = Enumerable.Range(0, 3).Select(a => (long)Math.Max(1, Math.Round(data.shape[a] * spacing[a] / target[a]))).ToArray();
        return Resize(data, size, labels);
    }

    /// <summary>Resizes a (D, H, W) tensor to <paramref name="size"/> voxels covering the same extent.</summary>
    public static Tensor Resize(Tensor data, long[] size, bool labels = false)
    {
        using var batched = data.unsqueeze(0).unsqueeze(0);
        // Labels: "nearest-exact" takes the source voxel whose centre is nearest, floor((m + 0.5)·in/out). PyTorch's
        // "nearest" takes floor(m·in/out), which moves the labels by (in/out − 1)/2 source voxels against the trilinear
        // HU: 1.5 mm along the slices of a 5 mm series brought to 2 mm.
        var mode = labels ? InterpolationMode.NearestExact : InterpolationMode.Trilinear;
        // align_corners is ignored by nearest-exact, but libtorch warns on every call when it is left unset.
        var resized = nn.functional.interpolate(batched, size, mode: mode, align_corners: false);
        return resized.squeeze(0).squeeze(0);
    }

    public static float[] ToArray(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();
}
