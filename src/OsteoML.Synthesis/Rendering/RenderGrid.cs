using OsteoML.Imaging;
using OsteoML.Synthesis.Physics;

namespace OsteoML.Synthesis.Rendering;

/// <summary>How large a grid to render on. <see cref="RenderSize.Full"/> is the scanner's own grid (its matrix over
/// the FOV, the series' slice thickness and spacing); <see cref="RenderSize.Reduced"/> keeps the FOV and the
/// coverage but uses pixels of at least <see cref="ReducedPixelMm"/> and slices of at least
/// <see cref="ReducedSliceMm"/>.</summary>
public sealed record RenderOptions
{
    public static readonly RenderOptions Reduced = new() { Size = RenderSize.Reduced };
    public static readonly RenderOptions Full = new() { Size = RenderSize.Full };

    public RenderSize Size { get; init; } = RenderSize.Reduced;
    public double ReducedPixelMm { get; init; } = 2.0;
    public double ReducedSliceMm { get; init; } = 2.0;
    /// <summary>Thick slices are integrated over sub-slices at most this far apart (their slice profile).</summary>
    public double MaxSubSliceMm { get; init; } = 1.25;

    public static RenderOptions For(RenderSize size) => size == RenderSize.Full ? Full : Reduced;
}

/// <summary>The voxel grid of one rendered series, axial, k increasing towards the head.</summary>
internal sealed record RenderGrid(
    int Columns,
    int Rows,
    int Slices,
    double PixelMm,
    double NativePixelMm,
    double ThicknessMm,
    double SpacingMm,
    double X0,
    double Y0,
    double Z0,
    int SubSlices)
{
    public VolumeGeometry Geometry => VolumeGeometry.Axial(new Size3(Columns, Rows, Slices), new Vec3(PixelMm, PixelMm, SpacingMm), new Vec3(X0, Y0, Z0));

    public double SliceZ(int k) => Z0 + k * SpacingMm;

    /// <summary>Centre z of sub-slice <paramref name="s"/> of slice <paramref name="k"/> (a box slice profile).</summary>
    public double SubSliceZ(int k, int s) => SliceZ(k) + ThicknessMm * ((s + 0.5) / SubSlices - 0.5);

    public static RenderGrid For(Acquisition acquisition, int matrix, double zBottom, double zTop, RenderOptions options)
    {
        var native = acquisition.FovMm / matrix;
        int n;
        double pixel, thickness, spacing;
        if (options.Size == RenderSize.Full)
        {
            n = matrix;
            pixel = Math.Round(native, 4);
            thickness = acquisition.Slice.ThicknessMm;
            spacing = acquisition.Slice.SpacingMm;
        }
        else
        {
            n = (int)Math.Round(acquisition.FovMm / Math.Max(native, options.ReducedPixelMm));
            pixel = Math.Round(acquisition.FovMm / n, 4);
            thickness = Math.Max(acquisition.Slice.ThicknessMm, options.ReducedSliceMm);
            spacing = Math.Max(acquisition.Slice.SpacingMm, options.ReducedSliceMm);
        }
        var slices = (int)Math.Floor((zTop - zBottom) / spacing + 1e-9) + 1;
        // An odd number of sub-slices puts one at the slice centre, where labels are sampled.
        var sub = (int)Math.Ceiling(thickness / options.MaxSubSliceMm);
        if (sub % 2 == 0)
            sub++;
        // DICOM-style origin: the centre of the first pixel, FOV centred on the reconstruction centre. Spacing and
        // origin are kept to 0.1 µm so the DICOM headers state the grid exactly.
        var x0 = Math.Round(acquisition.FovCentreXMm - n * pixel / 2 + pixel / 2, 4);
        var y0 = Math.Round(acquisition.FovCentreYMm - n * pixel / 2 + pixel / 2, 4);
        // Slices run down from the top of the range, as the scanner reconstructs them.
        var z0 = Math.Round(zTop - (slices - 1) * spacing, 4);
        return new RenderGrid(n, n, slices, pixel, native, thickness, spacing, x0, y0, z0, sub);
    }
}
