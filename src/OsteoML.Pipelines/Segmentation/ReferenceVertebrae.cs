using OsteoML.Domain;
using OsteoML.Imaging;
using OsteoML.Imaging.Nifti;

namespace OsteoML.Pipelines.Segmentation;

/// <summary>
/// Per-level vertebra masks from someone else's segmentation — TotalSegmentator's <c>total</c> multilabel file, a VerSe
/// or <c>vertebrae_pp_refined</c> map, or a folder of per-level files — on a CT's own grid. Masks on another grid are
/// brought over by nearest neighbour in patient coordinates, so a NIfTI label map fits a DICOM series of the same
/// scan. With a body mask (TotalSegmentator's <c>vertebrae_body</c> task: label 1 vertebral body, 2 disc; or any
/// binary mask) each level keeps only its body: the posterior elements carry no trabecular density of interest.
/// </summary>
public sealed class ReferenceVertebrae
{
    /// <summary>Body label of TotalSegmentator's <c>vertebrae_body</c> task (2 is the intervertebral disc).</summary>
    public const int VertebralBodyLabel = 1;

    private ReferenceVertebrae(VolumeGeometry geometry, IReadOnlyDictionary<string, Volume<bool>> masks)
    {
        Geometry = geometry;
        Masks = masks;
    }

    public VolumeGeometry Geometry { get; }

    /// <summary>Level name (T12, L1 …) → its mask on <see cref="Geometry"/>; levels without a voxel are absent.</summary>
    public IReadOnlyDictionary<string, Volume<bool>> Masks { get; }

    public static ReferenceVertebrae Load(string path, VertebraLabelScheme scheme, VolumeGeometry target, string? bodyMaskPath = null)
    {
        var masks = new Dictionary<string, Volume<bool>>();
        if (scheme == VertebraLabelScheme.Files || Directory.Exists(path))
        {
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: no folder of per-level masks (vertebrae_L1.nii.gz …).");
            foreach (var level in VertebraLabelSchemes.Levels(VertebraLabelScheme.Verse).Values.Append("S1"))
            {
                var file = new[] { ".nii.gz", ".nii" }.Select(e => Path.Combine(path, VertebraLabelSchemes.FileStem(level) + e)).FirstOrDefault(File.Exists);
                if (file is null) continue;
                var labels = NiftiFile.Read(file).ToFloat();
                var mask = OnGrid(labels, target, v => v > 0.5f);
                if (mask.Voxels.Any(v => v)) masks[level] = mask;
            }
            if (masks.Count == 0) throw new InvalidDataException($"{path}: no vertebrae_<level>.nii.gz file with any voxel set.");
        }
        else
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such label map.");
            var labels = NiftiFile.Read(path).ToFloat();
            foreach (var (label, level) in VertebraLabelSchemes.Levels(scheme))
            {
                var mask = OnGrid(labels, target, v => (int)Math.Round(v) == label);
                if (mask.Voxels.Any(v => v)) masks[level] = mask;
            }
            if (masks.Count == 0) throw new InvalidDataException($"{path}: no vertebra label of the {scheme} scheme in it (is it the right scheme?).");
        }
        if (bodyMaskPath is not null)
        {
            if (!File.Exists(bodyMaskPath)) throw new FileNotFoundException($"{bodyMaskPath}: no such body mask.");
            var body = OnGrid(NiftiFile.Read(bodyMaskPath).ToFloat(), target, v => (int)Math.Round(v) == VertebralBodyLabel);
            foreach (var level in masks.Keys.ToList())
            {
                var kept = masks[level].Voxels.Zip(body.Voxels, (a, b) => a && b).ToArray();
                if (kept.Any(v => v)) masks[level] = new Volume<bool>(target, kept);
                else masks.Remove(level);
            }
        }
        return new ReferenceVertebrae(target, masks);
    }

    /// <summary>The labels at each target voxel's centre (nearest source voxel; outside the source: false).</summary>
    private static Volume<bool> OnGrid(Volume<float> labels, VolumeGeometry target, Func<float, bool> select)
    {
        var source = labels.Geometry;
        if (SameGrid(source, target)) return labels.Map(select);
        var result = new bool[target.Size.Count];
        Parallel.For(0, target.Size.Z, k =>
        {
            for (var j = 0; j < target.Size.Y; j++)
            for (var i = 0; i < target.Size.X; i++)
            {
                var index = source.WorldToIndex(target.IndexToWorld(i, j, k));
                int a = (int)Math.Round(index.X), b = (int)Math.Round(index.Y), c = (int)Math.Round(index.Z);
                if (source.Size.Contains(a, b, c) && select(labels[a, b, c])) result[((long)k * target.Size.Y + j) * target.Size.X + i] = true;
            }
        });
        return new Volume<bool>(target, result);
    }

    private static bool SameGrid(VolumeGeometry a, VolumeGeometry b)
    {
        if (a.Size != b.Size) return false;
        const double tolerance = 1e-3;
        for (var axis = 0; axis < 3; axis++)
        {
            if (Math.Abs(a.Spacing[axis] - b.Spacing[axis]) > tolerance) return false;
            if ((a.Direction[axis] - b.Direction[axis]).Length > tolerance) return false;
        }
        return (a.Origin - b.Origin).Length < tolerance;
    }
}
