using OsteoML.Imaging;

namespace OsteoML.Pipelines.Volumes;

/// <summary>
/// The backbones' input frame and the way back: arrays (D, H, W) whose axes run inferior→superior,
/// anterior→posterior, right→left (patient LPS, a volume with identity direction, axes (k, j, i)) at an isotropic
/// spacing. A series in any axis-aligned orientation maps onto it by a permutation and flips of its voxel axes,
/// then a resize. Resampling follows PyTorch's <c>interpolate(mode="trilinear", align_corners=False)</c> with an
/// output size of round(n·spacing/target) voxels — exactly what the models were trained on — but maps indices
/// directly, so no reoriented full-resolution copy is made. Oblique (tilted) series map onto their nearest axes.
/// </summary>
public sealed class CanonicalGrid
{
    private readonly int[] _axis = new int[3];     // native voxel axis feeding canonical patient axis p (0 = X … 2 = Z)
    private readonly bool[] _flip = new bool[3];
    private readonly int[] _inSize = new int[3];   // native extent along patient axis p, voxels
    private readonly int[] _outSize = new int[3];  // model-grid extent along patient axis p, voxels

    public CanonicalGrid(VolumeGeometry native, double spacingMm)
    {
        Native = native;
        SpacingMm = spacingMm;
        var used = new bool[3];
        for (var p = 0; p < 3; p++)
        {
            var best = -1;
            for (var a = 0; a < 3; a++)
                if (!used[a] && (best < 0 || Math.Abs(native.Direction[a][p]) > Math.Abs(native.Direction[best][p])))
                    best = a;
            used[best] = true;
            _axis[p] = best;
            _flip[p] = native.Direction[best][p] < 0;
            _inSize[p] = native.Size[best];
            _outSize[p] = (int)Math.Max(1, Math.Round(_inSize[p] * native.Spacing[best] / spacingMm));
        }
    }

    public VolumeGeometry Native { get; }
    public double SpacingMm { get; }

    /// <summary>(D, H, W) of the model grid.</summary>
    public int[] Size => [_outSize[2], _outSize[1], _outSize[0]];

    public long VoxelCount => (long)_outSize[0] * _outSize[1] * _outSize[2];

    /// <summary>The model grid as a volume geometry: identity direction, isotropic spacing (used by the level count).</summary>
    public VolumeGeometry Geometry => VolumeGeometry.Axial(new Size3(_outSize[0], _outSize[1], _outSize[2]), new Vec3(SpacingMm, SpacingMm, SpacingMm));

    /// <summary>The whole volume on the model grid, (D, H, W) flattened, trilinear.</summary>
    public float[] Resample(Volume<float> native)
    {
        var taps = Enumerable.Range(0, 3).Select(p => Taps(p, native.Geometry.Size)).ToArray();
        var output = new float[VoxelCount];
        var source = native.Voxels;
        Parallel.For(0, _outSize[2], d =>
        {
            var (z0, z1, wz0, wz1) = taps[2][d];
            for (var h = 0; h < _outSize[1]; h++)
            {
                var (y0, y1, wy0, wy1) = taps[1][h];
                var row = ((long)d * _outSize[1] + h) * _outSize[0];
                for (var w = 0; w < _outSize[0]; w++)
                {
                    var (x0, x1, wx0, wx1) = taps[0][w];
                    output[row + w] = (float)(
                        wz0 * (wy0 * (wx0 * source[z0 + y0 + x0] + wx1 * source[z0 + y0 + x1]) + wy1 * (wx0 * source[z0 + y1 + x0] + wx1 * source[z0 + y1 + x1]))
                      + wz1 * (wy0 * (wx0 * source[z1 + y0 + x0] + wx1 * source[z1 + y0 + x1]) + wy1 * (wx0 * source[z1 + y1 + x0] + wx1 * source[z1 + y1 + x1])));
                }
            }
        });
        return output;
    }

    /// <summary>A label volume on the model grid, PyTorch's <c>mode="nearest-exact"</c>: the source voxel whose centre is
    /// nearest, floor((m + 0.5)·in/out) — the labels stay on the HU of <see cref="Resample"/>.</summary>
    public byte[] ResampleNearest(Volume<byte> native)
    {
        var size = native.Geometry.Size;
        var index = Enumerable.Range(0, 3).Select(p => Enumerable.Range(0, _outSize[p]).Select(m =>
        {
            var c = Math.Min((int)Math.Floor((m + 0.5) * ((double)_inSize[p] / _outSize[p])), _inSize[p] - 1);
            var stride = _axis[p] switch { 0 => 1L, 1 => size.X, _ => (long)size.X * size.Y };
            return (_flip[p] ? _inSize[p] - 1 - c : c) * stride;
        }).ToArray()).ToArray();
        var output = new byte[VoxelCount];
        for (var d = 0; d < _outSize[2]; d++)
        for (var h = 0; h < _outSize[1]; h++)
        for (var w = 0; w < _outSize[0]; w++)
            output[((long)d * _outSize[1] + h) * _outSize[0] + w] = native.Voxels[index[2][d] + index[1][h] + index[0][w]];
        return output;
    }

    /// <summary>Continuous model-grid coordinates (D, H, W) of native voxel (i, j, k) — the inverse of the resize.</summary>
    public (double D, double H, double W) ToModel(int i, int j, int k)
    {
        Span<int> native = [i, j, k];
        Span<double> m = stackalloc double[3];
        for (var p = 0; p < 3; p++)
        {
            var index = native[_axis[p]];
            var c = _flip[p] ? _inSize[p] - 1 - index : index;
            m[p] = (c + 0.5) * _outSize[p] / _inSize[p] - 0.5;
        }
        return (m[2], m[1], m[0]);
    }

    /// <summary>Patient coordinates (mm) of a point of the model grid given in its own millimetres (index × spacing, the
    /// frame of <see cref="Geometry"/>) — the inverse of the resize, then the series' own geometry.</summary>
    public Vec3 ModelToPatient(Vec3 modelMm)
    {
        Span<double> m = [modelMm.X / SpacingMm, modelMm.Y / SpacingMm, modelMm.Z / SpacingMm];
        Span<double> native = stackalloc double[3];
        for (var p = 0; p < 3; p++)
        {
            var c = (m[p] + 0.5) * _inSize[p] / _outSize[p] - 0.5;
            native[_axis[p]] = _flip[p] ? _inSize[p] - 1 - c : c;
        }
        return Native.IndexToWorld(native[0], native[1], native[2]);
    }

    /// <summary>The native voxel index range (inclusive) covering model-grid box [lo, hi] (D, H, W), clamped to the volume.</summary>
    public (int[] Lo, int[] Hi) NativeBox(int[] lo, int[] hi, int marginVoxels)
    {
        var nativeLo = new int[3];
        var nativeHi = new int[3];
        for (var p = 0; p < 3; p++)
        {
            var modelLo = lo[2 - p] - 0.5;
            var modelHi = hi[2 - p] + 0.5;
            var scale = (double)_inSize[p] / _outSize[p];
            var c0 = (int)Math.Floor((modelLo + 0.5) * scale - 0.5) - marginVoxels;
            var c1 = (int)Math.Ceiling((modelHi + 0.5) * scale - 0.5) + marginVoxels;
            c0 = Math.Clamp(c0, 0, _inSize[p] - 1);
            c1 = Math.Clamp(c1, 0, _inSize[p] - 1);
            var (a0, a1) = _flip[p] ? (_inSize[p] - 1 - c1, _inSize[p] - 1 - c0) : (c0, c1);
            nativeLo[_axis[p]] = a0;
            nativeHi[_axis[p]] = a1;
        }
        return (nativeLo, nativeHi);
    }

    /// <summary>
    /// Trilinear weights of model-grid index <paramref name="m"/> along patient axis p, PyTorch-style: source
    /// coordinate (m + ½)·in/out − ½, clamped below at 0; as native linear offsets (flip applied) and weights.
    /// </summary>
    private (long Lo, long Hi, double WLo, double WHi) Tap(int p, int m, Size3 nativeSize)
    {
        var scale = (double)_inSize[p] / _outSize[p];
        var src = Math.Max(0, (m + 0.5) * scale - 0.5);
        var i0 = Math.Min((int)src, _inSize[p] - 1);
        var i1 = Math.Min(i0 + 1, _inSize[p] - 1);
        var l1 = src - i0;
        var stride = _axis[p] switch { 0 => 1L, 1 => nativeSize.X, _ => (long)nativeSize.X * nativeSize.Y };
        long Offset(int c) => (_flip[p] ? _inSize[p] - 1 - c : c) * stride;
        return (Offset(i0), Offset(i1), 1 - l1, l1);
    }

    private (long, long, double, double)[] Taps(int p, Size3 nativeSize) =>
        Enumerable.Range(0, _outSize[p]).Select(m => Tap(p, m, nativeSize)).ToArray();
}
