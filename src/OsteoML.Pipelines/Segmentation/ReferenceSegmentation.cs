using OsteoML.Domain;
using OsteoML.Imaging;
using OsteoML.Imaging.Nifti;
using OsteoML.Inference;
using OsteoML.Pipelines.Studies;
using OsteoML.Pipelines.Volumes;

namespace OsteoML.Pipelines.Segmentation;

/// <summary>
/// A segmentation taken from a reference label map on the series' grid (manual masks, or a synthetic cohort's true
/// labels) instead of the network: what the measurements would be with perfect masks — the "physics floor" of the
/// evaluation — and a way to test everything after segmentation on its own. Put it in the store under the series'
/// key and the pipeline uses it as if SegmentVertebrae had produced it.
/// </summary>
public static class ReferenceSegmentation
{
    /// <summary>
    /// Puts every case of a synthetic cohort (its manifest's <c>label_path</c> label maps) in the segmentation store
    /// under <paramref name="cacheDirectory"/> as its true trabecular masks, keyed for the segmentation model in
    /// <paramref name="segmentationModelDirectory"/>: a pipeline run with that cache then measures on perfect masks
    /// instead of the network's. Series already in the store are kept. Returns how many were added.
    /// </summary>
    public static int SeedCohort(string cohortDirectory, string cacheDirectory, string segmentationModelDirectory, int jobs = 1)
    {
        var card = ModelCard.ReadFolder(segmentationModelDirectory);
        var manifest = Path.Combine(cohortDirectory, "manifest.csv");
        var rows = CohortManifest.Read(manifest);
        if (rows.FirstOrDefault(r => r.LabelPath.Length == 0) is { } bare)
            throw new InvalidDataException($"{manifest}: row {bare.Line}, column label_path: empty (reference masks need the cohort's label maps).");
        var store = new SegmentationStore(Path.Combine(cacheDirectory, SegmentationStore.CacheFolder));
        var added = 0;
        Parallel.ForEach(rows, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs) }, row =>
        {
            var key = SegmentationStore.Key(row.SeriesUid, card.Sha256,
                Volumes.StudyVolumes.ContentFingerprint(Path.GetFullPath(Path.Combine(cohortDirectory, row.SeriesDir)), row.SeriesUid));
            if (store.Contains(key)) return;
            var labels = NiftiFile.Read(Path.Combine(cohortDirectory, row.LabelPath)).Stored<byte>();
            store.Put(key, FromLabels(labels, SyntheticLevel, row.SeriesUid, card.Sha256, card.Preprocessing.SpacingMm[0]));
            Interlocked.Increment(ref added);
        });
        return added;
    }

    /// <summary>The level of a synthetic cohort's trabecular label ("L1_trabecular" → "L1"), or null for any other label.</summary>
    public static string? SyntheticLevel(byte label) =>
        SyntheticLabels.Legend.TryGetValue(label, out var name) && name.EndsWith(TrabecularSuffix, StringComparison.Ordinal) ? name[..^TrabecularSuffix.Length] : null;

    private const string TrabecularSuffix = "_trabecular";

    /// <param name="levelOf">The vertebral level whose trabecular bone a label value is (e.g. "L1"), or null.</param>
    /// <param name="source">What the labels are, for the segmentation's reason ("reference labels", "the masks' labels").</param>
    public static VertebraSegmentation FromLabels(Volume<byte> labels, Func<byte, string?> levelOf, string seriesInstanceUid, string modelSha256, double modelSpacingMm,
        string source = "reference labels")
    {
        var codes = new byte[256];
        for (var v = 0; v < 256; v++)
            if (levelOf((byte)v) is { } level && VertebraSegmentation.Levels.Contains(level)) codes[v] = VertebraSegmentation.LevelCode(level);
        var native = labels.Map(v => codes[v]);
        var grid = new CanonicalGrid(labels.Geometry, modelSpacingMm);
        var model = grid.ResampleNearest(native);
        var size = labels.Size;
        int[] lo = [size.X, size.Y, size.Z], hi = [-1, -1, -1];
        var volumes = new Dictionary<byte, long>();
        for (var k = 0; k < size.Z; k++)
        for (var j = 0; j < size.Y; j++)
        for (var i = 0; i < size.X; i++)
        {
            var c = native[i, j, k];
            if (c == 0) continue;
            volumes[c] = volumes.GetValueOrDefault(c) + 1;
            lo[0] = Math.Min(lo[0], i); lo[1] = Math.Min(lo[1], j); lo[2] = Math.Min(lo[2], k);
            hi[0] = Math.Max(hi[0], i); hi[1] = Math.Max(hi[1], j); hi[2] = Math.Max(hi[2], k);
        }
        var l1 = VertebraSegmentation.LevelCode("L1");
        var l2 = VertebraSegmentation.LevelCode("L2");
        var identified = volumes.ContainsKey(l1) && volumes.ContainsKey(l2) && !TouchesEdge(native, l1) && !TouchesEdge(native, l2);
        var reason = identified ? source
            : !volumes.ContainsKey(l1) || !volumes.ContainsKey(l2) ? $"{source} do not hold {(volumes.ContainsKey(l1) ? "L2" : "L1")}"
            : $"{source} have {(TouchesEdge(native, l1) ? "L1" : "L2")} cut by the scan's edge";
        byte[] box = [];
        if (hi[0] >= 0)
        {
            int nx = hi[0] - lo[0] + 1, ny = hi[1] - lo[1] + 1, nz = hi[2] - lo[2] + 1;
            box = new byte[(long)nx * ny * nz];
            for (var k = 0; k < nz; k++)
            for (var j = 0; j < ny; j++)
                for (var i = 0; i < nx; i++)
                    box[((long)k * ny + j) * nx + i] = native[lo[0] + i, lo[1] + j, lo[2] + k];
        }
        else (lo, hi) = ([0, 0, 0], [-1, -1, -1]);
        var positions = LevelPositions.Of(labels.Geometry, lo, hi, box);
        return new VertebraSegmentation
        {
            SeriesInstanceUid = seriesInstanceUid,
            ModelSha256 = modelSha256,
            Status = identified ? LevelStatus.Identified : LevelStatus.NotCovered,
            Reason = reason,
            Bodies = volumes.OrderBy(v => v.Key).Select(v =>
            {
                var body = new SegmentedBody(VertebraSegmentation.LevelName(v.Key), v.Key, v.Value * labels.Geometry.VoxelVolumeMm3 / 1000, 1,
                    TouchesEdge(native, v.Key), false);
                return positions.TryGetValue(v.Key, out var p)
                    ? body with { CentroidMm = [p.Centroid.X, p.Centroid.Y, p.Centroid.Z], SuperiorMm = p.SuperiorMm, InferiorMm = p.InferiorMm }
                    : body;
            }).ToList(),
            Confidence = identified ? 1 : double.NaN,
            ModelSpacingMm = modelSpacingMm,
            ModelSize = grid.Size,
            ModelLevels = model,
            NativeLo = lo,
            NativeHi = hi,
            NativeLevels = box,
        };
    }

    /// <summary>True when the level has voxels in the first or last plane along the axis closest to patient Z (cut by the scan's craniocaudal edge).</summary>
    private static bool TouchesEdge(Volume<byte> native, byte code)
    {
        var size = native.Size;
        var axis = VertebraLevels.CraniocaudalAxis(native.Geometry.Direction);
        for (var k = 0; k < size.Z; k++)
        for (var j = 0; j < size.Y; j++)
        for (var i = 0; i < size.X; i++)
        {
            var index = axis switch { 0 => i, 1 => j, _ => k };
            if ((index == 0 || index == size[axis] - 1) && native[i, j, k] == code) return true;
        }
        return false;
    }
}
