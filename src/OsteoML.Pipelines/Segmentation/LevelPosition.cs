using OsteoML.Imaging;

namespace OsteoML.Pipelines.Segmentation;

/// <summary>Where one level's mask lies in patient space: centroid (LPS, mm) and craniocaudal extent (patient Z of its voxels' outer faces).</summary>
public readonly record struct LevelPosition(Vec3 Centroid, double SuperiorMm, double InferiorMm);
