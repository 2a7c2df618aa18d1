using OsteoML.Imaging;
using OsteoML.Imaging.Filtering;
using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Sampling;

namespace OsteoML.Synthesis.Rendering;

/// <summary>
/// Renders a calibration phantom scan on a scanner at one kVp with that scanner's own physics: effective kVp (its
/// filtration and the 30 cm body's beam hardening), mineral CT number at that kVp, cupping, the first kernel's
/// point-spread function and noise (at the routine CTDIvol), the calibration's gain and water offset on the scan
/// date, rounding and the stored-value range, padding outside the reconstruction circle. Partial volume in-plane by
/// 3 × 3 supersampling; the rods run along z, so slices differ by noise only.
/// </summary>
public static class PhantomRenderer
{
    public static PhantomScan Render(ScannerProfile scanner, int kvp, DateOnly date, ulong seed, CalibrationPhantom? phantom = null,
        double pixelMm = 1.0, int slices = 7, double sliceMm = 3, double centreXMm = 0, double centreYMm = 0, double rotationDeg = 0)
    {
        phantom ??= CalibrationPhantom.Standard;
        var random = new SynthRandom(seed);
        var effectiveKvp = XRayMaterials.EffectiveKvp(scanner, kvp, phantom.WaterDiameterCm);
        var (gain, offset) = scanner.Calibration.On(date);
        offset += random.Normal(0, scanner.Calibration.JitterHu);
        var kernel = scanner.Kernels[0];
        var noiseSd = NoiseModel.NativeSd(kernel, sliceMm, scanner.ReferenceCtdiVolMGy, phantom.WaterDiameterCm, kvp);
        var fov = Math.Max(scanner.FovMinMm, 2 * phantom.BodyRadiusMm + 60);
        var n = (int)Math.Round(fov / pixelMm);
        var x0 = -fov / 2 + pixelMm / 2;
        var slope = XRayMaterials.MineralHuPerMg(effectiveKvp);
        var (sin, cos) = Math.SinCos(rotationDeg * Math.PI / 180);
        var rods = phantom.Inserts.Select(i => (X: centreXMm + cos * i.XMm - sin * i.YMm, Y: centreYMm + sin * i.XMm + cos * i.YMm, R2: i.RadiusMm * i.RadiusMm, Hu: slope * i.DensityMgCm3)).ToArray();

        // The noiseless true slice (identical along z), then the PSF.
        var truth = new float[n * n];
        for (var j = 0; j < n; j++)
        for (var i = 0; i < n; i++)
        {
            double sum = 0;
            for (var a = -1; a <= 1; a++)
            for (var b = -1; b <= 1; b++)
                sum += TrueHu(x0 + (i + a / 3.0) * pixelMm, x0 + (j + b / 3.0) * pixelMm);
            truth[j * n + i] = (float)(sum / 9);
        }
        var psf = GaussianFilter.Kernel(kernel.ResolutionMm / pixelMm);
        var scratch = new float[n * n];
        var blurred = new float[n * n];
        SeparableConvolution.AlongX(truth, scratch, n, n, psf);
        SeparableConvolution.AlongY(scratch, blurred, n, n, psf);

        var geometry = VolumeGeometry.Axial(new Size3(n, n, slices), new Vec3(pixelMm, pixelMm, sliceMm), new Vec3(x0, x0, 0));
        var volume = new Volume<float>(geometry);
        var noise = new float[n * n];
        var noisePsf = GaussianFilter.Kernel(0.5);
        var noiseGain = (float)(noiseSd / Math.Sqrt(noisePsf.Sum(v => v * v) * noisePsf.Sum(v => v * v)));
        var stored = scanner.StoredValues;
        for (var k = 0; k < slices; k++)
        {
            GaussianNoise.Fill(noise, random);
            SeparableConvolution.AlongX(noise, scratch, n, n, noisePsf);
            SeparableConvolution.AlongY(scratch, noise, n, n, noisePsf);
            for (var j = 0; j < n; j++)
            for (var i = 0; i < n; i++)
            {
                double x = x0 + i * pixelMm, y = x0 + j * pixelMm;
                float value;
                if (stored.OutsideFovHu is { } padding && x * x + y * y > fov * fov / 4) value = (float)padding;
                else
                {
                    var hu = blurred[j * n + i] + Cupping(x, y) + noiseGain * noise[j * n + i];
                    value = (float)Math.Clamp(Math.Round((1 + gain) * hu + offset), stored.MinHu, stored.MaxHu);
                }
                volume[i, j, k] = value;
            }
        }
        return new PhantomScan(volume, phantom, scanner, kvp, effectiveKvp, date, gain, offset, centreXMm, centreYMm, rotationDeg);

        double TrueHu(double x, double y)
        {
            double dx = x - centreXMm, dy = y - centreYMm;
            if (dx * dx + dy * dy > phantom.BodyRadiusMm * phantom.BodyRadiusMm) return XRayMaterials.AirHu;
            foreach (var rod in rods)
                if ((x - rod.X) * (x - rod.X) + (y - rod.Y) * (y - rod.Y) <= rod.R2) return rod.Hu;
            return 0;
        }

        // Residual cupping: lower at the centre of the body, zero at its edge (as in patients).
        double Cupping(double x, double y)
        {
            double dx = (x - centreXMm) / phantom.BodyRadiusMm, dy = (y - centreYMm) / phantom.BodyRadiusMm;
            return -scanner.CuppingHu * Math.Max(0, 1 - dx * dx - dy * dy);
        }
    }
}
