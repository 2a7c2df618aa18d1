namespace OsteoML.Imaging.Filtering;

/// <summary>
/// Gaussian smoothing with sigmas in millimetres, separable and edge-extended: the same kernel and edges as
/// <c>scipy.ndimage.gaussian_filter(mode='nearest', truncate=4.0)</c>.
/// </summary>
public static class GaussianFilter
{
    public const double DefaultTruncate = 4.0;

    /// <summary>Normalised sampled Gaussian of radius <c>round(truncate · sigma)</c> voxels (scipy's rule); sigma 0 gives [1].</summary>
    public static float[] Kernel(double sigmaVoxels, double truncate = DefaultTruncate)
    {
        if (sigmaVoxels < 0 || double.IsNaN(sigmaVoxels))
            throw new ArgumentOutOfRangeException(nameof(sigmaVoxels), sigmaVoxels, "A Gaussian's sigma must be ≥ 0.");
        if (sigmaVoxels == 0)
            return [1f];
        var radius = (int)(truncate * sigmaVoxels + 0.5);
        var weights = new double[2 * radius + 1];
        for (var i = -radius; i <= radius; i++)
            weights[i + radius] = Math.Exp(-0.5 * i * i / (sigmaVoxels * sigmaVoxels));
        var sum = weights.Sum();
        return weights.Select(w => (float)(w / sum)).ToArray();
    }

    /// <summary>A smoothed copy of <paramref name="volume"/>; an axis with sigma 0 is left alone.</summary>
    public static Volume<float> Apply(Volume<float> volume, Vec3 sigmaMm, double truncate = DefaultTruncate)
    {
        var size = volume.Size;
        var current = (float[])volume.Voxels.Clone();
        var scratch = new float[current.Length];
        var plane = size.X * size.Y;
        for (var axis = 0; axis < 3; axis++)
        {
            var kernel = Kernel(sigmaMm[axis] / volume.Geometry.Spacing[axis], truncate);
            if (kernel.Length == 1)
                continue;
            if (axis == 2)
            {
                SeparableConvolution.AlongZ(current, scratch, plane, size.Z, kernel);
            }
            else
            {
                for (var z = 0; z < size.Z; z++)
                {
                    var source = current.AsSpan(z * plane, plane);
                    var target = scratch.AsSpan(z * plane, plane);
                    if (axis == 0)
                        SeparableConvolution.AlongX(source, target, size.X, size.Y, kernel);
                    else
                        SeparableConvolution.AlongY(source, target, size.X, size.Y, kernel);
                }
            }
            (current, scratch) = (scratch, current);
        }
        return new Volume<float>(volume.Geometry, current);
    }
}
