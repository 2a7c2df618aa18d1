using System.Numerics;
using System.Runtime.InteropServices;
using OsteoML.Imaging.Filtering;
using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Sampling;

namespace OsteoML.Synthesis.Rendering;

/// <summary>
/// What a reconstruction does to the true HU map of one slice, in order: residual cupping, quantum noise with the
/// kernel's texture, the kernel's blur (point-spread function, with edge enhancement for sharp kernels; the
/// noise is blurred too, as in a real reconstruction), the scanner's calibration error (gain about water,
/// offset), the reconstruction circle, and storage as integers in the scanner's convention.
/// </summary>
internal sealed class ImageFormation
{
    private readonly float[] _psf, _psfWide, _grain;
    private readonly float _edge, _grainWeight;
    private readonly float _whiteSd;
    private readonly float _gain, _offset;
    private readonly StoredValueConvention _stored;
    private readonly double _fovRadius2, _fovCx, _fovCy;
    private readonly float[] _cupping;

    public ImageFormation(RenderGrid grid, Acquisition acquisition, ScannerProfile scanner, Scene scene, double waterDiameterCm)
    {
        var kernel = acquisition.Kernel;
        var (psf, wide, grain) = Kernels(kernel, grid.PixelMm);
        _psf = psf;
        _psfWide = wide;
        _grain = grain;
        _edge = (float)kernel.EdgeEnhancement;
        _grainWeight = (float)kernel.NoiseGrain;

        // The series' noise is defined on the scanner's own grid; coarser grids average it.
        NoiseSd = NoiseOnGrid(acquisition, grid);
        _whiteSd = (float)(NoiseSd / FilterNorm(psf, wide, grain, _edge, _grainWeight).L2);

        _gain = (float)(1 + acquisition.GainError);
        _offset = (float)acquisition.OffsetHu;
        _stored = scanner.StoredValues;
        _fovRadius2 = Math.Pow(acquisition.FovMm / 2, 2);
        _fovCx = acquisition.FovCentreXMm;
        _fovCy = acquisition.FovCentreYMm;
        _cupping = CuppingMap(grid, scene, scanner.CuppingHu * Math.Pow(waterDiameterCm / 30, 2));
    }

    /// <summary>Expected noise SD (HU) in a uniform region on this grid.</summary>
    public double NoiseSd { get; }

    /// <summary>
    /// Expected noise SD on <paramref name="grid"/>: the native value for the grid's slice thickness (∝ 1/√thickness),
    /// reduced on coarser pixels by block averaging: variance × min(1, A/n) with n native pixels per grid pixel and A
    /// the native noise's correlation area (Σh)²/Σh² in pixels.
    /// </summary>
    public static double NoiseOnGrid(Acquisition acquisition, RenderGrid grid)
    {
        var sd = acquisition.NoiseSdHu * Math.Sqrt(acquisition.Slice.ThicknessMm / grid.ThicknessMm);
        var ratio = grid.PixelMm / grid.NativePixelMm;
        if (ratio <= 1.0001)
            return sd;
        var (psf, wide, grain) = Kernels(acquisition.Kernel, grid.NativePixelMm);
        var (l2, sum) = FilterNorm(psf, wide, grain, (float)acquisition.Kernel.EdgeEnhancement, (float)acquisition.Kernel.NoiseGrain);
        var area = sum * sum / (l2 * l2);
        return sd * Math.Sqrt(Math.Min(1, area / (ratio * ratio)));
    }

    /// <summary>1D kernels in pixels: the PSF (kernel resolution with the pixel's own box, σ² += Δ²/12), the wide
    /// Gaussian for edge enhancement, and the grain filter's low-pass.</summary>
    private static (float[] Psf, float[] Wide, float[] Grain) Kernels(ReconstructionKernel kernel, double pixelMm)
    {
        var sigma = Math.Sqrt(kernel.ResolutionMm * kernel.ResolutionMm + pixelMm * pixelMm / 12) / pixelMm;
        return (GaussianFilter.Kernel(sigma, 3), GaussianFilter.Kernel(2 * sigma, 3), GaussianFilter.Kernel(kernel.NoiseGrainScaleMm / pixelMm, 3));
    }

    /// <summary>L2 norm and sum of the 2D impulse response PSF ∗ (δ − α·G), PSF = (1+β)·G(σ) − β·G(2σ).</summary>
    private static (double L2, double Sum) FilterNorm(float[] psf, float[] wide, float[] grain, float edge, float alpha)
    {
        var a = Pad(psf, wide.Length + grain.Length);
        var b = Pad(wide, wide.Length + grain.Length);
        var ag = Convolve(a, grain);
        var bg = Convolve(b, grain);
        int n = a.Length, offset = (ag.Length - n) / 2;
        double l2 = 0, sum = 0;
        for (var y = 0; y < ag.Length; y++)
        {
            for (var x = 0; x < ag.Length; x++)
            {
                double Direct(double[] k, int i) => i - offset >= 0 && i - offset < n ? k[i - offset] : 0;
                var direct = (1 + edge) * Direct(a, x) * Direct(a, y) - edge * Direct(b, x) * Direct(b, y);
                var smoothed = (1 + edge) * ag[x] * ag[y] - edge * bg[x] * bg[y];
                var h = direct - alpha * smoothed;
                l2 += h * h;
                sum += h;
            }
        }
        return (Math.Sqrt(l2), sum);
    }

    private static double[] Pad(float[] kernel, int length)
    {
        var result = new double[Math.Max(length | 1, kernel.Length)];
        var start = (result.Length - kernel.Length) / 2;
        for (var i = 0; i < kernel.Length; i++)
            result[start + i] = kernel[i];
        return result;
    }

    private static double[] Convolve(double[] a, float[] b)
    {
        var result = new double[a.Length + b.Length - 1];
        for (var i = 0; i < a.Length; i++)
            for (var j = 0; j < b.Length; j++)
                result[i + j] += a[i] * b[j];
        return result;
    }

    /// <summary>Residual cupping: HU depressed towards the centre of the body's section, zero at its edge.</summary>
    private static float[] CuppingMap(RenderGrid grid, Scene scene, double depthHu)
    {
        var map = new float[grid.Columns * grid.Rows];
        for (var j = 0; j < grid.Rows; j++)
        {
            var y = (grid.Y0 + j * grid.PixelMm - scene.BodyCentreY) / scene.BodyHalfDepth;
            for (var i = 0; i < grid.Columns; i++)
            {
                var x = (grid.X0 + i * grid.PixelMm - scene.BodyCentreX) / scene.BodyHalfWidth;
                map[j * grid.Columns + i] = (float)(-depthHu * Math.Max(0, 1 - x * x - y * y));
            }
        }
        return map;
    }

    /// <summary>Turns the slice's true HU (in <paramref name="image"/>) into the stored, reconstructed values in place.</summary>
    public void Apply(float[] image, int columns, int rows, SynthRandom noiseRandom, Buffers buffers)
    {
        Add(image, _cupping, 1);

        // Noise: white, minus α × its low frequencies (FBP's ramp-like texture); it passes through the PSF below.
        var white = buffers.White;
        GaussianNoise.Fill(white, noiseRandom);
        SeparableConvolution.AlongX(white, buffers.Scratch, columns, rows, _grain);
        SeparableConvolution.AlongY(buffers.Scratch, buffers.Low, columns, rows, _grain);
        Add(image, white, _whiteSd);
        Add(image, buffers.Low, -_whiteSd * _grainWeight);

        SeparableConvolution.AlongX(image, buffers.Scratch, columns, rows, _psf);
        SeparableConvolution.AlongY(buffers.Scratch, buffers.Low, columns, rows, _psf);
        if (_edge > 0)
        {
            SeparableConvolution.AlongX(image, buffers.Scratch, columns, rows, _psfWide);
            SeparableConvolution.AlongY(buffers.Scratch, buffers.White, columns, rows, _psfWide);
            for (var i = 0; i < image.Length; i++)
                image[i] = (1 + _edge) * buffers.Low[i] - _edge * buffers.White[i];
        }
        else
        {
            buffers.Low.AsSpan().CopyTo(image);
        }

        var min = (float)_stored.MinHu;
        var max = (float)_stored.MaxHu;
        var outside = _stored.OutsideFovHu;
        for (var j = 0; j < rows; j++)
        {
            var y = buffers.Y0 + j * buffers.Pixel - _fovCy;
            for (var i = 0; i < columns; i++)
            {
                var index = j * columns + i;
                var x = buffers.X0 + i * buffers.Pixel - _fovCx;
                if (outside is { } padding && x * x + y * y > _fovRadius2)
                {
                    image[index] = (float)padding;
                    continue;
                }
                // Gain is a scale error about water (0 HU) plus a water offset.
                var hu = _gain * image[index] + _offset;
                image[index] = Math.Clamp(MathF.Round(hu), min, max);
            }
        }
    }

    private static void Add(float[] target, float[] values, float weight)
    {
        var t = MemoryMarshal.Cast<float, Vector<float>>(target.AsSpan());
        var v = MemoryMarshal.Cast<float, Vector<float>>(values.AsSpan());
        var w = new Vector<float>(weight);
        for (var i = 0; i < t.Length; i++)
            t[i] += v[i] * w;
        for (var i = t.Length * Vector<float>.Count; i < target.Length; i++)
            target[i] += values[i] * weight;
    }

    /// <summary>Per-thread work arrays for one slice.</summary>
    internal sealed class Buffers(RenderGrid grid)
    {
        public float[] White { get; } = new float[grid.Columns * grid.Rows];
        public float[] Low { get; } = new float[grid.Columns * grid.Rows];
        public float[] Scratch { get; } = new float[grid.Columns * grid.Rows];
        public double X0 { get; } = grid.X0;
        public double Y0 { get; } = grid.Y0;
        public double Pixel { get; } = grid.PixelMm;
    }
}
