using OsteoML.Synthesis.Sampling;

namespace OsteoML.Synthesis.Rendering;

/// <summary>
/// Smooth random field of unit RMS over a box: iid normal values on a lattice, trilinearly interpolated and
/// rescaled by 1/√(8/27) (the mean-square of trilinear interpolation of unit-variance iid values is (2/3)³).
/// Anisotropic cells make trabecular texture vertically oriented, like the load-bearing trabeculae.
/// </summary>
internal sealed class TextureField
{
    private static readonly float Gain = (float)(1 / Math.Sqrt(8.0 / 27.0));
    private readonly float[] _values;
    private readonly int _nx, _ny, _nz;
    private readonly double _minU, _minV, _minW;
    private readonly double _cellUv, _cellW;

    public TextureField(double halfU, double halfV, double halfW, double cellUv, double cellW, SynthRandom random)
    {
        _cellUv = cellUv;
        _cellW = cellW;
        _minU = -halfU;
        _minV = -halfV;
        _minW = -halfW;
        _nx = (int)Math.Ceiling(2 * halfU / cellUv) + 2;
        _ny = (int)Math.Ceiling(2 * halfV / cellUv) + 2;
        _nz = (int)Math.Ceiling(2 * halfW / cellW) + 2;
        _values = new float[_nx * _ny * _nz];
        for (var i = 0; i < _values.Length; i++)
            _values[i] = (float)random.Gaussian() * Gain;
    }

    public float At(double u, double v, double w)
    {
        var fx = Math.Clamp((u - _minU) / _cellUv, 0, _nx - 1.001);
        var fy = Math.Clamp((v - _minV) / _cellUv, 0, _ny - 1.001);
        var fz = Math.Clamp((w - _minW) / _cellW, 0, _nz - 1.001);
        int x = (int)fx, y = (int)fy, z = (int)fz;
        float tx = (float)(fx - x), ty = (float)(fy - y), tz = (float)(fz - z);
        var i = (z * _ny + y) * _nx + x;
        var plane = _nx * _ny;
        var c00 = Lerp(_values[i], _values[i + 1], tx);
        var c10 = Lerp(_values[i + _nx], _values[i + _nx + 1], tx);
        var c01 = Lerp(_values[i + plane], _values[i + plane + 1], tx);
        var c11 = Lerp(_values[i + plane + _nx], _values[i + plane + _nx + 1], tx);
        return Lerp(Lerp(c00, c10, ty), Lerp(c01, c11, ty), tz);
    }

    private static float Lerp(float a, float b, float t) => a + (b - a) * t;
}
