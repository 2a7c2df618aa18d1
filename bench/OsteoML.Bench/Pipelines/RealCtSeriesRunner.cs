using System.Globalization;
using OsteoML.Dicom.Series;
using OsteoML.Imaging;
using OsteoML.Pipelines.Volumes;

namespace OsteoML.Bench.Pipelines;

/// <summary>
/// <c>pipelines realct-series --out DIR [--size 512x512x300]</c>: TotalSegmentator's real example CT (tests/data, 3 mm) brought
/// to a full-size grid — 512 × 512 square pixels over its 366 mm width (air beyond its 303 mm depth) and 300 slices over its 336 mm — by trilinear
/// interpolation, and written as a classic DICOM series in DIR/realct-full/. Real anatomy at the size a hospital's series
/// has, so <c>osteoml bench --studies DIR</c> times <c>screen</c> on it; the interpolation adds no detail, only voxels.
/// </summary>
internal static class RealCtSeriesRunner
{
    public static void Run(string[] args)
    {
        string? output = null;
        int[] size = [512, 512, 300];
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--out": output = args[++i]; break;
                case "--size": size = args[++i].Split('x').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                default: throw new ArgumentException($"unknown argument {args[i]}; usage: pipelines realct-series --out DIR [--size 512x512x300]");
            }
        }
        if (output is null) throw new ArgumentException("--out DIR is required");
        var source = NiftiCtVolume.Load(Path.Combine(BenchRun.RepositoryRoot(), "tests", "data", "real-ct", "totalseg-example", "example_ct.nii.gz")).Hu;
        var g = source.Geometry;
        var extent = g.ExtentMm;
        // Square pixels over the larger in-plane extent (a scanner's round field of view), centred on the source; beyond the
        // source is air, as outside a scanner's reconstruction circle.
        var pixel = Math.Max(extent.X / size[0], extent.Y / size[1]);
        var spacing = new Vec3(pixel, pixel, extent.Z / size[2]);
        var centre = g.IndexToWorld((g.Size.X - 1) / 2.0, (g.Size.Y - 1) / 2.0, (g.Size.Z - 1) / 2.0);
        var origin = centre - g.Direction.Apply(new Vec3((size[0] - 1) / 2.0 * spacing.X, (size[1] - 1) / 2.0 * spacing.Y, (size[2] - 1) / 2.0 * spacing.Z));
        var target = new VolumeGeometry(new Size3(size[0], size[1], size[2]), spacing, origin, g.Direction);
        var voxels = new float[target.Size.Count];
        Parallel.For(0, size[2], k =>
        {
            for (var j = 0; j < size[1]; j++)
            for (var i = 0; i < size[0]; i++)
            {
                var p = g.WorldToIndex(target.IndexToWorld(i, j, k));
                voxels[((long)k * size[1] + j) * size[0] + i] = Trilinear(source, p);
            }
        });
        var folder = Path.Combine(output, "realct-full");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var files = CtSeriesWriter.Write(new Volume<float>(target, voxels), folder, new CtSeriesDescription
        {
            SeriesDescription = "TotalSegmentator example CT, trilinear to full size",
            Acquisition = new CtAcquisition { Manufacturer = "OsteoML bench", KVP = 120, SliceThickness = spacing.Z },
        });
        Console.WriteLine($"wrote {files.Count} slices of {size[0]}×{size[1]} ({spacing.X:F3} × {spacing.Y:F3} × {spacing.Z:F3} mm) to {folder}");
    }

    private static float Trilinear(Volume<float> v, Vec3 p)
    {
        var s = v.Size;
        const float air = -1024;
        if (p.X < -0.5 || p.Y < -0.5 || p.Z < -0.5 || p.X > s.X - 0.5 || p.Y > s.Y - 0.5 || p.Z > s.Z - 0.5) return air;
        double x = Math.Clamp(p.X, 0, s.X - 1), y = Math.Clamp(p.Y, 0, s.Y - 1), z = Math.Clamp(p.Z, 0, s.Z - 1);
        int x0 = (int)x, y0 = (int)y, z0 = (int)z;
        int x1 = Math.Min(x0 + 1, s.X - 1), y1 = Math.Min(y0 + 1, s.Y - 1), z1 = Math.Min(z0 + 1, s.Z - 1);
        double fx = x - x0, fy = y - y0, fz = z - z0;
        double Lerp(double a, double b, double t) => a + (b - a) * t;
        var c00 = Lerp(v[x0, y0, z0], v[x1, y0, z0], fx);
        var c10 = Lerp(v[x0, y1, z0], v[x1, y1, z0], fx);
        var c01 = Lerp(v[x0, y0, z1], v[x1, y0, z1], fx);
        var c11 = Lerp(v[x0, y1, z1], v[x1, y1, z1], fx);
        return (float)Lerp(Lerp(c00, c10, fy), Lerp(c01, c11, fy), fz);
    }
}
