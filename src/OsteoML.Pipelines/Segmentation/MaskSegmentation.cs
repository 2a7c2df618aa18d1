using System.Diagnostics;
using OsteoML.Dicom.Series;
using OsteoML.Imaging;
using OsteoML.Inference;
using OsteoML.Pipelines.Volumes;

namespace OsteoML.Pipelines.Segmentation;

/// <summary>
/// Bring your own segmentation: a <see cref="VertebraSegmentation"/> made from someone else's per-level vertebra masks
/// (TotalSegmentator, VerSe, nnU-Net …) instead of our network, so the rest of the chain — ROI, tissues, DenseNet crop,
/// heads, calibration, QA — runs unchanged. Levels come from the masks' labels, so there is no level count and no rib
/// rule; L1 and L2 must both be there and not cut by the scan's craniocaudal edge, else the study is refused as "not
/// covered". The masks stand in for our trabecular class: whole bodies (or whole vertebrae without a body mask) keep
/// their cortex, and the measurement's in-plane rim is what leaves the shell out. Confidence is 1: the user vouches for them.
/// </summary>
public static class MaskSegmentation
{
    public static VertebraSegmentation Build(CtVolume ct, ReferenceVertebrae masks, double modelSpacingMm, string modelSha256)
    {
        var clock = Stopwatch.StartNew();
        var geometry = ct.Hu.Geometry;
        var codes = new Volume<byte>(geometry);
        foreach (var level in VertebraSegmentation.Levels)
        {
            if (!masks.Masks.TryGetValue(level, out var mask)) continue;
            var code = VertebraSegmentation.LevelCode(level);
            for (var v = 0; v < mask.Voxels.Length; v++)
                if (mask.Voxels[v]) codes.Voxels[v] = code;
        }

        int[] lo = [int.MaxValue, int.MaxValue, int.MaxValue], hi = [-1, -1, -1];
        var edge = new HashSet<byte>();
        var axis = VertebraLevels.CraniocaudalAxis(geometry.Direction);
        for (var k = 0; k < geometry.Size.Z; k++)
        for (var j = 0; j < geometry.Size.Y; j++)
        for (var i = 0; i < geometry.Size.X; i++)
        {
            var code = codes[i, j, k];
            if (code == 0) continue;
            lo[0] = Math.Min(lo[0], i); lo[1] = Math.Min(lo[1], j); lo[2] = Math.Min(lo[2], k);
            hi[0] = Math.Max(hi[0], i); hi[1] = Math.Max(hi[1], j); hi[2] = Math.Max(hi[2], k);
            var index = axis switch { 0 => i, 1 => j, _ => k };
            if (index == 0 || index == geometry.Size[axis] - 1) edge.Add(code);
        }
        byte[] native = [];
        if (hi[0] >= 0)
        {
            int nx = hi[0] - lo[0] + 1, ny = hi[1] - lo[1] + 1, nz = hi[2] - lo[2] + 1;
            native = new byte[(long)nx * ny * nz];
            for (var z = 0; z < nz; z++)
            for (var y = 0; y < ny; y++)
            for (var x = 0; x < nx; x++)
                native[((long)z * ny + y) * nx + x] = codes[lo[0] + x, lo[1] + y, lo[2] + z];
        }
        else
        {
            lo = [0, 0, 0];
        }

        var grid = new CanonicalGrid(geometry, modelSpacingMm);
        var modelLevels = grid.ResampleNearest(codes);
        var positions = LevelPositions.Of(geometry, lo, hi, native);
        var bodies = new List<SegmentedBody>();
        foreach (var level in VertebraSegmentation.Levels.Reverse())
        {
            var code = VertebraSegmentation.LevelCode(level);
            if (!positions.TryGetValue(code, out var p)) continue;
            var voxels = codes.Voxels.LongCount(c => c == code);
            bodies.Add(new SegmentedBody(level, code, voxels * geometry.VoxelVolumeMm3 / 1000, 1.0, edge.Contains(code), BearsRibs: false,
                [p.Centroid.X, p.Centroid.Y, p.Centroid.Z], p.SuperiorMm, p.InferiorMm));
        }

        var (status, reason) = Verdict(bodies);
        return new VertebraSegmentation
        {
            SeriesInstanceUid = ct.SeriesInstanceUid,
            ModelSha256 = modelSha256,
            Status = status,
            Reason = reason,
            Bodies = bodies,
            Confidence = status == LevelStatus.Identified ? 1.0 : double.NaN,
            ModelSpacingMm = modelSpacingMm,
            ModelSize = grid.Size,
            ModelLevels = modelLevels,
            NativeLo = lo,
            NativeHi = hi,
            NativeLevels = native,
            SegmentationSeconds = clock.Elapsed.TotalSeconds,
        };
    }

    private static (LevelStatus, string) Verdict(IReadOnlyList<SegmentedBody> bodies)
    {
        foreach (var level in new[] { "L1", "L2" })
        {
            var body = bodies.FirstOrDefault(b => b.Level == level);
            if (body is null) return (LevelStatus.NotCovered, $"the masks have no {level}");
            if (body.TouchesScanEdge) return (LevelStatus.NotCovered, $"{level} of the masks is cut by the scan's edge");
        }
        return (LevelStatus.Identified, "levels from the masks' labels");
    }
}
